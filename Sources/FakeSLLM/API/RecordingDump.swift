import MoECore

/// The body of `POST /dump_batch_recording`, written piece by piece (docs/http.md, "Limits").
///
/// A 1.5-million-record dump is about 300 MB of JSON; built whole it costs several times that at peak. Here the
/// recorder's steps are snapshotted (a copy-on-write array, no records built), and the HTTP layer pulls the body
/// 2,000 steps at a time (``PiecewiseJSONBody``), so memory stays at one piece. The bytes are exactly those of
/// the whole-body `{"status","model","instance_id","records","total_records"}` object in compact form; a
/// recording that hit `--max-records` adds `"records_dropped"` at the end.
enum RecordingDump {
    static let stepsPerPiece = 2_000

    static func stream(_ recorder: BatchRecorder, model: String, instanceId: String) -> EventStream {
        let snapshot = recorder.steps
        let dropped = recorder.droppedSteps
        var tail: [(String, JSONValue)] = [("total_records", .int(snapshot.count * recorder.copiesPerStep))]
        if dropped > 0 { tail.append(("records_dropped", .int(dropped))) }
        return PiecewiseJSONBody.stream(
            head: [("status", "success"), ("model", .string(model)), ("instance_id", .string(instanceId))],
            key: "records", count: snapshot.count, perPiece: stepsPerPiece, tail: tail
        ) { range in recorder.records(steps: range, of: snapshot) }
    }
}
