import Dispatch
import FakeSLLM
import Foundation
import MoECore
import SimEngine

/// Reads a validation-suite folder (`*.jsonl`, one real vLLM run per line: Fixtures/validation/README.md), turns
/// each row into the engine and workload `simulate` would build for it, and replays the rows in parallel.
enum SuiteRunner {
    /// Replays every row of `directory`.
    /// - Parameters:
    ///   - calibration: a calibration override applied over each row's GPU profile (nil: the profiles).
    ///   - routing, seed: as for V1/V4.
    /// - Throws: ``SimulationInputError`` when the folder or a line cannot be read.
    static func run(directory: String, calibration: JSONValue?, routing: RoutingConfig, seed: UInt64) throws
        -> FidelitySuiteReport
    {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".jsonl") }
            .sorted()
        guard !files.isEmpty else { throw SimulationInputError("no *.jsonl files in suite folder '\(directory)'") }
        var cases: [SuiteCase] = []
        var failures: [(id: String, reason: String)] = []
        for file in files {
            let text = try SimulateFiles.readText(directory + "/" + file, what: "suite")
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
                let row: JSONValue
                do {
                    row = try JSONValue.parse(String(line))
                } catch {
                    throw SimulationInputError("\(file) line \(n + 1): not valid JSON: \(error)")
                }
                let id = row["id"]?.stringValue ?? "\(file):\(n + 1)"
                do {
                    cases.append(try SuiteRowMapping.suiteCase(row, calibration: calibration, routing: routing, seed: seed))
                } catch {
                    failures.append((id, "\(error)"))
                }
            }
        }
        let results = Results(count: cases.count)
        let all = cases
        DispatchQueue.concurrentPerform(iterations: all.count) { i in
            do {
                results.set(i, .success(try FidelitySuite.replay(all[i])))
            } catch {
                results.set(i, .failure(SimulationInputError("\(error)")))
            }
        }
        var rows: [SuiteComparison] = []
        for (i, r) in results.all.enumerated() {
            switch r {
            case .success(let c)?: rows += c
            case .failure(let e)?: failures.append((cases[i].id, e.description))
            case nil: failures.append((cases[i].id, "not run"))
            }
        }
        return FidelitySuiteReport(rows: rows, failures: failures)
    }
}

/// Results of parallel replays, one slot per row (written once each, under a lock).
private final class Results: @unchecked Sendable {
    private var slots: [Result<[SuiteComparison], SimulationInputError>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<[SuiteComparison], SimulationInputError>) {
        lock.lock()
        slots[i] = r
        lock.unlock()
    }
    var all: [Result<[SuiteComparison], SimulationInputError>?] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

/// One suite row (the schema of Fixtures/validation/README.md) as the engine and workload `simulate` builds.
enum SuiteRowMapping {
    static func suiteCase(_ row: JSONValue, calibration: JSONValue?, routing: RoutingConfig, seed: UInt64) throws
        -> SuiteCase
    {
        guard let id = row["id"]?.stringValue else { throw SimulationInputError("row without an id") }
        guard let modelID = row["model"]?.stringValue, let model = ModelCatalog.spec(for: modelID) else {
            throw SimulationInputError("unknown model '\(row["model"]?.stringValue ?? "")'")
        }
        let gpuName = row["gpu"]?.stringValue ?? ""
        guard let gpu = HardwareCatalog.gpu(named: gpuName) else {
            throw SimulationInputError("unknown GPU '\(gpuName)'")
        }
        let tp = row["tp"]?.intValue ?? row["gpus"]?.intValue ?? 1
        let offline = row["mode"]?.stringValue == "offline"
        var config = EngineConfig(model: model, gpu: gpu, tensorParallelSize: tp)
        config.routing = routing
        config.seed = seed
        if let calibration { config.calibration = try Calibration(json: calibration, base: config.calibration) }
        if offline {
            (config.maxNumSeqs, config.maxNumBatchedTokens) = FidelitySuite.offlineDefaults(gpu: gpu)
            config.calibration = FidelitySuite.withoutAPIServer(config.calibration)
        }
        let quant = row["quantization"]?.stringValue?.lowercased() ?? "bf16"
        if model.quantizationConfig == nil, quant.hasPrefix("fp8") { config.quantization = "fp8" }
        if let kv = row["kv_cache_dtype"]?.stringValue { config.kvCacheDtype = kv }
        let w = row["workload"] ?? .null
        let inputLen = w["input_len"]?.intValue ?? w["mean_input_len"]?.doubleValue.map { Int($0.rounded()) } ?? 512
        let outputLen = w["output_len"]?.intValue ?? w["mean_output_len"]?.doubleValue.map { Int($0.rounded()) } ?? 128
        if let s = row["scheduler"], s.objectValue != nil {
            if let n = s["max_num_seqs"]?.intValue { config.maxNumSeqs = n }
            if let n = s["max_num_batched_tokens"]?.intValue { config.maxNumBatchedTokens = n }
            if let n = s["max_model_len"]?.intValue { config.maxModelLen = n }
            if let b = s["enable_prefix_caching"]?.boolValue { config.enablePrefixCaching = b }
            if let b = s["enforce_eager"]?.boolValue { config.enforceEager = b }
        }
        if config.maxModelLen == nil {
            // vLLM would size the cache for the model's whole context; the rows' requests need far less, and a
            // context the simulated memory plan cannot hold would only refuse to start.
            config.maxModelLen = min(model.maxPositionEmbeddings, max(inputLen + outputLen + 16, 4096))
        }
        if config.maxNumBatchedTokens < config.maxNumSeqs { config.maxNumBatchedTokens = config.maxNumSeqs }
        let workload: Workload
        if offline {
            let batch = w["batch_size"]?.intValue ?? 1
            workload = SyntheticWorkload(
                count: batch, arrival: .allAtOnce, promptTokens: .fixed(inputLen), outputTokens: .fixed(outputLen),
                maxTokens: outputLen, ignoreEOS: true, blockSize: config.blockSize, seed: seed
            ).generate()
        } else {
            let count = w["num_prompts"]?.intValue ?? 100
            let arrival: ArrivalPattern = w["request_rate"]?.doubleValue.map { .poisson(rate: $0) } ?? .allAtOnce
            workload = SyntheticWorkload(
                count: count, arrival: arrival, promptTokens: .fixed(inputLen), outputTokens: .fixed(outputLen),
                maxTokens: outputLen, ignoreEOS: true, maxConcurrency: w["max_concurrency"]?.intValue,
                blockSize: config.blockSize, seed: seed
            ).generate()
        }
        let m = row["measured"] ?? .null
        var measured: [(figure: SuiteFigure, statistic: SuiteStatistic, value: Double)] = []
        if let v = m["ttft_mean_ms"]?.doubleValue {
            measured.append((.ttft, .mean, v))
        } else if let v = m["ttft_median_ms"]?.doubleValue {
            measured.append((.ttft, .median, v))
        }
        if let v = m["tpot_mean_ms"]?.doubleValue {
            measured.append((.tpot, .mean, v))
        } else if let v = m["tpot_median_ms"]?.doubleValue {
            measured.append((.tpot, .median, v))
        } else if let v = m["itl_mean_ms"]?.doubleValue {
            measured.append((.tpot, .mean, v))
        }
        if let v = m["output_throughput_tok_s"]?.doubleValue {
            measured.append((.throughput, .outputTokensPerSecond, v))
        } else if let v = m["total_throughput_tok_s"]?.doubleValue {
            measured.append((.throughput, .totalTokensPerSecond, v))
        } else if let v = m["request_throughput_req_s"]?.doubleValue {
            measured.append((.throughput, .requestsPerSecond, v))
        }
        if let v = m["latency_s"]?.doubleValue { measured.append((.latency, .batchSeconds, v)) }
        guard !measured.isEmpty else { throw SimulationInputError("row has no measured figure") }
        let source = row["source"]?["repo"]?.stringValue ?? row["source"]?["name"]?.stringValue
            ?? row["source"]?["url"]?.stringValue ?? "unknown"
        return SuiteCase(
            id: id, source: source, gpu: gpuName, holdout: row["split"]?.stringValue == "holdout",
            engineVersion: row["engine_version"]?.stringValue ?? "", config: config, offline: offline,
            workload: workload, measured: measured)
    }
}
