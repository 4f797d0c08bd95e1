import Foundation
import MoECore
import Testing

/// Client figures in the server's simulated seconds agree with `fake-sllm simulate` replaying the same requests
/// (the warm-up and every dataset request, at the arrivals the server stated, with their prompt and output
/// lengths) on the same deployment behind the same ServerlessLLM router: the evaluator computes them from what
/// the server states, not from wall time.
@Suite struct SimulatedTimeEndToEndTests {
    @Test(arguments: [false, true])
    func clientFiguresMatchSimulateWithinFivePercent(stream: Bool) async throws {
        let dir = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // keep_alive long enough that a saturated machine's pauses never retire the instance mid-run.
        let deploy = try Binaries.fixture(
            "deploy/qwen3-30b-a3b-h100.json", replacing: [("\"keep_alive\": 60", "\"keep_alive\": 36000")], in: dir)
        // The default serving mode (the router's 1 s dispatch, a cold start), paced at 50x.
        let server = try Binaries.Server(["--speedup", "50", "--deploy", deploy])
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

        // The same requests as a trace on the deployment's clock: the warm-up first (it cold-starts the
        // instance), then every dataset request.
        let warmUp = try #require(client["warm_up"])
        var lines: [JSONValue] = [
            [
                "arrival_s": warmUp["sim_arrival_s"] ?? 0, "prompt_tokens": warmUp["prompt_tokens"] ?? 0,
                "output_tokens": warmUp["completion_tokens"] ?? 0,
            ]
        ]
        let outputs = try #require(try Binaries.json(dir + "/out/inference_outputs.json").arrayValue)
        for e in outputs.sorted(by: {
            ($0["sim_arrival_s"]?.doubleValue ?? 0) < ($1["sim_arrival_s"]?.doubleValue ?? 0)
        }) {
            lines.append([
                "arrival_s": e["sim_arrival_s"] ?? 0, "prompt_tokens": e["response"]?["usage"]?["prompt_tokens"] ?? 0,
                "output_tokens": e["response"]?["usage"]?["completion_tokens"] ?? 0,
            ])
        }
        #expect(lines.count == 51)
        try lines.map { $0.serialized(compact: true) }.joined(separator: "\n")
            .write(toFile: dir + "/trace.jsonl", atomically: true, encoding: .utf8)
        let simulate = try await Binaries.run(
            "fake-sllm",
            [
                "simulate", "--deploy", deploy, "--serving", "sllm", "--workload", "trace", "--trace",
                dir + "/trace.jsonl",
                "--requests-out", dir + "/requests.jsonl",
            ])
        #expect(simulate.status == 0, "\(simulate.stderr)")
        // simulate's per-request timings, without the warm-up (id 0).
        let rows = try String(contentsOfFile: dir + "/requests.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONValue.parse(String($0)) }.filter { $0["id"] != 0 }
        #expect(rows.count == 50)
        func mean(_ key: String) -> Double {
            let values = rows.compactMap { $0[key]?.doubleValue }
            return values.reduce(0, +) / Double(max(values.count, 1))
        }
        func close(_ measured: JSONValue?, _ expected: Double, _ what: String) {
            guard let m = measured?.doubleValue, expected > 0 else {
                Issue.record("\(what): missing (\(String(describing: measured)) vs \(expected))")
                return
            }
            #expect(abs(m - expected) / expected <= 0.05, "\(what): client \(m) vs simulate \(expected)")
        }
        close(sim["ttft_s"]?["mean"], mean("ttft_s"), "TTFT")
        close(sim["tpot_s"]?["mean"], mean("tpot_s"), "TPOT")
        close(sim["e2e_latency_s"]?["mean"], mean("e2e_s"), "E2E")
        // The warm-up waited for the cold start, in simulated seconds.
        #expect((warmUp["sim_ttft_s"]?.doubleValue ?? 0) > 1)
        // The wall clock is reported beside, never mixed in: at 50x it is far shorter.
        let wall = try #require(client["wall_clock"]?["duration_s"]?.doubleValue)
        #expect(wall < (sim["duration_s"]?.doubleValue ?? 0) / 5)
    }
}
