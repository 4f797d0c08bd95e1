import MoECore
import SimEngine

extension SLLMAPI {
    /// The batch-recording actions (docs/sllm-api.md §3.9).
    enum RecordingAction: String {
        case start, stop, dump, clear
    }

    /// Gateway checks shared by the POST recording routes; returns the deployment or the error reply.
    private func recordingTarget(
        _ r: HTTPRequest, missingModel: String, unsupported: (String) -> String
    ) -> Result<Deployment, ReplyError> {
        guard let body = objectBody(r) else { return .failure(ReplyError(.internalServerError)) }
        guard let model = body["model"], model.isTruthy else {
            return .failure(ReplyError(.detail(missingModel, status: 400)))
        }
        return lookup(model.stringValue ?? model.serialized(), unsupported: unsupported)
    }

    private func lookup(_ name: String, unsupported: (String) -> String) -> Result<Deployment, ReplyError> {
        guard let d = registry.deployment(named: name) else {
            return .failure(ReplyError(.detail("Model \(name) not found or not deployed", status: 404)))
        }
        guard d.supportsRecording else { return .failure(ReplyError(.detail(unsupported(name), status: 400))) }
        return .success(d)
    }

    static func batchUnsupported(_ m: String) -> String {
        "Model \(m) does not support batch recording. Please deploy with backend='vllm_moecap'"
    }

    /// `POST /{start,stop,dump,clear}_batch_recording`.
    func recording(_ r: HTTPRequest, _ action: RecordingAction) -> Reply {
        let d: Deployment
        switch recordingTarget(
            r, missingModel: "Missing 'model' field in request body", unsupported: Self.batchUnsupported)
        {
        case .failure(let e): return .now(e.response)
        case .success(let dep): d = dep
        }
        // Router: no ready instance (scaled to zero, or still loading) → 200 status error (§3.9).
        guard let instance = d.readyInstance else {
            var body = JSONObject([("status", "error"), ("message", "No ready instances available")])
            if action == .dump { body["records"] = [] }
            return .now(.json(.object(body)))
        }
        if action == .dump {
            return .stream(RecordingDump.stream(instance.recorder, model: d.name, instanceId: instance.id))
        }
        return throughActor(d, instance) {
            let rec = instance.recorder
            let id = JSONValue.string(instance.id)
            let model = JSONValue.string(d.name)
            let body: JSONObject
            switch action {
            case .start:
                rec.start()
                body = [
                    "status": "success", "message": .string("Started recording batch statistics for \(d.name)"),
                    "instance_id": id,
                ]
            case .stop:
                let n = rec.stop()
                body = [
                    "status": "success", "message": .string("Stopped recording batch statistics for \(d.name)"),
                    "instance_id": id, "total_records": .int(n),
                ]
            case .dump:
                body = [:]  // streamed above
            case .clear:
                let n = rec.clear()
                body = [
                    "status": "success", "model": model, "instance_id": id, "message": .string("Cleared \(n) records"),
                    "cleared_count": .int(n),
                ]
            }
            return .json(.object(body))
        }
    }

    /// `GET /batch_recording_status?model=` (no `status` key in the answer).
    func recordingStatus(_ r: HTTPRequest) -> Reply {
        statusRoute(r, unsupported: Self.batchUnsupported) {
            ($0.recorder.isRecording, $0.recorder.totalRecords, $0.recorder.droppedSteps)
        }
    }

    /// The GET status routes: query checks, lookup, then `{model, instance_id, is_recording, total_records}`.
    private func statusRoute(
        _ r: HTTPRequest, unsupported: (String) -> String,
        state: @escaping @Sendable (InstanceHandle) -> (recording: Bool, records: Int, dropped: Int)
    ) -> Reply {
        guard let name = r.queryValue("model"), !name.isEmpty else {
            return .now(.detail("Missing model query parameter", status: 400))
        }
        let d: Deployment
        switch lookup(name, unsupported: unsupported) {
        case .failure(let e): return .now(e.response)
        case .success(let dep): d = dep
        }
        guard let instance = d.readyInstance else {
            return .now(.json(["status": "error", "message": "No ready instances available"]))
        }
        return throughActor(d, instance) {
            let (recording, records, dropped) = state(instance)
            var body = JSONObject([
                ("model", .string(d.name)), ("instance_id", .string(instance.id)),
                ("is_recording", .bool(recording)), ("total_records", .int(records)),
            ])
            // Only a recording that hit --max-records says so (docs/http.md).
            if dropped > 0 { body["records_dropped"] = .int(dropped) }
            return .json(.object(body))
        }
    }

    /// A call to `instance`'s backend: answered once the instance's Ray actor gives it a slot, behind the
    /// generations ahead of it (docs/serving.md "Recording calls").
    private func throughActor(
        _ d: Deployment, _ instance: InstanceHandle, _ answer: @escaping @Sendable () -> HTTPResponse
    ) -> Reply {
        let pending = PendingResponse()
        d.host.control(on: instance) { pending.fulfill(answer()) }
        return .later(pending)
    }

    /// The expert-distribution actions (§3.10).
    enum ExpertAction: String {
        case configure, start, stop, dump, clear
    }

    static func expertUnsupported(_ m: String) -> String {
        "Model \(m) does not support expert distribution recording. Please deploy with backend='vllm_moecap'"
    }

    /// `POST /{configure,start,stop,dump,clear}_expert_distribution` (§3.10). As on the real branch nothing ever
    /// adds local records, so counts stay 0.
    func expertDistribution(_ r: HTTPRequest, _ action: ExpertAction) -> Reply {
        let d: Deployment
        switch recordingTarget(r, missingModel: "Missing model in request body", unsupported: Self.expertUnsupported) {
        case .failure(let e): return .now(e.response)
        case .success(let dep): d = dep
        }
        guard let instance = d.readyInstance else {
            var body = JSONObject([("status", "error"), ("message", "No ready instances available")])
            if action == .dump { body["worker_data"] = [] }
            return .now(.json(.object(body)))
        }
        let body = objectBody(r) ?? JSONObject()
        return throughActor(d, instance) {
            let requested = body["recording_mode"]?.stringValue
            let mode = requested ?? "per_pass"
            let id = JSONValue.string(instance.id)
            let experts = instance.experts
            let out: JSONObject
            switch action {
            case .configure, .start:
                guard ExpertDistributionRecorder.modes.contains(mode) else {
                    return .json([
                        "status": "error", "message": .string("Invalid recording mode: \(mode)"), "instance_id": id,
                    ])
                }
                if action == .configure {
                    experts.configure(mode: mode, bufferSize: body["buffer_size"]?.intValue ?? -1)
                    out = [
                        "status": "success",
                        "message": .string("Configured expert distribution recording with mode=\(mode)"),
                        "instance_id": id,
                        "worker_results": .array(
                            (0..<experts.workers).map { _ in ["success": true, "mode": .string(mode)] }),
                    ]
                } else {
                    experts.start(mode: requested)
                    out = [
                        "status": "success",
                        "message": .string("Started expert distribution recording with mode=\(experts.mode)"),
                        "instance_id": id,
                    ]
                }
            case .stop:
                experts.stop()
                out = [
                    "status": "success", "message": "Stopped expert distribution recording", "instance_id": id,
                    "total_records": 0,
                ]
            case .dump:
                // The workers' recorder dumps; the backend's own local records are never filled on the real branch.
                out = [
                    "status": "success", "model": .string(d.name), "instance_id": id,
                    "worker_data": .array(experts.dump()), "local_records": [], "total_local_records": 0,
                ]
            case .clear:
                _ = experts.clear()
                out = [
                    "status": "success", "model": .string(d.name), "instance_id": id,
                    "message": "Cleared 0 expert distribution records", "cleared_count": 0,
                ]
            }
            return .json(.object(out))
        }
    }

    /// `GET /expert_distribution_status?model=`: `is_recording` follows start and stop; the backend's local
    /// record count stays 0, as on the real branch.
    func expertDistributionStatus(_ r: HTTPRequest) -> Reply {
        statusRoute(r, unsupported: Self.expertUnsupported) { ($0.experts.isRecording, 0, 0) }
    }
}
/// An error answer carried through a `Result`.
struct ReplyError: Error {
    let response: HTTPResponse
    init(_ r: HTTPResponse) { response = r }
}
