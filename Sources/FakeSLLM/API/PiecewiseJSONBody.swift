import MoECore

/// A JSON object body with one large array member, written piece by piece (docs/http.md, "Answer budget"):
/// the members before the array, the array's elements a few at a time, then the members after it. The bytes are
/// exactly those of the whole object in compact form, but only one piece is ever built, and it is built when the
/// client is ready for it, so a large answer neither sits whole in memory nor holds a polling thread for long.
///
/// Used by the recording dump, the ground-truth dump and `/v1/embeddings`. Thread-safe: the HTTP layer pulls the
/// pieces on its reading thread, one call at a time; a client that leaves stops the pulls.
enum PiecewiseJSONBody {
    /// An `application/json` stream of `{head…, "<key>": [elements 0..<count], tail…}`; `elements` renders the
    /// elements of a range of at most `perPiece` indices (it may return several values per index).
    static func stream(
        head: [(String, JSONValue)], key: String, count: Int, perPiece: Int, tail: [(String, JSONValue)],
        elements: @escaping @Sendable (Range<Int>) -> [JSONValue]
    ) -> EventStream {
        var prefix = JSONValue.object(JSONObject(head)).serializedBytes(compact: true)
        prefix.removeLast()  // the closing brace
        if !head.isEmpty { prefix.append(UInt8(ascii: ",")) }
        prefix += JSONValue.string(key).serializedBytes(compact: true) + Array(":[".utf8)
        var suffix = Array("]".utf8)
        var rest = JSONValue.object(JSONObject(tail)).serializedBytes(compact: true)
        rest.removeFirst()  // the opening brace
        if !tail.isEmpty { suffix.append(UInt8(ascii: ",")) }
        suffix += rest

        let cursor = Locked<Int?>(nil)  // nil: the prefix is next; past the end: the suffix, then done
        let step = max(1, perPiece)
        return EventStream(contentType: "application/json") { [prefix, suffix] in
            cursor.withLock { next -> [UInt8]? in
                guard let at = next else {
                    next = 0
                    return prefix
                }
                if at > count { return nil }
                if at == count {
                    next = at + 1
                    return suffix
                }
                let end = min(count, at + step)
                next = end
                var piece: [UInt8] = []
                for (i, value) in elements(at..<end).enumerated() {
                    if at > 0 || i > 0 { piece.append(UInt8(ascii: ",")) }
                    piece += value.serializedBytes(compact: true)
                }
                return piece
            }
        }
    }
}
