import MoECore
import Testing

@testable import SimEngine

/// `vllm bench serve`'s client-side statistics over a simulated run's chunks (docs/calibration.md "Stream
/// statistics").
@Suite struct StreamStatisticsTests {
    static func chunk(_ id: UInt64, tokens: Int, first: Bool, done: Bool = false, at time: Double) -> TokenDelivery {
        TokenDelivery(
            id: id, newTokens: 1, outputTokens: tokens, isFirstToken: first, finished: done ? .length : nil, time: time)
    }

    @Test func computesTheBenchmarksFiguresChunkByChunk() {
        // Two requests sent at 0: request 0 gets chunks at 1.0, 1.5 and 2.5 (3 tokens), request 1 at 1.2 and 1.4.
        let chunks = [
            Self.chunk(0, tokens: 3, first: false, done: true, at: 2.5),
            Self.chunk(1, tokens: 1, first: true, at: 1.2),
            Self.chunk(0, tokens: 1, first: true, at: 1.0),
            Self.chunk(1, tokens: 2, first: false, done: true, at: 1.4),
            Self.chunk(0, tokens: 2, first: false, at: 1.5),
        ]
        let s = StreamStatistics(sendTimes: [0, 0], deliveries: chunks)
        #expect(abs(s.ttft.mean - 1.1) < 1e-12)
        #expect(abs(s.ttft.median - 1.1) < 1e-12)
        // TPOT: (2.5 − 1.0) / 2 and (1.4 − 1.2) / 1.
        #expect(abs(s.tpot.mean - (0.75 + 0.2) / 2) < 1e-12)
        // ITL, one per chunk after a request's first: 0.5, 1.0, 0.2; p99 by numpy's linear rule.
        #expect(s.itl.count == 3)
        #expect(abs(s.itl.median - 0.5) < 1e-12)
        #expect(abs(s.itl.p99 - (0.5 + 0.5 * 0.98)) < 1e-12)
        #expect(abs(s.duration - 2.5) < 1e-12)
        // Chunks per one-second bucket from the first send: [0, 1) none, [1, 2) four, [2, 3) one.
        #expect(s.peakChunksPerSecond == 4)
        #expect(s.outputTokens == 5)
    }

    @Test func aSingleTokenRequestHasATTFTButNoTPOT() {
        let s = StreamStatistics(
            sendTimes: [1], deliveries: [Self.chunk(0, tokens: 1, first: true, done: true, at: 1.25)])
        #expect(s.ttft.count == 1 && abs(s.ttft.mean - 0.25) < 1e-12)
        #expect(s.tpot.count == 0 && s.itl.count == 0)
    }

    @Test func theSuitesStreamReplayAgreesWithItsScoredReplay() throws {
        // A small burst through the API server, with the benchmark's test request: the every-chunk run has the same
        // timeline as the scored one, so its TTFT and TPOT means are the scored figures.
        let gpu = HardwareCatalog.gpu(named: "H100")!
        var config = EngineConfig(model: ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!, gpu: gpu)
        config.maxModelLen = 4096
        let work = SyntheticWorkload(
            count: 40, arrival: .allAtOnce, promptTokens: .lognormal(mean: 200, sigma: 1),
            outputTokens: .lognormal(mean: 60, sigma: 1), maxTokens: nil, ignoreEOS: true, blockSize: config.blockSize,
            seed: 3
        ).generate()
        var c = SuiteCase(
            id: "x", source: "s", gpu: "H100", holdout: false, engineVersion: "0.11.0", config: config, offline: false,
            workload: work, measured: [(.ttft, .mean, 100), (.tpot, .mean, 10)])
        c.testRun = true
        let scored = try FidelitySuite.replay(c)
        let streams = try FidelitySuite.streams(c)
        #expect(streams.ttft.count == 40)
        #expect(abs(streams.ttft.mean * 1e3 - scored[0].simulated) < 1e-6)
        #expect(abs(streams.tpot.mean * 1e3 - scored[1].simulated) < 1e-6)
        // Every token after the first of a request arrives in some chunk: at least one gap per request that has more.
        #expect(streams.itl.count >= work.requests.filter { $0.outputTokens > 1 }.count)
        #expect(streams.outputTokens == work.requests.reduce(0) { $0 + $1.outputTokens })
        #expect(streams.peakChunksPerSecond > 0)
    }
}
