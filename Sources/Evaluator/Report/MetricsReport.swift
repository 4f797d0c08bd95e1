import Foundation
import MoECore

/// Everything `metrics.json` is computed from; `score` rebuilds it from an output directory.
package struct ScoringInput: Sendable {
    package var config: EvaluationConfig
    /// Expected answer per request, in dataset order.
    var targets: [String]
    /// Response text per request ("" for failures), in dataset order.
    var responses: [String?]
    /// The outcomes (for client metrics); empty when re-scoring files.
    var outcomes: [RequestOutcome]
    /// The dump's records (after mapping `batches` → `records`).
    var records: [JSONValue]
    /// Wall time of the sending phase (s).
    var wallSeconds: Double
    /// The simulator's per-step ground truth, when the server offered it.
    var groundTruth: [JSONValue]?
    /// The `/dump_expert_distribution` answer, when expert recording ran.
    var expertDump: JSONValue?
    /// The warm-up request's outcome (a live run only).
    var warmUp: RequestOutcome?
    /// The answers already extracted from ``responses`` (same order), or nil to extract them here.
    var predictions: [String]?

    init(
        config: EvaluationConfig, targets: [String], responses: [String?], outcomes: [RequestOutcome],
        records: [JSONValue], wallSeconds: Double, groundTruth: [JSONValue]? = nil, expertDump: JSONValue? = nil,
        warmUp: RequestOutcome? = nil, predictions: [String]? = nil
    ) {
        self.predictions = predictions
        self.config = config
        self.targets = targets
        self.responses = responses
        self.outcomes = outcomes
        self.records = records
        self.wallSeconds = wallSeconds
        self.groundTruth = groundTruth
        self.expertDump = expertDump
        self.warmUp = warmUp
    }
}

/// Builds `metrics.json`: `batch_metrics` (docs/evaluator.md "Output files": basic fields + MoE-CAP's nine advanced fields),
/// `accuracy_metrics`, `client_metrics`, `run_info`, `expert_distribution` when expert recording ran and, against
/// fake-sllm, `ground_truth_check`.
package enum MetricsReport {
    package struct Output: Sendable {
        package var json: JSONValue
        package var warnings: [String]
        /// The advanced metrics, when they could be computed.
        package var advanced: ContinuousMetrics?
    }

    package static func build(_ input: ScoringInput) -> Output {
        var warnings: [String] = []
        let config = input.config
        let total = input.targets.count

        // Records: parse and de-duplicate per-rank copies (same forward_pass_id).
        var records: [BatchRecord] = []
        for (i, r) in input.records.enumerated() {
            do { records.append(try BatchRecord(json: r)) } catch {
                warnings.append("record \(i) skipped: \(error)")
            }
        }
        let unique = BatchRecord.deduplicated(records)

        var batch = JSONObject()
        var advanced: ContinuousMetrics?
        // The model and precision, resolved once for the formulas and for `run_info`.
        let model = Result { try ModelResolver.spec(config.model, configPath: config.modelConfig) }
        let precision = Precision.effective(explicit: config.precision, config: (try? model.get())?.raw ?? .null)
        // `--gpu-type` overrides the records' gpu_raw_type.
        let gpuOverride = config.gpuType.map { HardwareCatalog.gpu(named: $0)?.key ?? $0 }
        var runGPU = gpuOverride
        var numGPUs = config.numGPUs
        if unique.isEmpty {
            batch["error"] = "No batch data collected"
            batch["total_records"] = 0
        } else {
            do {
                let basic = try BasicBatchMetrics(records: unique, totalRequests: total)
                for (k, v) in basic.json.objectValue?.pairs ?? [] { batch[k] = v }
            } catch {
                warnings.append("basic batch metrics: \(error)")
            }
            // num_gpus and gpu_raw_type come from the first record (docs/evaluator.md "MoE-CAP details"), --gpu-type overrides.
            numGPUs = ContinuousMetrics.runGPUCount(unique, fallback: config.numGPUs)
            runGPU = gpuOverride ?? ContinuousMetrics.runGPURawType(unique, fallback: "")
            switch advancedMetrics(unique, model: model, precision: precision, gpuKey: runGPU ?? "", numGPUs: numGPUs) {
            case .success(let m):
                advanced = m
                for (k, v) in m.json.objectValue?.pairs ?? [] { batch[k] = v }
            case .failure(let message):
                warnings.append("MoE-CAP advanced metrics omitted: \(message)")
            }
            batch["total_records"] = .int(input.records.count)
        }

        var accuracy: JSONValue = .null
        do {
            let acc =
                try input.predictions.map { try ExactMatch.compute(predictions: $0, targets: input.targets) }
                ?? ExactMatch.accuracy(
                    responses: input.responses, targets: input.targets, dataset: config.dataset.rawValue)
            accuracy = acc.json
        } catch {
            warnings.append("accuracy: \(error)")
        }

        var out = JSONObject([("batch_metrics", .object(batch)), ("accuracy_metrics", accuracy)])
        if !input.outcomes.isEmpty {
            out["client_metrics"] = ClientMetrics.json(
                outcomes: input.outcomes, wallSeconds: input.wallSeconds, warmUp: input.warmUp)
        }
        out["run_info"] = runInfo(input, precision: precision, gpuKey: runGPU, numGPUs: numGPUs)
        if let dump = input.expertDump {
            out["expert_distribution"] = ExpertDistributionSummary.json(
                dump: dump, mode: config.expertRecording ?? .perPass)
        }
        if let truth = input.groundTruth, !truth.isEmpty {
            out["ground_truth_check"] = GroundTruthCheck.json(truth: truth, records: unique, advanced: advanced)
        }
        if !warnings.isEmpty { out["warnings"] = .array(warnings.map { .string($0) }) }
        return Output(json: .object(out), warnings: warnings, advanced: advanced)
    }

    /// MoE-CAP's `_calculate_continuous_metrics`, or why it cannot run (unknown model, GPU or precision).
    static func advancedMetrics(
        _ records: [BatchRecord], model resolved: Result<ModelSpec, any Error>, precision: String, gpuKey: String,
        numGPUs: Int
    ) -> Result<ContinuousMetrics, MetricsProblem> {
        let model: ModelSpec
        do { model = try resolved.get() } catch {
            return .failure(MetricsProblem("\(error)"))
        }
        guard let gpu = HardwareCatalog.all.first(where: { $0.key == gpuKey }) else {
            return .failure(
                MetricsProblem(
                    "unknown GPU '\(gpuKey)' (not a key of MoE-CAP's hardware tables; pass --gpu-type, e.g. H100)"))
        }
        let bytes = Precision.bytesPerParam(precision)
        do {
            return .success(
                try ContinuousMetrics.compute(
                    records: records, model: model, gpu: gpu, usedDtype: precision, precision: bytes,
                    numGPUs: numGPUs))
        } catch {
            return .failure(MetricsProblem("\(error) (precision '\(precision)', GPU \(gpu.key))"))
        }
    }

    /// The fields of the ServerlessLLM script's `cap_metrics_sllm_*.json` that are not metrics (docs/evaluator.md "Output files").
    static func runInfo(_ input: ScoringInput, precision: String, gpuKey: String?, numGPUs: Int) -> JSONValue {
        let config = input.config
        let e2e = (input.wallSeconds * 100).rounded() / 100  // round(total_time, 2)
        let lower = config.model.lowercased()
        let successes = input.responses.filter { !($0 ?? "").isEmpty }.count
        var o = JSONObject([
            ("model_name", .string(config.model)), ("method", "sllm"),
            ("precision", .string(precision)), ("e2e_s", .double(e2e)),
            ("gpu_raw_type", gpuKey.map { .string($0) } ?? .null),
            ("gpu_type", .string("\(numGPUs)x\(HardwareCatalog.shortName(gpuKey ?? "unknown"))")),
            ("dataset", .string(config.dataset.rawValue)),
            ("model_type", .string(lower.contains("instruct") || lower.contains("chat") ? "instruct" : "thinking")),
            ("total_requests", .int(input.targets.count)), ("successful_requests", .int(successes)),
            ("failed_requests", .int(input.targets.count - successes)),
        ])
        if let gpuKey, let cost = MoECAPCost.calculate(e2eLatencySeconds: e2e, gpuType: gpuKey, numGPUs: numGPUs) {
            o["cost"] = .double(cost)
        }
        return .object(o)
    }
}

/// The model spec for metrics: a `config.json` path, else the built-in catalog.
enum ModelResolver {
    struct Unknown: Error, CustomStringConvertible {
        let description: String
    }

    static func spec(_ model: String, configPath: String?) throws -> ModelSpec {
        if let path = configPath {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Unknown(description: "cannot read --model-config \(path)")
            }
            return try ModelSpec(hfConfig: try JSONValue.parse([UInt8](data)), name: model)
        }
        guard let spec = ModelCatalog.spec(named: model) else {
            throw Unknown(
                description: "no built-in config for model '\(model)'; pass --model-config PATH (its HF config.json)")
        }
        return spec
    }
}

/// Why MoE-CAP's advanced metrics could not be computed.
struct MetricsProblem: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
