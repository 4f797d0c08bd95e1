import MoECore

/// One row of the fidelity table: a published measurement and the simulator's prediction of it.
package struct FidelityRow: Sendable, Equatable {
    /// Target id and figure, e.g. `V4` / `TPOT mean (ms)`.
    package var target: String
    package var figure: String
    package var predicted: Double
    package var measured: Double
    /// Whether the calibration is held to ±10 % on this figure (the others are shown for information).
    package var calibrated: Bool

    /// Signed relative error in percent.
    package var errorPercent: Double { measured != 0 ? (predicted - measured) / measured * 100 : 0 }
}

/// Replays the calibration targets V1 and V4 of `docs/validation-targets.md` in-process and compares the
/// simulated figures with the published ones.
///
/// - **V1**: Mixtral-8x7B-v0.1 on 2×H100 SXM (TP2), vLLM `max_num_seqs` 128, `max_num_batched_tokens` 2048,
///   `max_model_len` 4096, bf16, prefix caching, CUDA graphs and async scheduling on (the defaults of that vLLM,
///   ~0.15; async scheduling is on by default since vllm-project/vllm#27614). Workload as the source's
///   inference-perf config: 100 prompts (10 groups × 10, a 100-token system prompt per group, ~571 tokens in all:
///   557–585 uniformly) cycled in order, 245 output tokens with `ignore_eos` (the measured mean output length),
///   constant arrivals at 8 req/s, then at 20 req/s, each stage ``v1StageSeconds`` long (600 s in the source).
///   The decode step figure is (E2E−TTFT)/(out−1) from the means, the unit trap of the source's ~10 ms "TPOT".
/// - **V4**: Qwen3-30B-A3B on 1×H100 SXM, vLLM defaults for `vllm serve` on an H100 (`max_num_batched_tokens`
///   8192), 100 random prompts of 2042 tokens (the measured mean) and 1016 output tokens (measured mean),
///   at most 10 in flight, all sent at once.
package enum FidelityReplay {
    /// Runs both targets.
    /// - Parameters:
    ///   - v1StageSeconds: length of each V1 stage (the source ran 600 s).
    ///   - calibration: the constants under test.
    ///   - routing: expert popularity (default: the calibrated Zipf).
    ///   - seed: randomness seed.
    package static func run(
        v1StageSeconds: Double = 600, calibration: Calibration = Calibration(),
        routing: RoutingConfig = .calibrated, seed: UInt64 = 0
    ) throws -> [FidelityRow] {
        try v1(stageSeconds: v1StageSeconds, calibration: calibration, routing: routing, seed: seed)
            + v4(calibration: calibration, routing: routing, seed: seed)
    }

    /// The V1 rows.
    package static func v1(
        stageSeconds: Double, calibration: Calibration = Calibration(), routing: RoutingConfig = .calibrated,
        seed: UInt64 = 0
    ) throws -> [FidelityRow] {
        let result = try Simulation.run(
            config: v1Config(calibration: calibration, routing: routing, seed: seed),
            workload: v1Workload(stageSeconds: stageSeconds, seed: seed), keepSteps: false)
        let stage1 = { (t: RequestTiming) in t.arrival < stageSeconds }
        let stage2 = { (t: RequestTiming) in t.arrival >= stageSeconds }
        func step(_ include: @escaping (RequestTiming) -> Bool) -> Double {
            let e2e = result.mean(\.e2e, where: include)
            let ttft = result.mean(\.ttft, where: include)
            let out = result.mean({ Double($0.outputTokens) }, where: include)
            return (e2e - ttft) / (out - 1)
        }
        let outputRate2: Double = {
            let s2 = result.timings.filter(stage2)
            let tokens = s2.reduce(0) { $0 + $1.outputTokens }
            let span = (s2.map(\.finish).max() ?? 0) - (s2.map(\.arrival).min() ?? 0)
            return span > 0 ? Double(tokens) / span : 0
        }()
        // Measured means (source: inference-sim/training …/results/stage_{0,1}_lifecycle_metrics.json).
        return [
            FidelityRow(
                target: "V1 8 req/s", figure: "decode step (E2E-TTFT)/(out-1) (ms)", predicted: step(stage1) * 1e3,
                measured: (4.795965 - 0.063892) / (245.2096 - 1) * 1e3, calibrated: true),
            FidelityRow(
                target: "V1 8 req/s", figure: "TTFT mean (ms)", predicted: result.mean(\.ttft, where: stage1) * 1e3,
                measured: 63.89, calibrated: true),
            FidelityRow(
                target: "V1 8 req/s", figure: "TTFT median (ms)",
                predicted: median(result.timings.filter(stage1).map(\.ttft)) * 1e3, measured: 55.78, calibrated: false),
            FidelityRow(
                target: "V1 8 req/s", figure: "E2E mean (s)", predicted: result.mean(\.e2e, where: stage1),
                measured: 4.796, calibrated: false),
            FidelityRow(
                target: "V1 20 req/s", figure: "decode step (E2E-TTFT)/(out-1) (ms)", predicted: step(stage2) * 1e3,
                measured: (5.135708 - 0.070955) / (245.4502 - 1) * 1e3, calibrated: true),
            FidelityRow(
                target: "V1 20 req/s", figure: "TTFT mean (ms)", predicted: result.mean(\.ttft, where: stage2) * 1e3,
                measured: 70.95, calibrated: true),
            FidelityRow(
                target: "V1 20 req/s", figure: "TTFT median (ms)",
                predicted: median(result.timings.filter(stage2).map(\.ttft)) * 1e3, measured: 63.71, calibrated: false),
            FidelityRow(
                target: "V1 20 req/s", figure: "E2E mean (s)", predicted: result.mean(\.e2e, where: stage2),
                measured: 5.136, calibrated: false),
            FidelityRow(
                target: "V1 20 req/s", figure: "output tokens/s", predicted: outputRate2, measured: 4870.8,
                calibrated: false),
        ]
    }

    /// The V4 rows.
    static func v4(
        calibration: Calibration = Calibration(), routing: RoutingConfig = .calibrated, seed: UInt64 = 0
    )
        throws -> [FidelityRow]
    {
        let result = try Simulation.run(
            config: v4Config(calibration: calibration, routing: routing, seed: seed), workload: v4Workload(seed: seed),
            keepSteps: false)
        let summary = result.summary()
        // Measured (source: vllm-project/vllm#23151, "WO tuned configs").
        return [
            FidelityRow(
                target: "V4", figure: "TPOT mean (ms)", predicted: result.mean(\.tpot) * 1e3, measured: 13.18,
                calibrated: true),
            FidelityRow(
                target: "V4", figure: "TTFT mean (ms)", predicted: result.mean(\.ttft) * 1e3, measured: 267.22,
                calibrated: true),
            FidelityRow(
                target: "V4", figure: "TTFT median (ms)", predicted: result.percentile(50, of: \.ttft) * 1e3,
                measured: 300.05, calibrated: false),
            FidelityRow(
                target: "V4", figure: "output tokens/s", predicted: summary["output_tokens_per_s"]?.doubleValue ?? 0,
                measured: 739.79, calibrated: false),
        ]
    }

    /// V1's engine: Mixtral-8x7B, 2×H100, TP2.
    static func v1Config(calibration: Calibration, routing: RoutingConfig, seed: UInt64) -> EngineConfig {
        var c = EngineConfig(
            model: ModelCatalog.spec(for: "mistralai/Mixtral-8x7B-v0.1")!,
            gpu: HardwareCatalog.gpu(named: "NVIDIA-H100-HBM3-80GB")!, tensorParallelSize: 2)
        c.maxNumSeqs = 128
        c.maxNumBatchedTokens = 2048
        c.maxModelLen = 4096
        c.dtype = "bfloat16"
        // vLLM ≥ 0.12 schedules asynchronously by default (vllm-project/vllm#27614); the source ran ~0.15.
        c.asyncScheduling = true
        c.calibration = calibration
        c.routing = routing
        c.seed = seed
        return c
    }

    /// V1's client: two constant-rate stages over 100 cycled shared-prefix prompts.
    static func v1Workload(stageSeconds: Double, seed: UInt64) -> Workload {
        let n1 = Int((stageSeconds * 8).rounded())
        let n2 = Int((stageSeconds * 20).rounded())
        let base = SyntheticWorkload(
            count: n1 + n2, arrival: .allAtOnce, promptTokens: .uniform(557, 585), outputTokens: .fixed(245),
            maxTokens: 245, ignoreEOS: true, sharedPrefixTokens: 100, prefixGroups: 10, distinctPrompts: 100,
            seed: seed
        ).generate()
        var requests = base.requests
        for i in 0..<requests.count {
            requests[i].arrival = i < n1 ? Double(i) / 8 : stageSeconds + Double(i - n1) / 20
        }
        return Workload(requests: requests)
    }

    /// V4's engine: Qwen3-30B-A3B, 1×H100.
    static func v4Config(calibration: Calibration, routing: RoutingConfig, seed: UInt64) -> EngineConfig {
        var c = EngineConfig(
            model: ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!,
            gpu: HardwareCatalog.gpu(named: "NVIDIA-H100-HBM3-80GB")!, tensorParallelSize: 1)
        c.maxNumBatchedTokens = 8192
        c.calibration = calibration
        c.routing = routing
        c.seed = seed
        return c
    }

    /// V4's client: 100 random prompts, at most 10 in flight.
    static func v4Workload(seed: UInt64) -> Workload {
        SyntheticWorkload(
            count: 100, arrival: .allAtOnce, promptTokens: .fixed(2042), outputTokens: .fixed(1016), maxTokens: 1024,
            maxConcurrency: 10, seed: seed
        ).generate()
    }

    /// The table as text: target, figure, predicted, measured, error %.
    package static func table(_ rows: [FidelityRow]) -> String {
        var lines = [
            pad("target", 12) + pad("figure", 38) + pad("predicted", 12, right: true) + pad("measured", 12, right: true)
                + pad("error %", 10, right: true) + "  calibrated"
        ]
        for r in rows {
            lines.append(
                pad(r.target, 12) + pad(r.figure, 38) + pad(fixed(r.predicted, 2), 12, right: true)
                    + pad(fixed(r.measured, 2), 12, right: true) + pad(fixed(r.errorPercent, 1), 10, right: true)
                    + (r.calibrated ? "  yes" : "  no"))
        }
        return lines.joined(separator: "\n")
    }

    /// The rows as a JSON array.
    package static func json(_ rows: [FidelityRow]) -> JSONValue {
        .array(
            rows.map {
                .object(
                    JSONObject([
                        ("target", .string($0.target)), ("figure", .string($0.figure)),
                        ("predicted", .double($0.predicted)), ("measured", .double($0.measured)),
                        ("error_percent", .double($0.errorPercent)), ("calibrated", .bool($0.calibrated)),
                    ]))
            })
    }
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

private func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
    let fill = String(repeating: " ", count: max(0, width - s.count))
    return right ? fill + s : s + fill
}

/// `x` with exactly `decimals` decimals (no Foundation formatting).
func fixed(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite else { return String(x) }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let negative = x < 0
    let n = Int((abs(x) * scale).rounded())
    var digits = String(n)
    if decimals > 0 {
        while digits.count <= decimals { digits = "0" + digits }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
    }
    return (negative && n != 0 ? "-" : "") + digits
}
