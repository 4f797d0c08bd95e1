import FakeSLLM
import Foundation
import MoECore
import SimEngine

/// Runs a sweep's points in parallel, one in-process simulation per point (``Simulation/run(config:workload:keepSteps:)``),
/// on `jobs` threads. Each point is deterministic for the grid's seed, so the rows do not depend on the thread
/// count or the order the points finish in.
package enum SweepRunner {
    /// Runs every point of `grid`; `progress` is called (from worker threads) after each point with the number
    /// done so far.
    package static func run(
        _ grid: SweepGrid, jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) -> [SweepRow] {
        let points = grid.points
        let slots = Slots(count: points.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, points.count))) { _ in
            while let i = slots.take() {
                let row = evaluate(points[i], grid: grid)
                let done = slots.put(row, at: i)
                progress?(done, points.count)
            }
        }
        return slots.rows()
    }

    /// Runs one point; a point that cannot run (the model does not fit, an unknown name) gives a row with
    /// `status` `error` and the reason.
    package static func evaluate(_ p: SweepPoint, grid: SweepGrid) -> SweepRow {
        let start = ContinuousClock.now
        let workload = grid.workloads[p.workload]
        var cols: [(name: String, value: JSONValue)] = [
            ("point", .int(p.index)), ("model", .string(p.model)), ("gpu", .string(p.gpuType)),
            ("gpu_num", .int(p.gpuCount)), ("max_num_seqs", .int(p.maxNumSeqs)),
            ("max_num_batched_tokens", .int(p.maxNumBatchedTokens)),
            ("quantization", p.quantization.map { .string($0) } ?? .string("none")),
            ("kv_cache_dtype", .string(p.kvCacheDtype)), ("enforce_eager", .bool(p.enforceEager)),
            ("workload", .string(workload.name)),
        ]
        do {
            let config = try engineConfig(p, grid: grid)
            cols[2] = ("gpu", .string(config.gpu.key))
            let profile =
                try grid.calibration?.profile(for: config.gpu) ?? CalibrationCatalog.profile(for: config.gpu)
            let work = try workload.generate(blockSize: config.blockSize, seed: grid.seed)
            let result = try Simulation.run(config: config, workload: work, keepSteps: true)
            cols += [("status", "ok"), ("error", .null), ("calibration_source", .string(profile.source.rawValue))]
            cols += clientColumns(result)
            cols += moecapColumns(result, quantization: p.quantization)
            cols += truthColumns(result)
            cols += costColumns(result)
        } catch {
            cols += [("status", "error"), ("error", .string("\(error)")), ("calibration_source", .null)]
            for name in SweepRunner.resultColumns { cols.append((name, .null)) }
        }
        let wall = ContinuousClock.now - start
        cols.append(("wall_s", .double(wall.inSeconds)))
        return SweepRow(point: p, columns: cols)
    }

    /// The engine of a point, built as `serve` builds a deployment's (``EngineSettings/engineConfig(deploy:settings:)``).
    static func engineConfig(_ p: SweepPoint, grid: SweepGrid) throws -> EngineConfig {
        var backend = JSONObject([
            ("tensor_parallel_size", .int(p.gpuCount)), ("max_num_seqs", .int(p.maxNumSeqs)),
            ("max_num_batched_tokens", .int(p.maxNumBatchedTokens)),
        ])
        if let q = p.quantization { backend["quantization"] = .string(q) }
        backend["kv_cache_dtype"] = .string(p.kvCacheDtype)
        backend["enforce_eager"] = .bool(p.enforceEager)
        let deploy = try DeployConfig(
            json: .object(
                JSONObject([
                    ("model", .string(p.model)), ("backend", "vllm_moecap"), ("num_gpus", .int(p.gpuCount)),
                    ("backend_config", .object(backend)),
                ])))
        var settings = SimulatorSettings()
        settings.gpuType = p.gpuType
        settings.seed = grid.seed
        settings.routing = grid.routing
        settings.serving = .direct
        settings.calibrationOverride = grid.calibration
        return try EngineSettings.engineConfig(deploy: deploy, settings: settings)
    }

    /// Client figures in simulated time.
    static func clientColumns(_ r: SimulationResult) -> [(name: String, value: JSONValue)] {
        let first = r.timings.map(\.arrival).min() ?? 0
        let last = r.timings.map(\.finish).max() ?? 0
        let span = max(last - first, 1e-12)
        let out = r.totalOutputTokens
        let prompt = r.timings.reduce(0) { $0 + $1.promptTokens }
        return [
            ("requests", .int(r.timings.count)), ("output_tokens", .int(out)), ("duration_s", .double(span)),
            ("request_throughput", .double(Double(r.timings.count) / span)),
            ("output_throughput", .double(Double(out) / span)),
            ("total_token_throughput", .double(Double(out + prompt) / span)),
            ("ttft_mean_s", .double(r.mean(\.ttft))), ("ttft_p50_s", .double(r.percentile(50, of: \.ttft))),
            ("ttft_p99_s", .double(r.percentile(99, of: \.ttft))), ("tpot_mean_s", .double(r.mean(\.tpot))),
            ("tpot_p50_s", .double(r.percentile(50, of: \.tpot))),
            ("tpot_p99_s", .double(r.percentile(99, of: \.tpot))), ("e2e_mean_s", .double(r.mean(\.e2e))),
            ("e2e_p99_s", .double(r.percentile(99, of: \.e2e))), ("preemptions", .int(r.preemptions)),
        ]
    }

    /// MoE-CAP's continuous metrics over the run's batch records (null when MoE-CAP cannot compute them).
    static func moecapColumns(_ r: SimulationResult, quantization: String?) -> [(name: String, value: JSONValue)] {
        let key = r.config.gpu.key
        let records = r.steps.map {
            BatchRecord(
                batchSize: $0.batchSize, latency: $0.latency, seqLensSum: $0.batchSize,
                forwardMode: $0.forwardMode.rawValue, expertActivation: $0.expertActivation,
                forwardPassID: $0.forwardPassID, gpuNum: r.config.tensorParallelSize, gpuRawType: key)
        }
        let precision = quantization ?? "bfloat16"
        let m = try? ContinuousMetrics.compute(
            records: records, model: r.config.model, gpu: r.config.gpu, usedDtype: precision,
            precision: Precision.bytesPerParam(precision), numGPUs: r.config.tensorParallelSize)
        return CapMetric.allCases.map { metric in
            (metric.sweepColumn, m.map { .double(metric.value(in: $0)) } ?? .null)
        }
    }

    /// The simulator's ground truth beside MoE-CAP's S-MBU/S-MFU: per phase, the mean over that phase's steps of
    /// each step's achieved bandwidth and FLOPS utilization (``StepCost``, per rank against one GPU's datasheet
    /// peaks, as S-MBU/S-MFU divide by `num_gpus × peak`). MoE-CAP also averages per record, so a difference
    /// between `moecap_decoding_smbu` and `truth_decoding_mbu` is the formula's alone (docs/calibration.md, "What-if sweeps").
    static func truthColumns(_ r: SimulationResult) -> [(name: String, value: JSONValue)] {
        func mean(_ mode: ForwardMode, _ f: (StepSummary) -> Double) -> JSONValue {
            let steps = r.steps.filter { $0.forwardMode == mode }
            guard !steps.isEmpty else { return .null }
            var sum = 0.0
            for step in steps { sum += f(step) }
            return .double(sum / Double(steps.count))
        }
        return [
            ("truth_prefill_mbu", mean(.prefill, \.bandwidthUtilization)),
            ("truth_prefill_mfu", mean(.prefill, \.flopsUtilization)),
            ("truth_decoding_mbu", mean(.decode, \.bandwidthUtilization)),
            ("truth_decoding_mfu", mean(.decode, \.flopsUtilization)),
        ]
    }

    /// Serving cost of the run (``ServingCost``) and MoE-CAP's own `cost` field.
    static func costColumns(_ r: SimulationResult) -> [(name: String, value: JSONValue)] {
        let key = r.config.gpu.key
        let n = r.config.tensorParallelSize
        let first = r.timings.map(\.arrival).min() ?? 0
        let span = (r.timings.map(\.finish).max() ?? 0) - first
        let perHour = ServingCost.dollarsPerHour(gpuKey: key, numGPUs: n)
        let perM = ServingCost.dollarsPerMillionTokens(
            outputTokens: r.totalOutputTokens, seconds: span, gpuKey: key, numGPUs: n)
        let moecap = MoECAPCost.calculate(
            e2eLatencySeconds: (span * 100).rounded() / 100, gpuType: key, numGPUs: n)
        return [
            ("usd_per_hour", perHour.map { .double($0) } ?? .null),
            ("usd_per_million_output_tokens", perM.map { .double($0) } ?? .null),
            ("moecap_cost", moecap.map { .double($0) } ?? .null),
        ]
    }

    /// Names of the columns an error row leaves null (everything after `calibration_source` except `wall_s`).
    static let resultColumns =
        [
            "requests", "output_tokens", "duration_s", "request_throughput", "output_throughput",
            "total_token_throughput", "ttft_mean_s", "ttft_p50_s", "ttft_p99_s", "tpot_mean_s", "tpot_p50_s",
            "tpot_p99_s", "e2e_mean_s", "e2e_p99_s", "preemptions",
        ] + CapMetric.allCases.map(\.sweepColumn)
        + ["truth_prefill_mbu", "truth_prefill_mfu", "truth_decoding_mbu", "truth_decoding_mfu"]
        + ["usd_per_hour", "usd_per_million_output_tokens", "moecap_cost"]
}

/// The work queue and results of one sweep, shared by its worker threads. Thread-safe.
private final class Slots: Sendable {
    private struct State {
        var next = 0
        var done = 0
        var results: [SweepRow?]
    }
    private let state: Locked<State>

    init(count: Int) { state = Locked(State(results: Array(repeating: nil, count: count))) }

    func take() -> Int? {
        state.withLock { s in
            guard s.next < s.results.count else { return nil }
            s.next += 1
            return s.next - 1
        }
    }

    func put(_ row: SweepRow, at i: Int) -> Int {
        state.withLock { s in
            s.results[i] = row
            s.done += 1
            return s.done
        }
    }

    func rows() -> [SweepRow] { state.withLock { s in s.results.map { $0! } } }
}
