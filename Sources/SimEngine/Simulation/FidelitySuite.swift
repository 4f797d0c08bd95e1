import MoECore

/// A figure the validation suite compares (docs/calibration.md "The validation suite").
package enum SuiteFigure: String, Sendable, CaseIterable, Comparable {
    case ttft = "TTFT"
    case tpot = "TPOT"
    case throughput = "throughput"
    case latency = "latency"

    package static func < (a: SuiteFigure, b: SuiteFigure) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// Which statistic a measured figure is, so that the simulated one is computed the same way.
package enum SuiteStatistic: String, Sendable, Equatable {
    /// Mean or median of the per-request value (TTFT, TPOT, ITL).
    case mean, median
    /// Output tokens (or all tokens, or requests) per second over the benchmark's duration.
    case outputTokensPerSecond = "output tok/s"
    case totalTokensPerSecond = "total tok/s"
    case requestsPerSecond = "req/s"
    /// Seconds to finish the whole batch (`benchmark_latency`).
    case batchSeconds = "batch s"
}

/// One suite row resolved for the simulator: the engine, the workload and the measured figures.
package struct SuiteCase: Sendable {
    package var id: String
    /// Short label of the row's source (repository or site) for the per-source summary.
    package var source: String
    /// GPU family the summary groups by (`A100`, `H100`, `H200`): `HardwareCatalog.shortName` of the GPU the row
    /// names, so every A100 variant counts as `A100`.
    package var gpu: String
    /// Whether the row may be used for fitting ("fit") or only for checking ("holdout").
    package var holdout: Bool
    package var engineVersion: String
    /// The vLLM generation that ran the row: the summary counts rows of vLLM before 0.10 apart.
    package var generation: VLLMGeneration = .current
    package var config: EngineConfig
    /// Offline (`benchmark_latency`, the `LLM` class: no API server) or served (`vllm bench serve`).
    package var offline: Bool
    package var workload: Workload
    /// Measured figures: value (ms for TTFT/TPOT, s for latency, per second for throughput) and statistic.
    package var measured: [(figure: SuiteFigure, statistic: SuiteStatistic, value: Double)]
    /// Whether the benchmark sends its first request once as a test before the measured run (vLLM's serving
    /// benchmark: `vllm bench serve`, `benchmark_serving`), so that the measured first request finds its prompt in
    /// the prefix cache.
    package var testRun = false
    /// The row's stated client-side distribution figures by their suite names (`ttft_p99_ms`, `itl_median_ms`,
    /// `peak_output_throughput_tok_s`, `duration_s`…), for ``FidelitySuite/streams(_:)``'s comparison; not scored.
    package var measuredStreams: [String: Double] = [:]

    package init(
        id: String, source: String, gpu: String, holdout: Bool, engineVersion: String, config: EngineConfig,
        offline: Bool, workload: Workload, measured: [(figure: SuiteFigure, statistic: SuiteStatistic, value: Double)]
    ) {
        self.id = id
        self.source = source
        self.gpu = gpu
        self.holdout = holdout
        self.engineVersion = engineVersion
        self.config = config
        self.offline = offline
        self.workload = workload
        self.measured = measured
    }
}

/// One compared figure of one row.
package struct SuiteComparison: Sendable, Equatable {
    package var id: String
    package var source: String
    package var gpu: String
    package var holdout: Bool
    package var figure: SuiteFigure
    package var statistic: SuiteStatistic
    package var measured: Double
    package var simulated: Double
    package var generation: VLLMGeneration = .current
    /// Signed relative error in percent (simulated against measured).
    package var errorPercent: Double { measured != 0 ? (simulated - measured) / measured * 100 : 0 }
}

/// Replays validation-suite rows through the same simulator path users take (docs/calibration.md "The
/// validation suite"): `Simulation.run`, which is `fake-sllm simulate` without a deploy config, a bare engine
/// behind vLLM's API server for served rows; the same engine with the API server's costs removed for offline rows
/// (vLLM's `LLM` class takes token ids and has no HTTP front end).
package enum FidelitySuite {
    /// Replays one row.
    /// - Throws: ``EngineConfigError`` or ``SimulationInputError`` when the row's engine cannot be built or run.
    package static func replay(_ c: SuiteCase) throws -> [SuiteComparison] {
        let (workload, testRun) = replayedWorkload(c)
        let result = try Simulation.run(config: c.config, workload: workload, keepSteps: false)
        let timings = testRun ? Array(result.timings.dropFirst()) : result.timings
        let start = timings.map(\.arrival).min() ?? 0
        let end = timings.map(\.finish).max() ?? 0
        let duration = max(end - start, 1e-9)
        let outputTokens = Double(timings.reduce(0) { $0 + $1.outputTokens })
        let promptTokens = Double(timings.reduce(0) { $0 + $1.promptTokens })
        // vLLM's benchmark takes TTFT over every request and TPOT over those with more than one output token
        // (`calculate_metrics`, docs/calibration.md "Stream statistics").
        let decoding = timings.filter { $0.outputTokens > 1 }
        func perRequest(
            _ f: @escaping (RequestTiming) -> Double, _ s: SuiteStatistic, over requests: [RequestTiming]
        ) -> Double {
            let values = requests.map(f)
            guard !values.isEmpty else { return 0 }
            if s == .median { return SuiteErrorSummary.median(values.sorted()) }
            return values.reduce(0, +) / Double(values.count)
        }
        return c.measured.map { m in
            let simulated: Double
            switch (m.figure, m.statistic) {
            case (.ttft, let s): simulated = perRequest(\.ttft, s, over: timings) * 1e3
            case (.tpot, let s): simulated = perRequest(\.tpot, s, over: decoding) * 1e3
            case (_, .outputTokensPerSecond): simulated = outputTokens / duration
            case (_, .totalTokensPerSecond): simulated = (outputTokens + promptTokens) / duration
            case (_, .requestsPerSecond): simulated = Double(timings.count) / duration
            case (.latency, _): simulated = duration
            case (.throughput, _): simulated = outputTokens / duration
            }
            return SuiteComparison(
                id: c.id, source: c.source, gpu: c.gpu, holdout: c.holdout, figure: m.figure, statistic: m.statistic,
                measured: m.value, simulated: simulated, generation: c.generation)
        }
    }

    /// Replays one served row with every stream chunk and returns `vllm bench serve`'s client-side statistics of
    /// the measured run (the test request left out), for comparison with the row's stated distribution figures
    /// (``SuiteCase/measuredStreams``; docs/calibration.md "Stream statistics").
    /// - Throws: as ``replay(_:)``.
    package static func streams(_ c: SuiteCase) throws -> StreamStatistics {
        let (workload, testRun) = replayedWorkload(c)
        let (result, chunks) = try Simulation.runDeliveringEveryChunk(config: c.config, workload: workload)
        var sendTimes = result.timings.map(\.arrival)
        var measured = chunks
        if testRun {
            // Request 0 is the test request: drop it and renumber the rest.
            sendTimes.removeFirst()
            measured = chunks.compactMap { d in
                guard d.id > 0 else { return nil }
                var d = d
                d.id -= 1
                return d
            }
        }
        return StreamStatistics(sendTimes: sendTimes, deliveries: measured)
    }

    /// The row's workload as replayed: with the benchmark's test request first when it makes one, the measured
    /// run shifted past it.
    private static func replayedWorkload(_ c: SuiteCase) -> (workload: Workload, testRun: Bool) {
        var workload = c.workload
        let testRun = c.testRun && !workload.requests.isEmpty
        if testRun {
            // The test request runs alone and ends long before the measured run starts (idle time costs nothing).
            var test = workload.requests[0]
            test.arrival = 0
            let shift = testRunLead - workload.requests[0].arrival
            workload.requests =
                [test]
                + workload.requests.map { r in
                    var r = r
                    r.arrival += shift
                    return r
                }
        }
        return (workload, testRun)
    }

    /// The engine of a served row: vLLM's defaults for `vllm serve` on that GPU unless the row sets them.
    /// Offline rows use the `LLM` class's defaults (16384 tokens and 1024 sequences on GPUs of at least 70 GiB other
    /// than A100s, else 8192 and 256) and no API server.
    package static func offlineDefaults(gpu: GPUSpec) -> (maxNumSeqs: Int, maxNumBatchedTokens: Int) {
        let served = SchedulerDefaults.openAIServer(gpu: gpu)
        return served.maxNumSeqs == 1024 ? (1024, 16384) : (256, 8192)
    }

    /// Simulated seconds between the benchmark's test request (sent at 0) and the measured run: far more than any
    /// single request of the suite takes, so the test has ended (its blocks cached, the engine idle) before.
    static let testRunLead = 100_000.0

    /// The benchmarks that make that test run: vLLM's serving benchmark, as `vllm bench serve` and as the older
    /// `benchmarks/benchmark_serving.py` script (and forks of it that keep its test run).
    package static let servingBenchmarks: Set<String> = ["vllm bench serve", "benchmark_serving"]

    /// σ of the lognormal prompt and output lengths drawn for ShareGPT rows around their measured means (the
    /// dataset's lengths are heavy-tailed; the rows state only means).
    package static let shareGPTSigma = 1.0

    /// `calibration` without the API server (offline runs hand token ids to the engine in-process).
    package static func withoutAPIServer(_ calibration: Calibration) -> Calibration {
        var c = calibration
        c.apiRequestOverhead = 0
        c.apiChatTemplateOverhead = 0
        c.apiPromptTokenOverhead = 0
        c.apiOutputTokenOverhead = 0
        c.apiSubmitOverhead = 0
        c.apiStreamChunkOverhead = 0
        c.frontendLatency = 0
        return c
    }
}

/// Median and worst |error| of a group of comparisons.
package struct SuiteErrorSummary: Sendable, Equatable {
    package var group: String
    package var count: Int
    package var medianAbsPercent: Double
    package var worstAbsPercent: Double
    /// Median of the signed errors (negative: the simulator is too fast / too low).
    package var medianSignedPercent: Double

    package init(group: String, _ rows: [SuiteComparison]) {
        self.group = group
        count = rows.count
        let abs = rows.map { Swift.abs($0.errorPercent) }.sorted()
        let signed = rows.map(\.errorPercent).sorted()
        medianAbsPercent = SuiteErrorSummary.median(abs)
        worstAbsPercent = abs.last ?? 0
        medianSignedPercent = SuiteErrorSummary.median(signed)
    }

    /// Whether the group meets the targets (median |error| ≤ 10 %, worst ≤ 25 %).
    package var meetsTargets: Bool { medianAbsPercent <= 10 && worstAbsPercent <= 25 }

    static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
