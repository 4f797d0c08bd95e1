/// NuminaMath-CoT rows: `{"source", "problem", "solution", "messages": [{"role", "content"}, …]}`
/// (docs/moecap-metrics.md §10, `numinamath_loader.py`).
package enum NuminaMathFormat {
    /// The content of the last `\boxed{…}` in `text`, brace-balanced (`{` +1, `}` −1, stop at level 0) and
    /// stripped; nil when `text` has no `\boxed{` or its braces never close.
    package static func lastBoxedContent(in text: String) -> String? {
        let bytes = Array(text.utf8)
        let opener = Array(#"\boxed{"#.utf8)
        guard bytes.count >= opener.count else { return nil }
        // Python's rfind: the last occurrence.
        var at = bytes.count - opener.count
        while at >= 0, !bytes[at..<at + opener.count].elementsEqual(opener) { at -= 1 }
        guard at >= 0 else { return nil }
        let start = at + opener.count
        var level = 1
        var i = start
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "{") { level += 1 }
            if bytes[i] == UInt8(ascii: "}") {
                level -= 1
                if level == 0 {
                    // Braces are ASCII, so both cuts fall on character boundaries.
                    return PythonText.strip(String(decoding: bytes[start..<i], as: UTF8.self))
                }
            }
            i += 1
        }
        return nil
    }

    static func parse(_ row: JSONObject) -> RowOutcome {
        guard let messages = row["messages"] else { return .skip("no 'messages' field, row skipped") }
        guard let list = messages.arrayValue else {
            return .skip("'messages' is \(messages.pythonTypeName), expected list, row skipped")
        }
        guard let user = list.first(where: { $0["role"]?.stringValue == "user" }) else {
            return .skip("'messages' has no user message, row skipped")
        }
        let input: String
        switch requiredString(user.objectValue ?? [:], "content") {
        case .success(let s): input = s
        case .failure(let problem): return .skip("user message: \(problem.message), row skipped")
        }
        guard let assistant = list.first(where: { $0["role"]?.stringValue == "assistant" }),
            let solution = assistant["content"]?.stringValue
        else {
            return .item(input: input, target: "", id: nil, notes: ["no assistant message, target is empty"])
        }
        guard let target = lastBoxedContent(in: solution) else {
            let note = "assistant message has no complete \\boxed{…}, target is empty"
            return .item(input: input, target: "", id: nil, notes: [note])
        }
        return .item(input: input, target: target, id: nil, notes: [])
    }
}
