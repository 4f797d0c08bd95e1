import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// The batch-recording and expert-distribution routes (docs/sllm-api.md §3.9, §3.10) and the record format (§4).
@Suite struct RecordingRouteTests {
    let model = JSONValue.string(APIHarness.model)

    @Test func gatewayErrorRows() async {
        let h = APIHarness()
        let missing = await h.send("POST", "/start_batch_recording", [:])
        #expect(missing.status == 400 && missing.json == ["detail": "Missing 'model' field in request body"])
        let noBody = await h.sendRaw("POST", "/start_batch_recording", body: "")
        #expect(noBody.status == 500 && noBody.text == "Internal Server Error")
        let unknown = await h.send("POST", "/dump_batch_recording", ["model": "x/y"])
        #expect(unknown.status == 404 && unknown.json == ["detail": "Model x/y not found or not deployed"])
        let noQuery = await h.send("GET", "/batch_recording_status")
        #expect(noQuery.status == 400 && noQuery.json == ["detail": "Missing model query parameter"])
        let expertMissing = await h.send("POST", "/start_expert_distribution", [:])
        #expect(expertMissing.json == ["detail": "Missing model in request body"])
    }

    @Test func vllmBackendDoesNotRecord() async {
        let h = APIHarness(backend: "vllm")
        let r = await h.recording("start")
        #expect(r.status == 400)
        #expect(
            r.json == [
                "detail": .string(
                    "Model \(APIHarness.model) does not support batch recording. Please deploy with backend='vllm_moecap'"
                )
            ])
        let e = await h.send("POST", "/start_expert_distribution", ["model": model])
        #expect(e.status == 400)
        #expect(e.json["detail"]?.stringValue?.contains("does not support expert distribution recording") == true)
    }

    @Test func noReadyInstanceBeforeTheFirstRequest() async {
        let h = APIHarness()
        #expect((await h.recording("start")).json == ["status": "error", "message": "No ready instances available"])
        #expect(
            (await h.recording("dump")).json == [
                "status": "error", "message": "No ready instances available", "records": [],
            ])
        let status = await h.send("GET", "/batch_recording_status", query: [("model", APIHarness.model)])
        #expect(status.json["status"] == "error")
    }

    @Test func recordingLifecycleAndRecordFormat() async throws {
        let h = APIHarness()
        _ = await h.chat(["max_tokens": 4])  // warm-up cold-starts the instance
        let start = await h.recording("start")
        #expect(start.json["status"] == "success")
        #expect(start.json["message"] == .string("Started recording batch statistics for \(APIHarness.model)"))
        let instance = try #require(start.json["instance_id"]?.stringValue)
        let status = await h.send("GET", "/batch_recording_status", query: [("model", APIHarness.model)])
        #expect(status.json.objectValue?.keys == ["model", "instance_id", "is_recording", "total_records"])
        #expect(status.json["is_recording"] == true)

        _ = await h.chat(["max_tokens": 10, "ignore_eos": true])
        let stop = await h.recording("stop")
        let total = try #require(stop.json["total_records"]?.intValue)
        #expect(total >= 10)  // one prefill step + 9 decode steps at least
        _ = await h.chat(["max_tokens": 5])  // not recorded
        let dump = await h.recording("dump")
        #expect(dump.json.objectValue?.keys == ["status", "model", "instance_id", "records", "total_records"])
        #expect(dump.json["instance_id"] == .string(instance))
        let records = try #require(dump.json["records"]?.arrayValue)
        #expect(records.count == total && dump.json["total_records"]?.intValue == total)
        let keys = [
            "batch_size", "latency", "seq_lens_sum", "forward_mode", "expert_activation", "forward_pass_id", "gpu_num",
            "gpu_raw_type",
        ]
        for r in records {
            #expect(r.objectValue?.keys == keys)
            #expect(r["batch_size"] == r["seq_lens_sum"])
            #expect(r["gpu_num"] == 1 && r["gpu_raw_type"] == "NVIDIA-H100-HBM3-80GB")
            #expect((r["latency"]?.doubleValue ?? 0) > 0)
        }
        #expect(records.first?["forward_mode"] == "prefill")
        #expect(records.dropFirst().allSatisfy { $0["forward_mode"] == "decode" })
        let ids = records.compactMap { $0["forward_pass_id"]?.intValue }
        #expect(ids == ids.sorted() && Set(ids).count == ids.count && ids.first! > 1)
        // Dump is not destructive; clear keeps the flag; start clears.
        #expect((await h.recording("dump")).json["total_records"]?.intValue == total)
        let clear = await h.recording("clear")
        #expect(
            clear.json["message"] == .string("Cleared \(total) records")
                && clear.json["cleared_count"]?.intValue == total)
        #expect((await h.recording("clear")).json["message"] == "Cleared 0 records")
    }

    @Test func tpDuplicationQuirkWritesOneRecordPerRank() async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.quirks.tpDuplicateRecords = true
        let h = APIHarness(extra: ["backend_config": ["tensor_parallel_size": 2]], settings: s)
        _ = await h.chat(["max_tokens": 2])
        _ = await h.recording("start")
        _ = await h.chat(["max_tokens": 3, "ignore_eos": true])
        _ = await h.recording("stop")
        let records = try #require((await h.recording("dump")).json["records"]?.arrayValue)
        #expect(records.count % 2 == 0 && !records.isEmpty)
        for pair in stride(from: 0, to: records.count, by: 2) {
            #expect(records[pair]["forward_pass_id"] == records[pair + 1]["forward_pass_id"])
            #expect(records[pair]["gpu_num"] == 2)
        }
    }

    @Test(.timeLimit(.minutes(1))) func sllmModeScalesIdleInstancesToZero() async throws {
        var s = SimulatorSettings()
        // Idle time passes only on a paced clock: 60 simulated seconds of keep_alive take 3 s here.
        s.speedup = 20
        s.coldStart.overrideSeconds = 1
        let scaling: JSONValue = ["metric": "concurrency", "target": 10, "min_instances": 0, "keep_alive": 60]
        let h = APIHarness(extra: ["auto_scaling_config": scaling], settings: s)
        _ = await h.chat(["max_tokens": 2])
        // On a loaded machine the instance may already be gone here; then there is no first id to compare.
        let first = (await h.recording("start")).json["instance_id"]?.stringValue
        // Idle for keep_alive: the autoscaler stops the instance.
        var gone = false
        for _ in 0..<80 where !gone {
            try await Task.sleep(for: .milliseconds(250))
            gone = (await h.recording("dump")).json["message"] == "No ready instances available"
        }
        #expect(gone)
        _ = await h.chat(["max_tokens": 2])
        let status = await h.send("GET", "/batch_recording_status", query: [("model", APIHarness.model)])
        let second = try #require(status.json["instance_id"]?.stringValue)
        #expect(second != first)
        #expect(status.json["is_recording"] == false && status.json["total_records"] == 0)
    }

    @Test func expertDistributionRoutes() async throws {
        let h = APIHarness()
        _ = await h.chat(["max_tokens": 2])
        let conf = await h.send("POST", "/configure_expert_distribution", ["model": model, "recording_mode": "stat"])
        #expect(conf.json["message"] == "Configured expert distribution recording with mode=stat")
        #expect(conf.json["worker_results"]?.arrayValue?.count == 1)
        let dump = await h.send("POST", "/dump_expert_distribution", ["model": model])
        #expect(dump.json["local_records"] == [] && dump.json["total_local_records"] == 0)
        let status = await h.send("GET", "/expert_distribution_status", query: [("model", APIHarness.model)])
        #expect(status.json["is_recording"] == false)  // configured, not started
        let clear = await h.send("POST", "/clear_expert_distribution", ["model": model])
        #expect(clear.json["message"] == "Cleared 0 expert distribution records")
    }

    @Test func expertDistributionPerPassReportsTheSimulatedRouting() async throws {
        let h = APIHarness()
        _ = await h.chat(["max_tokens": 2])
        let start = await h.send("POST", "/start_expert_distribution", ["model": model, "recording_mode": "per_pass"])
        #expect(start.json["message"] == "Started expert distribution recording with mode=per_pass")
        let status = await h.send("GET", "/expert_distribution_status", query: [("model", APIHarness.model)])
        #expect(status.json["is_recording"] == true)
        _ = await h.chat(["max_tokens": 20, "ignore_eos": true])
        _ = await h.send("POST", "/stop_expert_distribution", ["model": model])
        let after = await h.send("GET", "/expert_distribution_status", query: [("model", APIHarness.model)])
        #expect(after.json["is_recording"] == false)
        let dump = await h.send("POST", "/dump_expert_distribution", ["model": model])
        let worker = try #require(dump.json["worker_data"]?.arrayValue?.first)
        #expect(
            worker.objectValue?.keys == [
                "rank", "num_layers", "num_experts", "num_physical_experts", "total_forward_passes",
                "avg_activated_per_layer", "avg_expert_utilization", "total_tokens_processed", "recording_mode",
            ])
        #expect(worker["num_layers"] == 48 && worker["num_experts"] == 128 && worker["recording_mode"] == "per_pass")
        let passes = try #require(worker["total_forward_passes"]?.intValue)
        #expect(passes >= 20)
        // Qwen3-30B-A3B routes each token to 8 of 128 experts: a pass activates between 8 and 128 per layer.
        let activated = try #require(worker["avg_activated_per_layer"]?.doubleValue)
        #expect(activated >= 8 && activated <= 128)
        #expect(abs((worker["avg_expert_utilization"]?.doubleValue ?? 0) - activated / 128) < 0.001)
        #expect((worker["total_tokens_processed"]?.intValue ?? 0) >= passes * 8 * 48)
    }

    @Test func expertDistributionStatModeCountsTokensPerExpert() async throws {
        let h = APIHarness()
        _ = await h.chat(["max_tokens": 2])
        _ = await h.send("POST", "/configure_expert_distribution", ["model": model, "recording_mode": "stat"])
        _ = await h.send("POST", "/start_expert_distribution", ["model": model])
        _ = await h.chat(["max_tokens": 5, "ignore_eos": true])
        _ = await h.send("POST", "/stop_expert_distribution", ["model": model])
        let dump = await h.send("POST", "/dump_expert_distribution", ["model": model])
        let worker = try #require(dump.json["worker_data"]?.arrayValue?.first)
        #expect(worker["recording_mode"] == "stat")
        let counts = try #require(worker["aggregated_expert_counts"]?.arrayValue)
        #expect(counts.count == worker["forward_pass_ids"]?.arrayValue?.count && !counts.isEmpty)
        let layers = try #require(counts.last?.arrayValue)
        #expect(layers.count == 48 && layers[0].arrayValue?.count == 128)
        // A decode step of one request (padded to one token): 8 expert slots per layer.
        let perLayer = layers[0].arrayValue!.compactMap(\.intValue).reduce(0, +)
        #expect(perLayer == 8)
    }

    @Test func groundTruthExtensionFollowsRecords() async throws {
        let h = APIHarness()
        _ = await h.chat(["max_tokens": 2])
        _ = await h.recording("start")
        _ = await h.chat(["max_tokens": 6, "ignore_eos": true])
        let dump = try #require((await h.recording("dump")).json["records"]?.arrayValue)
        let truth = await h.send("POST", "/fake_sllm/dump_ground_truth", ["model": model])
        let steps = try #require(truth.json["steps"]?.arrayValue)
        #expect(steps.map { $0["forward_pass_id"] } == dump.map { $0["forward_pass_id"] })
        #expect(steps.allSatisfy { ($0["flops"]?.doubleValue ?? 0) >= 0 })
    }
}
