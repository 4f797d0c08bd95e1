import MoECore

/// The body of `POST /dump_batch_recording`, written piece by piece (docs/http.md, "Limits").
///
/// A 1.5-million-record dump is about 300 MB of JSON; built whole it costs several times that at peak. Here the
/// recorder's steps are snapshotted (a copy-on-write array, no records built), and the HTTP layer pulls the body
/// 2,000 steps at a time, so memory stays at one piece. The bytes are exactly those of the whole-body
/// `{"status","model","instance_id","records","total_records"}` object in compact form; a recording that hit
/// `--max-records` adds `"records_dropped"` at the end.
///
/// Thread-safe: the pull closure runs on the HTTP layer's reading thread, one call at a time.
enum RecordingDump {
    static let stepsPerPiece = 2_000

    static func stream(_ recorder: BatchRecorder, model: String, instanceId: String) -> EventStream {
        let snapshot = recorder.steps
        let dropped = recorder.droppedSteps
        let total = snapshot.count * recorder.copiesPerStep
        let head: JSONValue = .object(
            JSONObject([("status", "success"), ("model", .string(model)), ("instance_id", .string(instanceId))]))
        var prefix = head.serializedBytes(compact: true)
        prefix.removeLast()  // the closing brace
        prefix += Array(#","records":["#.utf8)
        var suffix = Array(#"],"total_records":\#(total)"#.utf8)
        if dropped > 0 { suffix += Array(#","records_dropped":\#(dropped)"#.utf8) }
        suffix += Array("}".utf8)

        let cursor = Locked<Int?>(nil)  // nil: the prefix is next; past the end: the suffix, then done
        return EventStream(contentType: "application/json") { [prefix, suffix] in
            cursor.withLock { next -> [UInt8]? in
                guard let at = next else {
                    next = 0
                    return prefix
                }
                if at > snapshot.count { return nil }
                if at == snapshot.count {
                    next = at + 1
                    return suffix
                }
                let end = min(snapshot.count, at + stepsPerPiece)
                next = end
                var piece: [UInt8] = []
                for (i, r) in recorder.records(steps: at..<end, of: snapshot).enumerated() {
                    if at > 0 || i > 0 { piece.append(UInt8(ascii: ",")) }
                    piece += r.serializedBytes(compact: true)
                }
                return piece
            }
        }
    }
}
