import Foundation
import MoECore
import Testing

/// `fake-sllm serve` in its default serving mode (ServerlessLLM's router) against the real evaluator binary.
@Suite struct ServingEndToEndTests {
    let seedConfig = Binaries.fixture("deploy/moecap_config.json")
    let gsm8k = Binaries.fixture("datasets/gsm8k_sample.jsonl")

    func evaluate(_ server: Binaries.Server, _ out: String) throws -> Binaries.Result {
        try Binaries.run(
            "moecap-eval",
            [
                "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file", gsm8k, "--server-url", server.url,
                "--output-dir", out, "--max-tokens", "64", "--quiet",
            ])
    }

    /// The seed's moecap_config.json at 50× real time: 50 requests at once never put more than `target` (10)
    /// requests in the engine, and the same evaluation run twice gives the same records (each run cold-starts a
    /// fresh instance: keep_alive, 60 simulated seconds = 1.2 s here, passes between them).
    @Test func seedConfigIsCappedAndRepeatable() throws {
        // A wide burst window keeps each run's burst in one simulated instant even on a saturated test machine.
        let server = try Binaries.Server(["--speedup", "50", "--burst-window-ms", "200", "--deploy", seedConfig])
        defer { server.stop() }
        var records: [[JSONValue]] = []
        for run in 0..<2 {
            let out = Binaries.tempDir()
            defer { try? FileManager.default.removeItem(atPath: out) }
            let r = try evaluate(server, out)
            #expect(r.status == 0, "\(r.stderr)")
            let dump = try Binaries.json(out + "/batch_data.json")
            records.append(try #require(dump["records"]?.arrayValue))
            // A decode step of n requests is padded to the next CUDA-graph size: at most 10 requests → at most
            // 16 tokens (50 at once would give 56).
            let decode = records[run].filter { $0["forward_mode"] == "decode" }
            #expect(!decode.isEmpty)
            #expect(decode.compactMap { $0["batch_size"]?.intValue }.max() ?? 99 <= 16)
            // Idle for longer than keep_alive: the instance retires.
            if run == 0 { usleep(2_500_000) }
        }
        #expect(records[0].count > 50)
        #expect(records[0].count == records[1].count)
        let same = records[0] == records[1]
        #expect(same, "the two runs' records differ")
    }
}
