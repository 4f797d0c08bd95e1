import MoECore
import SimEngine

extension SLLMAPI {
    /// `GET /fake_sllm/info` (extension): what the simulator is and what it serves.
    func info() -> Reply {
        let deployments: [JSONValue] = registry.all.map { d in
            let e = d.engineConfig
            let instance = d.readyInstance
            return .object(
                JSONObject([
                    ("model", .string(d.name)), ("backend", .string(d.config.backend ?? "")),
                    ("gpu_raw_type", .string(e.gpu.key)), ("gpu_num", .int(e.tensorParallelSize)),
                    ("max_num_seqs", .int(e.maxNumSeqs)), ("max_num_batched_tokens", .int(e.maxNumBatchedTokens)),
                    ("max_model_len", .int(e.maxModelLen ?? e.model.maxPositionEmbeddings)),
                    ("speedup", d.settings.speedup.map { .double($0) } ?? "no-wait"),
                    ("instance_id", instance.map { .string($0.id) } ?? .null),
                    ("is_recording", .bool(instance?.recorder.isRecording ?? false)),
                    ("forward_passes", .int(instance?.forwardPassCount ?? 0)),
                    ("serving", .string(d.settings.serving.rawValue)),
                    ("instances", .int(d.host.liveInstances.count)),
                    ("ready_instances", .int(d.host.readyInstances.count)),
                    ("in_flight", .int(d.host.inFlight)),
                    ("cold_start_s", .double(d.coldStartSeconds)),
                    ("cold_start_host_memory_s", .double(d.settings.coldStart.seconds(for: e, tier: .hostMemory))),
                ]))
        }
        return .now(
            .json(
                .object(
                    JSONObject([
                        ("name", "fake-sllm"), ("version", .string(MoECoreVersion.string)),
                        ("started_at", .double(startedAt)), ("deployments", .array(deployments)),
                    ]))))
    }

    /// `POST /fake_sllm/dump_ground_truth {"model"}` (extension): the simulator's true FLOPs, bytes and
    /// utilisation of every recorded step, in record order, keyed by `forward_pass_id`; never mixed into records.
    func dumpGroundTruth(_ r: HTTPRequest) -> Reply {
        guard let body = objectBody(r) else { return .now(.internalServerError) }
        guard let name = body["model"]?.stringValue, !name.isEmpty else {
            return .now(.detail("Missing 'model' field in request body", status: 400))
        }
        guard let d = registry.deployment(named: name) else {
            return .now(.detail("Model \(name) not found or not deployed", status: 404))
        }
        guard let instance = d.readyInstance else {
            return .now(.json(["status": "error", "message": "No ready instances available", "steps": []]))
        }
        let steps: [JSONValue] = instance.recorder.steps.map { s in
            var out = JSONObject([
                ("forward_pass_id", .int(s.forwardPassID)), ("latency", .double(s.latency)),
                ("num_requests", .int(s.numRequests)),
            ])
            for (k, v) in s.truth.json.objectValue?.pairs ?? [] { out[k] = v }
            return .object(out)
        }
        return .now(
            .json(
                .object(
                    JSONObject([
                        ("status", "success"), ("model", .string(d.name)), ("instance_id", .string(instance.id)),
                        ("steps", .array(steps)), ("total_steps", .int(steps.count)),
                    ]))))
    }
}
