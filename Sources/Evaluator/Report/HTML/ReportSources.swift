import Foundation
import MoECore

/// Reads a result folder into ``ReportData`` (docs/report.md): this evaluator's files (`metrics.json`,
/// `batch_data.json`, `inference_outputs.json`, `config.json`, `ground_truth.json`, an expert-distribution dump),
/// or ServerlessLLM's Python evaluator's (`cap_metrics_*.json`, `batch_data_*.json`, `inference_outputs_*.json`,
/// `config_*.json`), also one or two folders down (the Python script writes under `<org>/<name>/`).
package enum ReportSources {
    /// Why a folder cannot be reported on.
    package struct Problem: Error, CustomStringConvertible, Sendable {
        package let description: String
    }

    /// The simulator's per-step ground truth, saved beside the other files so `report DIR` can redraw it.
    package static let groundTruthFile = "ground_truth.json"

    /// Reads `directory`. `written` holds files a run has just written into it (by relative path, as parsed
    /// values): those are taken from memory instead of being read and parsed again (a written value parses back
    /// to itself, so the page is the same).
    /// - Throws: ``Problem`` when the folder does not exist or holds neither metrics nor batch records.
    package static func load(directory: String, written: [String: JSONValue] = [:]) throws -> ReportData {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw Problem(description: "\(directory) is not a directory")
        }
        let files = listFiles(directory)
        var data = ReportData()
        func pick(_ exact: String, prefix: String, suffix: String = ".json") -> String? {
            if let f = files.first(where: { ($0 as NSString).lastPathComponent == exact }) { return f }
            return files.filter {
                let name = ($0 as NSString).lastPathComponent
                return name.hasPrefix(prefix) && name.hasSuffix(suffix)
            }.max()
        }
        func read(_ relative: String?) -> JSONValue? {
            guard let relative else { return nil }
            if let value = written[relative] {
                data.sources.append(relative)
                return value
            }
            let path = (directory as NSString).appendingPathComponent(relative)
            guard let bytes = FileManager.default.contents(atPath: path),
                let v = try? JSONValue.parse([UInt8](bytes))
            else { return nil }
            data.sources.append(relative)
            return v
        }

        let config = read(pick("config.json", prefix: "config_"))
        let metrics = read(pick("metrics.json", prefix: "cap_metrics_"))
        let batch = read(pick("batch_data.json", prefix: "batch_data_"))
        let outputs = read(pick("inference_outputs.json", prefix: "inference_outputs_"))
        let truth = read(pick(groundTruthFile, prefix: "ground_truth_"))
        let experts = read(
            pick("expert_distribution.json", prefix: "expert_distribution")
                ?? files.first { ($0 as NSString).lastPathComponent.contains("expert") })
        guard metrics != nil || batch != nil else {
            throw Problem(
                description:
                    "\(directory) holds no metrics.json, cap_metrics_*.json, batch_data.json or batch_data_*.json")
        }

        data.metrics = normalizedMetrics(metrics ?? .object(JSONObject()))
        let recordValues = batch?["records"]?.arrayValue ?? batch?["batches"]?.arrayValue ?? []
        data.records = BatchRecord.deduplicated(recordValues.compactMap { try? BatchRecord(json: $0) })
        for step in truth?["steps"]?.arrayValue ?? truth?.arrayValue ?? [] {
            if let id = step["forward_pass_id"]?.intValue { data.groundTruth[id] = step }
        }
        data.server = truth?["server"]
        let entries = outputs?.arrayValue ?? []
        // The server's simulated clock when the entries state it (fake-sllm), else the wall clock.
        let simulated = entries.contains { $0["sim_latency_s"]?.doubleValue != nil }
        data.requestClock = simulated ? "simulated" : "wall clock"
        data.requests = entries.compactMap { timing($0, simulated: simulated) }
        data.expertActivationPerLayer = experts.flatMap(perLayerActivation)

        data.hasBatchRecordsFile = batch != nil
        data.recordedCount =
            batch?["total_records"]?.intValue ?? data.metrics["batch_metrics"]?["total_records"]?.intValue
            ?? data.metrics["run_info"]?["total_records"]?.intValue
        let detailed = listDetailedResults(directory)
        data.coverage = coverage(
            data, metricsFile: metrics == nil ? nil : data.sources.first { $0.contains("metrics") },
            outputsRead: outputs != nil, detailedResults: detailed)

        let runInfo = data.metrics["run_info"]
        data.model =
            config?["model"]?.stringValue ?? runInfo?["model_name"]?.stringValue ?? batch?["model"]?.stringValue
        data.dataset = config?["dataset"]?.stringValue ?? runInfo?["dataset"]?.stringValue
        data.gpuKey =
            runInfo?["gpu_raw_type"]?.stringValue ?? data.records.first?.gpuRawType
            ?? config?["gpu_type"]?.stringValue.flatMap { HardwareCatalog.gpu(named: $0)?.key }
        data.numGPUs = data.records.first?.gpuNum ?? config?["num_gpus"]?.intValue ?? 1
        data.precision =
            runInfo?["precision"]?.stringValue ?? config?["precision"]?.stringValue ?? data.precision
        data.modelConfigPath = config?["model_config"]?.stringValue
        if let model = data.model, let spec = try? ModelResolver.spec(model, configPath: data.modelConfigPath) {
            data.expertsPerLayer = spec.numExperts > 0 ? spec.numExperts : nil
        }
        return data
    }

    /// The newest `detailed_results_*.jsonl` up to two folders down (the Python evaluator's per-item lines) and
    /// its line count.
    static func listDetailedResults(_ directory: String) -> (name: String, lines: Int)? {
        guard let e = FileManager.default.enumerator(atPath: directory) else { return nil }
        var found: [String] = []
        while let f = e.nextObject() as? String {
            if f.split(separator: "/").count > 3 {
                e.skipDescendants()
                continue
            }
            let name = (f as NSString).lastPathComponent
            if name.hasPrefix("detailed_results_"), name.hasSuffix(".jsonl") { found.append(f) }
        }
        guard let newest = found.max(),
            let data = FileManager.default.contents(
                atPath: (directory as NSString).appendingPathComponent(newest))
        else { return nil }
        // Read as UTF-8 text (a file that is not is left out), counted on its bytes without making it a String.
        return data.withUnsafeBytes { bytes in
            guard ASCIIBytes.all(bytes) || String(validating: bytes, as: UTF8.self) != nil else { return nil }
            return (newest, nonEmptyLineCount(bytes))
        }
    }

    /// `text.split(separator: "\n").count` on the UTF-8 bytes of a text: `"\n"` is a character of its own except
    /// right after `"\r"` (the two form one character, which is not `"\n"`), and empty pieces are not counted.
    static func nonEmptyLineCount(_ text: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var pieceLength = 0
        var previous: UInt8 = 0
        for b in text {
            if b == 0x0A, previous != 0x0D {
                if pieceLength > 0 { count += 1 }
                pieceLength = 0
            } else {
                pieceLength += 1
            }
            previous = b
        }
        return pieceLength > 0 ? count + 1 : count
    }

    /// What the files hold and what they do not, one sentence each (docs/report.md "Partial folders").
    static func coverage(
        _ data: ReportData, metricsFile: String?, outputsRead: Bool, detailedResults: (name: String, lines: Int)?
    ) -> [String] {
        var out: [String] = []
        if let metricsFile { out.append("Holds MoE-CAP's metrics and accuracy (\(metricsFile)).") }
        if data.hasBatchRecordsFile {
            out.append("Holds \(data.records.count) batch records after de-duplication.")
        } else {
            let recorded = data.recordedCount.map { " The run recorded \($0) batch records;" } ?? ""
            out.append(
                "Holds no batch records file (batch_data.json or batch_data_*.json):\(recorded) the Python "
                    + "evaluator does not save them, so there is no roofline and no step chart.")
        }
        if let detailedResults {
            out.append(
                "Holds \(detailedResults.lines) per-item results (\(detailedResults.name)): answers and correctness, no timings."
            )
        }
        if data.requests.isEmpty {
            out.append(
                outputsRead
                    ? "Its inference outputs carry no per-request timings, so there are no latency distributions."
                    : "Holds no inference outputs with per-request timings, so there are no latency distributions.")
        }
        return out
    }

    /// Files up to two folders below `directory`, as relative paths, sorted.
    static func listFiles(_ directory: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: directory) else { return [] }
        var out: [String] = []
        while let f = e.nextObject() as? String {
            if f.split(separator: "/").count > 3 {
                e.skipDescendants()
                continue
            }
            if f.hasSuffix(".json") { out.append(f) }
        }
        return out.sorted()
    }

    /// This project's layout for any of the three metrics files: `metrics.json` as is; the first Python version's
    /// `{batch_metrics, accuracy_metrics}` as is; the current Python version's flat `cap_metrics_sllm_*.json`
    /// split into `batch_metrics`, `accuracy_metrics` and `run_info`.
    static func normalizedMetrics(_ m: JSONValue) -> JSONValue {
        let sections = ["batch_metrics", "accuracy_metrics", "client_metrics", "run_info", "ground_truth_check"]
        guard let o = m.objectValue, !sections.contains(where: { o[$0] != nil }) else { return m }
        let accuracyKeys: Set<String> = ["exact_match", "correct", "total", "no_answer"]
        let moecapKeys = Set(CapMetric.keys)
        var batch = JSONObject()
        var accuracy = JSONObject()
        var run = JSONObject()
        for (k, v) in o.pairs {
            if moecapKeys.contains(k) {
                batch[k] = v
            } else if accuracyKeys.contains(k) {
                accuracy[k] = v
            } else {
                run[k] = v
            }
        }
        return .object(
            JSONObject([
                ("batch_metrics", .object(batch)), ("accuracy_metrics", .object(accuracy)), ("run_info", .object(run)),
            ]))
    }

    /// One `inference_outputs` entry's timings: `ttft_s` and `latency_s` (wall clock) or `sim_ttft_s` and
    /// `sim_latency_s` (the server's simulated clock), and TPOT from the completion's token count
    /// (`(e2e − ttft) / (tokens − 1)`, vLLM bench's definition). Entries without timings give nil.
    static func timing(_ entry: JSONValue, simulated: Bool = false) -> ReportData.RequestTiming? {
        let e2e = entry[simulated ? "sim_latency_s" : "latency_s"]?.doubleValue
        let ttft = entry[simulated ? "sim_ttft_s" : "ttft_s"]?.doubleValue
        guard e2e != nil || ttft != nil else { return nil }
        var tpot: Double?
        if let e2e, let ttft, let tokens = entry["response"]?["usage"]?["completion_tokens"]?.intValue, tokens > 1 {
            tpot = (e2e - ttft) / Double(tokens - 1)
        }
        return ReportData.RequestTiming(ttft: ttft, tpot: tpot, e2e: e2e)
    }

    /// Mean activated experts per layer from an expert-distribution dump (`/dump_expert_distribution`'s answer
    /// or its `worker_data`): in the `stat` modes, each pass's per-layer expert counts
    /// (`aggregated_expert_counts[pass][layer][expert]`, already summed over ranks) give the distinct experts
    /// hit per layer, averaged over passes; a per-layer list `avg_activated_per_layer` is taken as it is. The
    /// `per_pass` mode's single number has no per-layer detail (nil).
    static func perLayerActivation(_ dump: JSONValue) -> [Double]? {
        let workers = dump["worker_data"]?.arrayValue ?? dump.arrayValue ?? [dump]
        for w in workers {
            if let passes = w["aggregated_expert_counts"]?.arrayValue, !passes.isEmpty {
                var sums: [Double] = []
                var n = 0
                for pass in passes {
                    guard let layers = pass.arrayValue, !layers.isEmpty else { continue }
                    if sums.count < layers.count { sums += [Double](repeating: 0, count: layers.count - sums.count) }
                    for (l, row) in layers.enumerated() {
                        sums[l] += Double((row.arrayValue ?? []).filter { ($0.doubleValue ?? 0) > 0 }.count)
                    }
                    n += 1
                }
                if n > 0 { return sums.map { $0 / Double(n) } }
            }
            if let list = w["avg_activated_per_layer"]?.arrayValue {
                let values = list.compactMap(\.doubleValue)
                if !values.isEmpty { return values }
            }
        }
        return nil
    }
}
