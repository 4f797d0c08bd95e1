import MoECore

/// The recording calls of a run, as the ServerlessLLM script makes them (docs/evaluator.md "Flow"): clear
/// (optional), start batch recording (+ expert distribution), status, and after the requests stop (+ expert stop
/// and dump) and dump.
///
/// A value type: `Sendable`.
struct RecordingControl: Sendable {
    let session: ServerSession
    let model: String
    /// Expert-distribution recording mode; nil = off.
    let expertMode: ExpertRecordingMode?
    /// Ask for fake-sllm's ground truth after the dump.
    let groundTruth: Bool
    /// Limit for the dump calls (they can be large).
    let dumpTimeout: Duration
    let log: StatusLog

    /// `--clear-before`: clears the batch records (and the expert distribution when enabled). Failures warn.
    func clear() async {
        if let f = await session.post("/clear_batch_recording").failure {
            log.warn("clear_batch_recording failed: \(f)")
        }
        if expertMode != nil, let f = await session.post("/clear_expert_distribution").failure {
            log.warn("clear_expert_distribution failed: \(f)")
        }
    }

    /// Starts batch recording, then expert recording when enabled (its failure only warns, as the script's
    /// "Continuing without it"), and logs both statuses.
    func start() async -> RecordingStart {
        let instanceID: String?
        switch await session.post("/start_batch_recording") {
        case .failed(let f):
            log.warn("start_batch_recording failed: \(f)")
            return .refused(RecordingRefusal(f))
        case .ok(let v):
            instanceID = v["instance_id"]?.stringValue
            log.say("Recording started (instance \(instanceID ?? "?")).")
        }
        var expert = false
        if let mode = expertMode {
            let body: JSONValue = ["model": .string(model), "recording_mode": .string(mode.rawValue)]
            if let f = await session.post("/start_expert_distribution", body).failure {
                log.warn("start_expert_distribution failed: \(f); continuing without expert recording")
            } else {
                expert = true
                log.say("Expert distribution recording started (mode \(mode.rawValue)).")
            }
        }
        if let s = await session.get("/batch_recording_status").value {
            log.say("Batch recording status: \(s.serialized(compact: true))")
        }
        if expert, let s = await session.get("/expert_distribution_status").value {
            log.say("Expert distribution status: \(s.serialized(compact: true))")
        }
        return .recording(instanceID: instanceID, expert: expert)
    }

    /// Stops and dumps what `start` began. The `batches` key of an older server is mapped to `records` as the
    /// sllm client does.
    func collect(_ started: RecordingStart) async -> RecordingCollection {
        guard case .recording(_, let expert) = started else { return .none }
        var out = RecordingCollection.none
        if let f = await session.post("/stop_batch_recording", timeout: .seconds(30)).failure {
            log.warn("stop_batch_recording failed: \(f)")
        }
        if expert {
            if let f = await session.post("/stop_expert_distribution", timeout: .seconds(30)).failure {
                log.warn("stop_expert_distribution failed: \(f)")
            }
            switch await session.post("/dump_expert_distribution", timeout: .seconds(30)) {
            case .ok(let d): out.expertDump = d
            case .failed(let f):
                log.warn("dump_expert_distribution failed: \(f)")
                out.expertDump = ["status": "error", "message": .string(f.description)]
            }
        }
        switch await session.post("/dump_batch_recording", timeout: dumpTimeout) {
        case .ok(var d):
            if d["records"] == nil, let batches = d["batches"], case .object(var o) = d {
                o["records"] = batches
                d = .object(o)
            }
            out.dump = d
            out.records = d["records"]?.arrayValue ?? []
        case .failed(let f):
            log.warn("dump_batch_recording failed: \(f)")
            out.dump = ["status": "error", "message": .string(f.description)]
            out.dumpFailure = f
        }
        if groundTruth, out.dumpFailure == nil,
            let t = await session.post("/fake_sllm/dump_ground_truth", timeout: .seconds(30)).value
        {
            out.groundTruth = t["steps"]?.arrayValue
            if let info = await session.get("/fake_sllm/info", withModel: false, timeout: .seconds(10)).value {
                out.serverInfo = info["deployments"]?.arrayValue?.first { $0["model"]?.stringValue == model }
            }
        }
        return out
    }
}
