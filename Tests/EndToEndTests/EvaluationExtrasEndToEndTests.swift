import Foundation
import MoECore
import Testing

/// The evaluator's additions beside the seed's four files, run like a user against fake-sllm: the branch head's
/// files, expert-distribution recording, the 100-in-flight default seen by the server.
@Suite struct EvaluationExtrasEndToEndTests {
    let deploy = Binaries.fixture("deploy/qwen3-30b-a3b-h100.json")
    let gsm8k = Binaries.fixture("datasets/gsm8k_sample.jsonl")

    func evaluate(_ url: String, _ out: String, _ extra: [String], data: String? = nil) async throws -> Binaries.Result
    {
        try await Binaries.run(
            "moecap-eval",
            [
                "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file", data ?? gsm8k, "--server-url",
                url, "--output-dir", out, "--max-tokens", "32", "--quiet",
            ] + extra)
    }

    @Test func branchHeadFilesHaveTheScriptsKeys() async throws {
        let server = try Binaries.Server(["--no-wait", "--deploy", deploy])
        defer { server.stop() }
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try await evaluate(server.url, out, ["--num-samples", "12"])
        #expect(r.status == 0, "\(r.stderr)")
        let folder = out + "/Qwen/Qwen3-30B-A3B"
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        let cap = try #require(names.first { $0.hasPrefix("cap_metrics_sllm_gsm8k_") && $0.hasSuffix(".json") })
        let stamp = cap.dropFirst("cap_metrics_sllm_gsm8k_".count).dropLast(".json".count)
        #expect(stamp.count == 15 && stamp.dropFirst(8).first == "_", "\(cap)")
        let text = try String(contentsOfFile: folder + "/" + cap, encoding: .utf8)
        #expect(text.hasPrefix("{\n    \"prefill_smbu\": "))  // json.dump(indent=4)
        let metrics = try JSONValue.parse(text)
        #expect(
            metrics.objectValue?.keys == [
                "prefill_smbu", "prefill_smfu", "decoding_smbu", "decoding_smfu", "kv_size", "decoding_throughput",
                "prefill_tp", "ttft", "tpot", "exact_match", "correct", "total", "no_answer", "model_name", "method",
                "precision", "e2e_s", "batch_size", "gpu_type", "dataset", "model_type", "total_requests",
                "successful_requests", "failed_requests",
            ])
        #expect(metrics["batch_size"] == .null && metrics["method"] == "sllm" && metrics["precision"] == "float16")
        #expect(metrics["gpu_type"] == "1xH100" && metrics["total_requests"] == 12)
        let seed = try Binaries.json(out + "/metrics.json")
        #expect(metrics["kv_size"] == seed["batch_metrics"]?["kv_size"])

        let lines = try String(contentsOfFile: folder + "/detailed_results_gsm8k.jsonl", encoding: .utf8)
            .split(separator: "\n").map { try JSONValue.parse(String($0)) }
        #expect(lines.count == 12)
        #expect(
            lines.allSatisfy {
                $0.objectValue?.keys == [
                    "index", "success", "is_correct", "prompt", "expected", "extracted_answer", "generated", "error",
                ]
            })
        #expect(lines.map { $0["index"]?.intValue } == Array(0..<12))
        #expect(lines.allSatisfy { ($0["generated"]?.stringValue?.count ?? 0) <= 500 && $0["success"] == true })
    }

    @Test(arguments: ["per_pass", "stat"])
    func expertRecordingSavesTheDumpAndSummarisesIt(mode: String) async throws {
        let server = try Binaries.Server(["--no-wait", "--deploy", deploy])
        defer { server.stop() }
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try await evaluate(
            server.url, out, ["--num-samples", "6", "--enable-expert-recording", "--expert-recording-mode", mode])
        #expect(r.status == 0, "\(r.stderr)")
        let dump = try Binaries.json(out + "/expert_distribution.json")
        #expect(dump["status"] == "success")
        let workers = try #require(dump["worker_data"]?.arrayValue)
        #expect(workers.count == 1)  // one tensor-parallel rank
        let summary = try #require(try Binaries.json(out + "/metrics.json")["expert_distribution"])
        #expect(summary["recording_mode"] == .string(mode) && summary["workers"] == 1)
        let worker = workers[0]
        #expect(worker["recording_mode"] == .string(mode) && worker["num_layers"] == 48)
        if mode == "per_pass" {
            // The real worker's per_pass payload, from the routing the simulator ran.
            #expect(
                worker.objectValue?.keys.sorted() == [
                    "avg_activated_per_layer", "avg_expert_utilization", "num_experts", "num_layers",
                    "num_physical_experts", "rank", "recording_mode", "total_forward_passes", "total_tokens_processed",
                ])
            let means = try #require(summary["per_worker_mean"])
            let utilization = try #require(means["avg_expert_utilization"]?.doubleValue)
            #expect(utilization > 0 && utilization <= 1)
            // Qwen3-30B-A3B routes each token to 8 of 128 experts per layer.
            let activated = try #require(means["avg_activated_per_layer"]?.doubleValue)
            #expect(activated >= 8 && activated <= 128)
            #expect((means["total_forward_passes"]?.doubleValue ?? 0) > 0)
        } else {
            // stat: per-pass counts per layer and expert, summarised as distinct experts per layer.
            let passes = try #require(worker["aggregated_expert_counts"]?.arrayValue)
            #expect(!passes.isEmpty && passes[0].arrayValue?.count == 48)
            let perLayer = try #require(summary["activated_experts_per_layer"]?.arrayValue)
            #expect(perLayer.count == 48)
            let mean = try #require(summary["activated_experts_mean"]?.doubleValue)
            #expect(mean >= 8 && mean <= 128)
        }
        let config = try Binaries.json(out + "/config.json")
        #expect(config["enable_expert_recording"] == true && config["expert_recording_mode"] == .string(mode))
    }

    @Test func badExpertModeIsOneLine() async throws {
        let r = try await Binaries.run(
            "moecap-eval", ["--model", "m", "--dataset", "gsm8k", "--expert-recording-mode", "per_layer"])
        #expect(r.status != 0 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("per_pass"))
    }

    /// The server's own records show the cap: no decode step ever holds more than 100 requests by default, and
    /// more once the cap is raised (so the check can fail).
    @Test func serverNeverSeesMoreThanAHundredInFlight() async throws {
        let dir = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Eager mode: a decode step's batch_size is its request count (no CUDA-graph padding).
        let config = try String(contentsOfFile: deploy, encoding: .utf8)
            .replacingOccurrences(of: "\"enforce_eager\": false", with: "\"enforce_eager\": true")
        try config.write(toFile: dir + "/eager.json", atomically: true, encoding: .utf8)
        let rows = (0..<160).map { i -> String in
            let row: JSONValue = ["question": .string("What is \(i) + 1?"), "answer": .string("#### \(i + 1)")]
            return row.serialized()
        }
        try rows.joined(separator: "\n").write(toFile: dir + "/data.jsonl", atomically: true, encoding: .utf8)
        var peaks: [Int] = []
        for extra in [[], ["--concurrency", "160"]] {
            // The engine alone, unpaced; 1,024 output tokens each keep every admitted request running long enough
            // for the client's whole first wave to arrive.
            let server = try Binaries.Server(["--serving", "direct", "--no-wait", "--deploy", dir + "/eager.json"])
            defer { server.stop() }
            let out = dir + "/out\(peaks.count)"
            let r = try await evaluate(
                server.url, out, ["--fixed-length", "32x1024", "--num-samples", "160"] + extra,
                data: dir + "/data.jsonl")
            #expect(r.status == 0, "\(r.stderr)")
            let records = try #require(try Binaries.json(out + "/batch_data.json")["records"]?.arrayValue)
            peaks.append(
                records.filter { $0["forward_mode"] == "decode" }.compactMap { $0["batch_size"]?.intValue }.max() ?? 0)
        }
        #expect(peaks[0] <= 100 && peaks[0] >= 80, "default: \(peaks[0]) requests in one decode step")
        #expect(peaks[1] > 100, "--concurrency 160: \(peaks[1])")
    }
}
