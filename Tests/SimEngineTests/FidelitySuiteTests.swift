import MoECore
import Testing

@testable import SimEngine

/// The validation suite's replay and report (docs/calibration.md "The validation suite").
@Suite struct FidelitySuiteTests {
    static func comparison(
        _ id: String, gpu: String, holdout: Bool, _ figure: SuiteFigure, measured: Double, simulated: Double
    )
        -> SuiteComparison
    {
        SuiteComparison(
            id: id, source: "s-" + gpu, gpu: gpu, holdout: holdout, figure: figure, statistic: .mean,
            measured: measured, simulated: simulated)
    }

    @Test func summariesSplitFitFromHeldOutAndFlagTheGroupsThatMissTheTargets() {
        let rows = [
            Self.comparison("a", gpu: "H100", holdout: false, .ttft, measured: 100, simulated: 50),
            Self.comparison("b", gpu: "H100", holdout: true, .ttft, measured: 100, simulated: 105),
            Self.comparison("c", gpu: "H100", holdout: true, .tpot, measured: 10, simulated: 9.5),
            Self.comparison("d", gpu: "A100", holdout: true, .tpot, measured: 10, simulated: 14),
        ]
        let report = FidelitySuiteReport(rows: rows)
        let fit = report.summaries(holdout: false)
        #expect(fit.first?.summary.count == 1 && fit.first?.summary.worstAbsPercent == 50)
        let held = report.summaries(holdout: true)
        let h100 = held.first { $0.kind == "gpu" && $0.summary.group == "H100" }!.summary
        #expect(h100.meetsTargets && h100.worstAbsPercent == 5)
        // A100's only row is 40 % off; TPOT's worst is that row too. The fit row's 50 % does not count.
        #expect(Set(report.heldOutMisses.map(\.group)) == ["A100", "TPOT"])
        #expect(report.table().contains("misses target"))
        #expect(report.json()["heldout_targets_met"]?.boolValue == false)
    }

    @Test func excludedRowsAreListedApartAndCountNowhere() {
        let rows = [Self.comparison("a", gpu: "H100", holdout: true, .ttft, measured: 100, simulated: 102)]
        let report = FidelitySuiteReport(rows: rows, excluded: [("x", "an overloaded early engine")])
        #expect(report.heldOutMisses.isEmpty)
        #expect(report.table().contains("excluded: an overloaded early engine"))
        let json = report.json()
        #expect(json["excluded"]?.arrayValue?.first?["id"]?.stringValue == "x")
        #expect(json["rows"]?.arrayValue?.count == 1 && json["heldout_targets_met"]?.boolValue == true)
    }

    @Test func longRowIdsKeepTheirOwnColumn() {
        let long = String(repeating: "r", count: 50)
        let rows = [Self.comparison(long, gpu: "H100", holdout: true, .ttft, measured: 100, simulated: 102)]
        let lines = FidelitySuiteReport(rows: rows, excluded: [(long + "-x", "why")]).table()
            .split(separator: "\n").map(String.init)
        // The split column starts where its header does, after the whole id and a gap.
        let header = lines[0].range(of: "split")!.lowerBound.utf16Offset(in: lines[0])
        let row = lines[1].range(of: "holdout")!.lowerBound.utf16Offset(in: lines[1])
        #expect(header == row && row >= long.count + 2)
        #expect(lines.contains { $0.hasPrefix(long + "-x  excluded: why") })
    }

    @Test func anOfflineRowRunsOneBatchWithoutTheAPIServer() throws {
        let gpu = HardwareCatalog.gpu(named: "A100")!
        var config = EngineConfig(model: ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!, gpu: gpu)
        config.maxModelLen = 4096
        (config.maxNumSeqs, config.maxNumBatchedTokens) = FidelitySuite.offlineDefaults(gpu: gpu)
        #expect(config.maxNumSeqs == 256 && config.maxNumBatchedTokens == 8192)
        config.calibration = FidelitySuite.withoutAPIServer(config.calibration)
        let work = SyntheticWorkload(
            count: 8, arrival: .allAtOnce, promptTokens: .fixed(512), outputTokens: .fixed(16), maxTokens: 16,
            ignoreEOS: true, seed: 0
        ).generate()
        let c = SuiteCase(
            id: "x", source: "s", gpu: "A100", holdout: false, engineVersion: "0.11.0", config: config, offline: true,
            workload: work, measured: [(.latency, .batchSeconds, 1.0), (.ttft, .mean, 100)])
        let out = try FidelitySuite.replay(c)
        #expect(out.count == 2 && out.allSatisfy { $0.simulated > 0 })
        // No API server: the first step starts at once, so TTFT is the engine's own prefill time.
        let direct = try Simulation.run(config: config, workload: work, keepSteps: false)
        #expect(abs(out[1].simulated - direct.mean(\.ttft) * 1e3) < 1e-9)
        #expect(abs(out[0].simulated - (direct.timings.map(\.finish).max() ?? 0)) < 1e-9)
    }

    @Test func theServingBenchmarksTestRequestCachesTheFirstMeasuredPromptAndIsNotCounted() throws {
        let gpu = HardwareCatalog.gpu(named: "A100")!
        var config = EngineConfig(model: ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!, gpu: gpu)
        config.maxModelLen = 8192
        (config.maxNumSeqs, config.maxNumBatchedTokens) = SchedulerDefaults.openAIServer(gpu: gpu)
        var work = SyntheticWorkload(
            count: 2, arrival: .allAtOnce, promptTokens: .fixed(4096), outputTokens: .fixed(8), maxTokens: 8,
            ignoreEOS: true, maxConcurrency: 1, blockSize: config.blockSize, seed: 0
        ).generate()
        #expect(work.requests[0].prefixBlockHashes.count == 4096 / config.blockSize)
        let measured: [(figure: SuiteFigure, statistic: SuiteStatistic, value: Double)] = [
            (.ttft, .mean, 100), (.throughput, .outputTokensPerSecond, 100),
        ]
        var c = SuiteCase(
            id: "x", source: "s", gpu: "A100", holdout: false, engineVersion: "0.11.0", config: config, offline: false,
            workload: work, measured: measured)
        let cold = try FidelitySuite.replay(c)
        c.testRun = true
        let warm = try FidelitySuite.replay(c)
        // Without the test run both requests prefill 4,096 tokens; with it the first finds its prompt cached, so
        // the mean TTFT is near half (one full prefill, one of a single block).
        #expect(warm[0].simulated < 0.7 * cold[0].simulated)
        #expect(warm[0].simulated > 0.4 * cold[0].simulated)
        // The test request's tokens and the 100,000-s gap are not in the throughput: it stays that of two requests.
        #expect(warm[1].simulated > cold[1].simulated && warm[1].simulated < 2 * cold[1].simulated)
        // A run that measures nothing else is unchanged by it.
        work.requests = []
        c.workload = work
        #expect(try FidelitySuite.replay(c).allSatisfy { $0.simulated == 0 })
    }
}

/// Rows of vLLM before 0.10 are summarised apart (docs/validation-suite.md "Older vLLM").
@Suite struct VLLMGenerationTests {
    @Test func versionDecidesAndTheDateDecidesOnlyWhereTheVersionIsUnknown() {
        #expect(VLLMGeneration(version: "0.11.0", date: nil) == .current)
        #expect(VLLMGeneration(version: "0.10.2", date: "2024-01-01") == .current)
        #expect(VLLMGeneration(version: "0.7.0", date: nil) == .older)
        #expect(VLLMGeneration(version: "0.9.2", date: "2026-01-01") == .older)
        #expect(VLLMGeneration(version: "1.0.0", date: nil) == .current)
        #expect(VLLMGeneration(version: "unknown", date: "2024-03-06") == .older)
        #expect(VLLMGeneration(version: "unknown", date: "2025-07-24") == .current)
        #expect(VLLMGeneration(version: "unknown", date: nil) == .current)
    }

    @Test func theReportCountsOlderRowsApartAndStillInTheirGPU() {
        var old = FidelitySuiteTests.comparison("o", gpu: "A100", holdout: true, .latency, measured: 1, simulated: 0.5)
        old.generation = .older
        let new = FidelitySuiteTests.comparison("n", gpu: "A100", holdout: true, .ttft, measured: 100, simulated: 101)
        let report = FidelitySuiteReport(rows: [old, new])
        let engine = report.summaries(holdout: true).filter { $0.kind == "engine" }.map(\.summary)
        #expect(engine.map(\.group) == ["vLLM >= 0.10", "vLLM < 0.10"])
        #expect(engine.map(\.count) == [1, 1])
        #expect(engine.last?.worstAbsPercent == 50)
        let a100 = report.summaries(holdout: true).first { $0.kind == "gpu" }!.summary
        #expect(a100.count == 2)
        #expect(report.table().contains("engine vLLM < 0.10"))
    }
}
