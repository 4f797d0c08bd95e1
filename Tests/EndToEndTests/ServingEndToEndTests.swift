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

    /// The seed's moecap_config.json at 20× real time: 50 requests at once never put more than `target` (10)
    /// requests in the engine, and the same evaluation run twice gives the same records (each run cold-starts a
    /// fresh instance: the test waits until keep_alive, 60 simulated seconds = 3 s here, has retired the first).
    /// Polls `/fake_sllm/info` until the deployment has no instance (at most 60 s).
    func waitForNoInstance(_ server: Binaries.Server) async throws {
        for _ in 0..<240 {
            let r = try await Binaries.run("/usr/bin/curl", ["-s", server.url + "/fake_sllm/info"])
            if r.stdout.contains("\"instances\":0") { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("the instance did not retire after keep_alive")
    }

    @Test(.timeLimit(.minutes(3))) func seedConfigIsCappedAndRepeatable() async throws {
        // A wide burst window keeps each run's burst in one simulated instant even on a saturated test machine.
        let server = try Binaries.Server(["--speedup", "20", "--burst-window-ms", "200", "--deploy", seedConfig])
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
            if run == 0 { try await waitForNoInstance(server) }
        }
        #expect(records[0].count > 50)
        #expect(records[0].count == records[1].count)
        let same = records[0] == records[1]
        #expect(same, "the two runs' records differ")
    }
}
