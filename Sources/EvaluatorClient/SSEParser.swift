/// An incremental `text/event-stream` parser: feed bytes as they arrive, get events as they complete.
///
/// Input may be split anywhere, inside a UTF-8 sequence or a `\r\n` pair included: lines are decoded only once
/// complete, and a `\r` at the end of one slice swallows a `\n` at the start of the next. Lines end with `\n`,
/// `\r\n` or `\r`; a blank line dispatches the event. Rules are the WHATWG ones: `:` starts a comment, one space
/// after the field colon is dropped, `data` lines accumulate, an event without data is not dispatched, unknown
/// fields and `retry` are ignored, a leading byte-order mark is skipped, and an unterminated event at the end of
/// the stream is discarded. Comment lines are not dropped but kept with the event whose block holds them
/// (``SSEEvent/comments``); a block without data discards its comments with it.
///
/// A pure value type with no I/O; not shared between threads while being fed.
struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var afterCR = false
    private var atStreamStart = true
    private var data: String = ""
    private var hasData = false
    private var eventType: String?
    private var lastID: String?
    private var comments: [String] = []

    init() {}

    /// Parses the next slice of the stream and returns the events it completes, in order.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == UInt8(ascii: "\n") { continue }
            }
            switch byte {
            case UInt8(ascii: "\n"):
                endLine(into: &events)
            case UInt8(ascii: "\r"):
                afterCR = true
                endLine(into: &events)
            default:
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if atStreamStart {
            atStreamStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        if line.isEmpty {
            if hasData { events.append(SSEEvent(event: eventType, data: data, id: lastID, comments: comments)) }
            data = ""
            hasData = false
            eventType = nil
            comments.removeAll()
            return
        }
        if line[0] == UInt8(ascii: ":") {
            var start = 1
            if start < line.count, line[start] == UInt8(ascii: " ") { start += 1 }
            comments.append(String(decoding: line[start...], as: UTF8.self))
            return
        }
        let colon = line.firstIndex(of: UInt8(ascii: ":"))
        let name = String(decoding: line[..<(colon ?? line.endIndex)], as: UTF8.self)
        var valueStart = colon.map { $0 + 1 } ?? line.endIndex
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch name {
        case "data":
            if hasData { data += "\n" }
            data += value
            hasData = true
        case "event":
            eventType = value
        case "id":
            if !value.utf8.contains(0) { lastID = value }
        default:
            break
        }
    }
}
