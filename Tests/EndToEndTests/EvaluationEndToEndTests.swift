import Foundation
import MoECore
import Testing

/// Both built binaries, run like a user runs them.
@Suite struct EvaluationEndToEndTests {
    let deploy = Binaries.fixture("deploy/qwen3-30b-a3b-h100.json")
    let gsm8k = Binaries.fixture("datasets/gsm8k_sample.jsonl")

    func evaluate(_ server: Binaries.Server, _ out: String, _ extra: [String] = []) async throws -> Binaries.Result {
        try await Binaries.run(
            "moecap-eval",
            [
                "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file", gsm8k, "--server-url", server.url,
                "--output-dir", out, "--max-tokens", "64", "--quiet",
            ] + extra)
    }

    /// Whether the file's bytes are what the JSON writer gives for its own content (indent 2, newline at the end):
    /// `inference_outputs.json` is laid out from the partial log's compact lines, not serialized from the tree.
    func laidOutAsTheWriterDoes(_ path: String) throws -> Bool {
        let bytes = [UInt8](try #require(FileManager.default.contents(atPath: path)))
        return bytes == (try JSONValue.parse(bytes).serializedBytes(indent: 2)) + [0x0A]
    }

    @Test func fullRunWritesTheFourFiles() async throws {
        let server = try Binaries.Server(["--no-wait", "--deploy", deploy])
        defer { server.stop() }
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try await evaluate(server, out, ["--num-samples", "20"])
        #expect(r.status == 0, "\(r.stderr)")

        let metrics = try Binaries.json(out + "/metrics.json")
        let batch = try #require(metrics["batch_metrics"])
        let basic = [
            "total_batches", "total_requests", "avg_batch_size", "max_batch_size", "min_batch_size", "avg_latency_ms",
            "max_latency_ms", "min_latency_ms", "throughput_rps", "total_time_s",
        ]
        let advanced = [
            "prefill_smbu", "prefill_smfu", "decoding_smbu", "decoding_smfu", "kv_size", "decoding_throughput",
            "prefill_tp", "ttft", "tpot",
        ]
        #expect(Array(batch.objectValue!.keys.prefix(19)) == basic + advanced)
        #expect(batch["total_requests"] == 20)
        #expect((batch["decoding_smbu"]?.doubleValue ?? 0) > 0)
        let acc = try #require(metrics["accuracy_metrics"])
        #expect(acc.objectValue?.keys == ["exact_match", "correct", "total", "no_answer"])
        #expect(acc["total"] == 20)
        #expect(metrics["client_metrics"]?["successful_requests"] == 20)

        let dump = try Binaries.json(out + "/batch_data.json")
        #expect(dump.objectValue?.keys == ["status", "model", "instance_id", "records", "total_records"])
        let records = try #require(dump["records"]?.arrayValue)
        #expect(records.count == batch["total_batches"]?.intValue)

        let outputs = try #require(try Binaries.json(out + "/inference_outputs.json").arrayValue)
        #expect(outputs.count == 20)
        #expect(Array(outputs[0].objectValue!.keys.prefix(3)) == ["prompt", "expected", "response"])
        #expect(outputs[0]["response"]?["object"] == "chat.completion")
        #expect(try laidOutAsTheWriterDoes(out + "/inference_outputs.json"))

        let config = try Binaries.json(out + "/config.json")
        #expect(
            Array(config.objectValue!.keys.prefix(5)) == [
                "model", "dataset", "num_samples", "max_tokens", "temperature",
            ])
        #expect(config["num_samples"] == 20 && config["max_tokens"] == 64)
        #expect(!FileManager.default.fileExists(atPath: out + "/inference_outputs.partial.jsonl"))

        // `score` recomputes the same batch and accuracy metrics from the files alone.
        let scored = try await Binaries.run("moecap-eval", ["score", out, "--dry-run"])
        #expect(scored.status == 0, "\(scored.stderr)")
        let rescored = try JSONValue.parse(scored.stdout)
        #expect(rescored["batch_metrics"] == metrics["batch_metrics"])
        #expect(rescored["accuracy_metrics"] == metrics["accuracy_metrics"])
    }

    @Test func oracleAccuracyIsMeasuredWithinBinomialTolerance() async throws {
        let server = try Binaries.Server([
            "--no-wait", "--deploy", deploy, "--oracle-file", gsm8k, "--oracle-dataset", "gsm8k",
            "--oracle-accuracy", "0.6", "--seed", "11",
        ])
        defer { server.stop() }
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try await evaluate(server, out)
        #expect(r.status == 0, "\(r.stderr)")
        let acc = try #require(try Binaries.json(out + "/metrics.json")["accuracy_metrics"])
        let em = try #require(acc["exact_match"]?.doubleValue)
        let sigma = (0.6 * 0.4 / 50).squareRoot()
        #expect(abs(em - 0.6) <= 3 * sigma, "exact_match \(em)")
        #expect(acc["total"] == 50 && acc["no_answer"] == 0)
    }

    @Test func streamingRunMeasuresTTFTAndInterTokenLatency() async throws {
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        // keep_alive long enough that a saturated machine's pauses (60 s at 200x is 0.3 wall seconds) never retire
        // the instance between the warm-up and the requests.
        let config = try Binaries.fixture(
            "deploy/qwen3-30b-a3b-h100.json", replacing: [("\"keep_alive\": 60", "\"keep_alive\": 36000")], in: out)
        let server = try Binaries.Server(["--speedup", "200", "--deploy", config])
        defer { server.stop() }
        let r = try await evaluate(server, out, ["--num-samples", "8", "--stream", "--concurrency", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        let client = try #require(try Binaries.json(out + "/metrics.json")["client_metrics"])
        let wall = try #require(client["wall_clock"])
        #expect(wall["ttft_s"]?["count"] == 8)
        #expect((wall["itl_s"]?["count"]?.intValue ?? 0) > 8)
        #expect((wall["tpot_s"]?["mean"]?.doubleValue ?? 0) > 0)
    }

    @Test func unreachableServerFailsClearlyAndKeepsFiles() async throws {
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try await Binaries.run(
            "moecap-eval",
            [
                "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file", gsm8k, "--server-url",
                "http://127.0.0.1:9", "--output-dir", out, "--num-samples", "3", "--retries", "0", "--quiet",
            ])
        #expect(r.status != 0)
        #expect(r.stderr.contains("Server unreachable at http://127.0.0.1:9"))
        #expect(!r.stderr.contains("No batch data"))
        #expect(FileManager.default.fileExists(atPath: out + "/config.json"))
        let outputs = try #require(try Binaries.json(out + "/inference_outputs.json").arrayValue)
        #expect(outputs.count == 3 && outputs.allSatisfy { $0["response"] == .object(JSONObject()) })
    }

    @Test func vllmBackendGivesTheSeedAdviceAndStillWritesOutputs() async throws {
        let dir = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = dir + "/vllm.json"
        try #"{"model": "Qwen/Qwen3-30B-A3B", "backend": "vllm", "backend_config": {"max_model_len": 8192}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let server = try Binaries.Server(["--no-wait", "--deploy", config])
        defer { server.stop() }
        let r = try await evaluate(server, dir + "/out", ["--num-samples", "3"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("does not support batch recording"))
        #expect(r.stderr.contains("vllm_moecap"))
        let outputs = try #require(try Binaries.json(dir + "/out/inference_outputs.json").arrayValue)
        #expect(outputs.count == 3 && outputs.allSatisfy { $0["response"]?["object"] == "chat.completion" })
    }

    @Test func interruptKeepsWhatWasReceived() async throws {
        // A short cold start: the test is about Ctrl-C, and the cold-start model's ~32 s would outlast its wait.
        let server = try Binaries.Server(["--speedup", "1", "--cold-start", "2", "--deploy", deploy])
        defer { server.stop() }
        let out = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = Binaries.dir.appendingPathComponent("moecap-eval")
        p.arguments = [
            "--model", "Qwen/Qwen3-30B-A3B", "--dataset", "gsm8k", "--data-file", gsm8k, "--server-url", server.url,
            "--output-dir", out, "--max-tokens", "400", "--concurrency", "2", "--quiet",
        ]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Let a few requests finish, then Ctrl-C.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let partial = (try? String(contentsOfFile: out + "/inference_outputs.partial.jsonl", encoding: .utf8)) ?? ""
            if partial.split(separator: "\n").count >= 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        let outputs = try #require(try Binaries.json(out + "/inference_outputs.json").arrayValue)
        #expect(outputs.count == 50)
        let answered = outputs.filter { $0["response"]?["object"] == "chat.completion" }.count
        #expect(answered >= 2 && answered < 50)
        // Answered entries are laid out from the partial log's lines, the rest serialized: one layout.
        #expect(try laidOutAsTheWriterDoes(out + "/inference_outputs.json"))
        let metrics = try Binaries.json(out + "/metrics.json")
        #expect((metrics["batch_metrics"]?["total_batches"]?.intValue ?? 0) > 0)
        #expect(FileManager.default.fileExists(atPath: out + "/batch_data.json"))
    }

    @Test func extractSubcommand() async throws {
        let input = "\"Josh made a profit of $70,000.\"\n\"#### 106.12\"\n\"no number here\""
        let r = try await Binaries.run("moecap-eval", ["extract", "--dataset", "gsm8k"], input: input)
        #expect(r.status == 0)
        #expect(r.stdout == "\"70000\"\n\"106\"\n\"\"\n")
        let bad = try await Binaries.run("moecap-eval", ["extract", "--dataset", "gsm8k"], input: "not json\n")
        #expect(bad.status != 0 && bad.stderr.contains("line 1"))
    }

    @Test func badInputGivesOneLineAndNonZeroExit() async throws {
        let cases: [[String]] = [
            ["--model", "m", "--dataset", "nope"],
            ["--model", "m", "--dataset", "gsm8k", "--data-file", "/nonexistent/file.jsonl"],
            ["--model", "m", "--dataset", "gsm8k", "--gpu-type", "TPUv9"],
            ["--model", "m", "--dataset", "gsm8k", "--concurrency", "0"],
        ]
        let scratch = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for args in cases {
            let r = try await Binaries.run("moecap-eval", args + ["--output-dir", scratch + "/out"])
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        let emptyFile = scratch + "/empty.jsonl"
        FileManager.default.createFile(atPath: emptyFile, contents: Data())
        let r = try await Binaries.run("moecap-eval", ["--model", "m", "--dataset", "gsm8k", "--data-file", emptyFile])
        #expect(r.status != 0 && r.stderr.contains("empty.jsonl"))
        let serverBad = try await Binaries.run("fake-sllm", ["serve", "--gpu-type", "TPUv9"])
        #expect(serverBad.status != 0 && serverBad.stderr.contains("TPUv9"))
        #expect(serverBad.stderr.split(separator: "\n").count == 1)
        let deployBad = try await Binaries.run("fake-sllm", ["serve", "--port", "0", "--deploy", "/nonexistent.json"])
        #expect(deployBad.status != 0 && deployBad.stderr.contains("/nonexistent.json"))
    }

    @Test func serverExitsCleanlyOnSIGTERM() async throws {
        let server = try Binaries.Server(["--no-wait", "--deploy", deploy])
        #expect(server.stop() == 0)
    }
}

/// `fake-sllm simulate` run like a user: same inputs and seed, byte-identical files.
@Suite struct SimulateEndToEndTests {
    @Test func sameSeedGivesByteIdenticalFiles() async throws {
        let dir = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var outputs: [(Data, Data)] = []
        for run in 0..<2 {
            let r = try await Binaries.run(
                "fake-sllm",
                [
                    "simulate", "--deploy", Binaries.fixture("deploy/moecap_config.json"), "--workload", "poisson",
                    "--rate", "20", "--requests", "60", "--seed", "7", "--records-out", "\(dir)/records\(run).json",
                    "--requests-out", "\(dir)/requests\(run).jsonl",
                ])
            #expect(r.status == 0, "\(r.stderr)")
            let summary = try JSONValue.parse(r.stdout)
            #expect(summary["requests"] == 60 && summary["gpu_num"] == 4)
            for key in [
                "simulated_seconds", "wall_seconds", "ttft_mean_s", "tpot_mean_s", "e2e_mean_s",
                "output_tokens_per_s", "records",
            ] {
                #expect(summary[key] != nil, "summary lacks \(key)")
            }
            outputs.append(
                (
                    try Data(contentsOf: URL(fileURLWithPath: "\(dir)/records\(run).json")),
                    try Data(contentsOf: URL(fileURLWithPath: "\(dir)/requests\(run).jsonl"))
                ))
        }
        #expect(outputs[0].0 == outputs[1].0 && outputs[0].1 == outputs[1].1)
        let records = try #require(try Binaries.json("\(dir)/records0.json").arrayValue)
        #expect(records.first?.objectValue?.keys.first == "batch_size")
        #expect(records.allSatisfy { $0["gpu_raw_type"] == "NVIDIA-H100-HBM3-80GB" })
        let bad = try await Binaries.run("fake-sllm", ["simulate", "--model", "nobody/nothing"])
        #expect(bad.status != 0 && bad.stderr.split(separator: "\n").count == 1)
    }
}
