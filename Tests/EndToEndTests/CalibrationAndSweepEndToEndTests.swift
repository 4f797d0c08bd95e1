import Foundation
import MoECore
import Testing

/// `fake-sllm sweep`, `fidelity --step-check` and `--calibration`, run as a user runs them.
@Suite(.serialized) struct CalibrationAndSweepEndToEndTests {
    @Test func sweepWritesCSVJSONAndChart() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-e2e-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try Binaries.run(
            "fake-sllm",
            [
                "sweep", "--quiet", "--models", "Qwen/Qwen3-30B-A3B", "--gpu-types", "H100,H200", "--tp", "1,2",
                "--workload", "tiny,requests=16,prompt=100,output=8", "--out", dir,
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("sweep: 4 points (4 ran, 0 could not)"))
        let csv = try String(contentsOfFile: dir + "/sweep.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 5)
        let json = try JSONValue.parse(try String(contentsOfFile: dir + "/sweep.json", encoding: .utf8))
        #expect(json["points"]?.arrayValue?.count == 4)
        #expect(json["points"]?.arrayValue?[1]["calibration_source"]?.stringValue == "published-calibrated")
        #expect(json["points"]?.arrayValue?[2]["calibration_source"]?.stringValue == "measured")
        #expect(try String(contentsOfFile: dir + "/sweep.html", encoding: .utf8).contains("<svg"))
    }

    @Test func badSweepInputGivesOneLineAndNonZeroExit() throws {
        for args in [["--gpu-types", "Z9"], ["--tp", "0"], ["--workload", "x,bogus=1"]] {
            let r = try Binaries.run("fake-sllm", ["sweep", "--out", "/nonexistent-dir/x"] + args)
            #expect(r.status != 0, "\(args)")
            #expect(r.stderr.split(separator: "\n").count <= 2, "\(args): \(r.stderr)")
        }
    }

    @Test func fidelityShowsProfilesAndTheHeldOutCheck() throws {
        let check = Binaries.fixture("calibration/NVIDIA-H200-140GB.step-check.json")
        let r = try Binaries.run(
            "fake-sllm", ["fidelity", "--v1-stage-seconds", "10", "--step-check", check, "--no-suite"], timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("NVIDIA-H200-140GB") && r.stdout.contains("measured"))
        #expect(r.stdout.contains("published-calibrated") && r.stdout.contains("datasheet-only"))
        #expect(r.stdout.contains("TP 2: before median"))
        let j = try Binaries.run(
            "fake-sllm", ["fidelity", "--v1-stage-seconds", "10", "--step-check", check, "--json", "--no-suite"],
            timeout: 300)
        let doc = try JSONValue.parse(j.stdout)
        #expect((doc["step_check"]?["after_worst_error_percent"]?.doubleValue ?? 100) <= 25)
    }

    @Test func fidelityReplaysASuiteFolderAndFailsWhenHeldOutRowsMissTheTargets() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("suite-e2e-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A served row and an offline row; the held-out one claims an impossible TPOT, so the targets are missed.
        let served =
            #"{"id": "t-served", "source": {"id": "example-a", "kind": "web", "url": "https://example.org/a", "quote": "table"}, "engine": "vllm", "engine_version": "0.11.0", "gpu": "H100", "gpus": 1, "tp": 1, "ep": false, "dp": 1, "kv_cache_dtype": "auto", "model": "Qwen/Qwen3-30B-A3B", "quantization": "bf16", "scheduler": {"enforce_eager": false, "async_scheduling": false}, "benchmark": "vllm bench serve", "mode": "served", "workload": {"dataset": "random", "input_len": 256, "output_len": 32, "num_prompts": 20, "request_rate": null, "max_concurrency": 4, "ignore_eos": true}, "measured": {"ttft_mean_ms": 60, "tpot_mean_ms": 8, "output_throughput_tok_s": 400}, "split": "fit"}"#
        let offline =
            #"{"id": "t-offline", "source": {"id": "example-b", "kind": "web", "url": "https://example.org/b", "quote": "table"}, "engine": "vllm", "engine_version": "0.3.3", "gpu": "A100-80GB", "gpus": 2, "tp": 2, "ep": false, "dp": 1, "kv_cache_dtype": "auto", "model": "mistralai/Mixtral-8x7B-v0.1", "quantization": "bf16", "scheduler": {"enforce_eager": false, "async_scheduling": false}, "benchmark": "benchmark_latency", "mode": "offline", "workload": {"dataset": "fixed", "input_len": 1000, "output_len": 50, "batch_size": 8}, "measured": {"latency_s": 0.001, "tpot_mean_ms": 0.01}, "split": "holdout"}"#
        // A row the suite marks as not replayable: listed with its reason, never replayed.
        let excluded = served.replacingOccurrences(of: #""id": "t-served""#, with: #""id": "t-excluded""#)
            .replacingOccurrences(of: #""split": "fit"}"#, with: #""split": "fit", "excluded": "an early engine"}"#)
        try (served + "\n" + offline + "\n" + excluded + "\n").write(
            toFile: dir + "/rows.jsonl", atomically: true, encoding: .utf8)
        let r = try Binaries.run(
            "fake-sllm", ["fidelity", "--v1-stage-seconds", "10", "--suite", dir, "--json"], timeout: 300)
        #expect(r.status != 0)
        let doc = try JSONValue.parse(r.stdout)
        let rows = doc["suite"]?["rows"]?.arrayValue ?? []
        #expect(Set(rows.compactMap { $0["id"]?.stringValue }) == ["t-served", "t-offline"])
        #expect(rows.allSatisfy { ($0["simulated"]?.doubleValue ?? 0) > 0 })
        #expect(doc["suite"]?["heldout_targets_met"]?.boolValue == false)
        #expect(doc["suite"]?["excluded"]?.arrayValue?.first?["reason"]?.stringValue == "an early engine")
        // The offline row ran vLLM 0.3.3: its held-out figures are also summarised apart.
        let engines = (doc["suite"]?["summary"]?["holdout"]?.arrayValue ?? []).filter {
            $0["kind"]?.stringValue == "engine"
        }
        #expect(engines.compactMap { $0["group"]?.stringValue } == ["vLLM < 0.10"])
        // The offline row names an A100 variant (`A100-80GB`): rows and summary count it under its family.
        let gpus = (doc["suite"]?["summary"]?["holdout"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == "gpu" }
        #expect(gpus.compactMap { $0["group"]?.stringValue } == ["A100"])
        #expect(rows.first { $0["id"]?.stringValue == "t-offline" }?["gpu"]?.stringValue == "A100")
        let text = try Binaries.run("fake-sllm", ["fidelity", "--v1-stage-seconds", "10", "--suite", dir])
        #expect(text.stdout.contains("held-out rows") && text.stdout.contains("fit rows"))
        #expect(text.stdout.contains("t-excluded") && text.stdout.contains("excluded: an early engine"))
        #expect(text.stdout.contains("misses target"))
    }

    @Test func fidelityStreamsPrintsTheBenchmarksClientSideFiguresBesideTheRows() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("streams-e2e-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A burst of 30 chat requests that states the benchmark's distribution figures, and one that is not asked for.
        let burst =
            #"{"id": "t-burst", "source": {"id": "example-a", "kind": "web", "url": "https://example.org/a", "quote": "table"}, "engine": "vllm", "engine_version": "0.11.0", "gpu": "H100", "gpus": 1, "tp": 1, "ep": false, "dp": 1, "kv_cache_dtype": "auto", "model": "Qwen/Qwen3-30B-A3B", "quantization": "bf16", "scheduler": {"enforce_eager": false, "async_scheduling": false}, "benchmark": "vllm bench serve", "mode": "served", "workload": {"dataset": "sharegpt", "num_prompts": 30, "request_rate": null, "ignore_eos": false, "mean_input_len": 200, "mean_output_len": 40}, "measured": {"ttft_mean_ms": 300, "ttft_p99_ms": 600, "tpot_mean_ms": 20, "itl_median_ms": 15, "itl_p99_ms": 90, "duration_s": 3.5, "peak_output_throughput_tok_s": 900, "output_throughput_tok_s": 400}, "split": "fit"}"#
        let other = burst.replacingOccurrences(of: #""id": "t-burst""#, with: #""id": "t-other""#)
        try (burst + "\n" + other + "\n").write(toFile: dir + "/rows.jsonl", atomically: true, encoding: .utf8)
        let args = ["fidelity", "--v1-stage-seconds", "10", "--suite", dir, "--streams", "burst$"]
        let j = try Binaries.run("fake-sllm", args + ["--json"], timeout: 300)
        #expect(j.status == 0, "\(j.stderr)")
        let doc = try JSONValue.parse(j.stdout)
        let rows = doc["streams"]?.arrayValue ?? []
        #expect(rows.compactMap { $0["id"]?.stringValue } == ["t-burst"])
        let figures = rows.first?["figures"]
        #expect(figures?["ttft_p99_ms"]?["measured"]?.doubleValue == 600)
        #expect((figures?["ttft_p99_ms"]?["simulated"]?.doubleValue ?? 0) > 0)
        #expect((figures?["itl_p99_ms"]?["simulated"]?.doubleValue ?? 0) > 0)
        #expect((figures?["peak_output_throughput_tok_s"]?["simulated"]?.doubleValue ?? 0) >= 1)
        // A figure the row does not state has no measured value.
        #expect(figures?["tpot_p99_ms"]?["measured"] == nil)
        // The scored replay and the stream replay agree on the mean TTFT.
        let scored = (doc["suite"]?["rows"]?.arrayValue ?? []).first {
            $0["id"]?.stringValue == "t-burst" && $0["figure"]?.stringValue == "TTFT"
        }
        let ttft = figures?["ttft_mean_ms"]?["simulated"]?.doubleValue ?? 0
        #expect(abs((scored?["simulated"]?.doubleValue ?? -1) - ttft) < 1e-6)
        let text = try Binaries.run("fake-sllm", args, timeout: 300)
        #expect(text.stdout.contains("Stream statistics") && text.stdout.contains("itl_p99_ms"))
        let bad = try Binaries.run("fake-sllm", ["fidelity", "--suite", dir, "--streams", "(unclosed"])
        #expect(bad.status != 0 && bad.stderr.contains("--streams"))
        let none = try Binaries.run(
            "fake-sllm", ["fidelity", "--v1-stage-seconds", "10", "--suite", dir, "--streams", "no-such-row"],
            timeout: 300)
        #expect(none.status != 0 && none.stderr.contains("matches no served row"))
    }

    @Test func calibrationFileChangesSimulatedTimesOnItsGPUOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cal-e2e-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/slow.json"
        try #"{"_gpu": "H200", "layer_overhead_graph_s": 0.001}"#.write(toFile: file, atomically: true, encoding: .utf8)
        func tpot(_ gpu: String, _ extra: [String]) throws -> (Double, String) {
            let r = try Binaries.run(
                "fake-sllm",
                ["simulate", "--model", "Qwen/Qwen3-30B-A3B", "--gpu", gpu, "--requests", "8", "--output-tokens", "16"]
                    + extra)
            #expect(r.status == 0, "\(r.stderr)")
            let s = try JSONValue.parse(r.stdout)
            return (s["tpot_mean_s"]?.doubleValue ?? 0, s["calibration_source"]?.stringValue ?? "")
        }
        let (h200, src) = try tpot("H200", [])
        let (slow, fileSrc) = try tpot("H200", ["--calibration", file])
        let (h100, _) = try tpot("H100", [])
        let (h100File, h100Src) = try tpot("H100", ["--calibration", file])
        #expect(src == "measured" && fileSrc == "file" && h100Src == "published-calibrated")
        // The per-step overhead the file raises is most of a decode step; the API server's per-token work is not the
        // GPU's and stays.
        #expect(slow > h200 * 4)
        #expect(h100File == h100)
        let bad = try Binaries.run("fake-sllm", ["serve", "--calibration", dir + "/missing.json"])
        #expect(bad.status != 0)
    }
}
