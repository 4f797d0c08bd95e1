import Foundation
import MoECore
import Testing

/// Client figures in the server's simulated seconds agree with `fake-sllm simulate` replaying the same requests
/// (same arrivals, prompt and output lengths) on the same deployment: the evaluator computes them from what the
/// server states, not from wall time.
@Suite struct SimulatedTimeEndToEndTests {
    @Test(arguments: [false, true])
    func clientFiguresMatchSimulateWithinFivePercent(stream: Bool) async throws {
        let dir = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Prefix caching off: simulate's trace carries lengths, not text, so it cannot share prompt prefixes.
        let config = try String(contentsOfFile: Binaries.fixture("deploy/qwen3-30b-a3b-h100.json"), encoding: .utf8)
            .replacingOccurrences(of: "\"enable_prefix_caching\": true", with: "\"enable_prefix_caching\": false")
        try config.write(toFile: dir + "/deploy.json", atomically: true, encoding: .utf8)
        // Paced (not --no-wait): under --no-wait a request that arrives mid-run is admitted later than the
        // arrival the server states, so a replay of the stated arrivals differs (reported to the server's owner).
        let server = try Binaries.Server(["--serving", "direct", "--speedup", "10", "--deploy", dir + "/deploy.json"])
        defer { server.stop() }
        let run = try await Binaries.run(
            "moecap-eval",
            [
                "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file",
                Binaries.fixture("datasets/gsm8k_sample.jsonl"), "--server-url", server.url, "--output-dir",
                dir + "/out", "--max-tokens", "128", "--quiet",
            ] + (stream ? ["--stream"] : []))
        #expect(run.status == 0, "\(run.stderr)")
        let client = try #require(try Binaries.json(dir + "/out/metrics.json")["client_metrics"])
        #expect(client["clock"] == "simulated")
        let sim = try #require(client["simulated"])
        #expect(sim["requests_timed"] == 50)

        // The same requests as a trace: server-stated arrivals (from the first), prompt and output lengths.
        let outputs = try #require(try Binaries.json(dir + "/out/inference_outputs.json").arrayValue)
        let arrivals = outputs.compactMap { $0["sim_arrival_s"]?.doubleValue }
        #expect(arrivals.count == 50)
        let first = arrivals.min() ?? 0
        let trace = outputs.sorted { ($0["sim_arrival_s"]?.doubleValue ?? 0) < ($1["sim_arrival_s"]?.doubleValue ?? 0) }
            .map { e -> String in
                let line: JSONValue = [
                    "arrival_s": .double((e["sim_arrival_s"]?.doubleValue ?? 0) - first),
                    "prompt_tokens": e["response"]?["usage"]?["prompt_tokens"] ?? 0,
                    "output_tokens": e["response"]?["usage"]?["completion_tokens"] ?? 0,
                ]
                return line.serialized(compact: true)
            }
        try trace.joined(separator: "\n").write(toFile: dir + "/trace.jsonl", atomically: true, encoding: .utf8)
        let simulate = try await Binaries.run(
            "fake-sllm",
            ["simulate", "--deploy", dir + "/deploy.json", "--workload", "trace", "--trace", dir + "/trace.jsonl"])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let truth = try JSONValue.parse(simulate.stdout)

        func close(_ measured: JSONValue?, _ expected: JSONValue?, _ what: String) {
            guard let m = measured?.doubleValue, let e = expected?.doubleValue, e > 0 else {
                Issue.record("\(what): missing (\(String(describing: measured)) vs \(String(describing: expected)))")
                return
            }
            #expect(abs(m - e) / e <= 0.05, "\(what): client \(m) vs simulate \(e)")
        }
        close(sim["ttft_s"]?["mean"], truth["ttft_mean_s"], "TTFT")
        close(sim["tpot_s"]?["mean"], truth["tpot_mean_s"], "TPOT")
        close(sim["e2e_latency_s"]?["mean"], truth["e2e_mean_s"], "E2E")
        close(sim["output_token_throughput_tps"], truth["output_tokens_per_s"], "output tokens/s")
        // The wall clock is reported beside, never mixed in: at 10× it is far shorter.
        let wall = try #require(client["wall_clock"]?["duration_s"]?.doubleValue)
        #expect(wall < (sim["duration_s"]?.doubleValue ?? 0) / 2)
    }
}
