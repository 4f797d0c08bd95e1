/// Raw dataset rows and where they came from, before any dataset-specific parsing.
///
/// A local file and the Hugging Face datasets-server both end up here, so their rows go through the same parser.
/// An element may be a bare row object or a datasets-server rows-API entry `{"row_idx", "row": {…},
/// "truncated_cells"}`; ``row(at:)`` unwraps the latter.
package struct DatasetRows: Sendable {
    /// A short name for messages: the file path as given, or e.g. `openai/gsm8k (main, test)`.
    package var origin: String
    /// The rows in source order.
    package var values: [JSONValue]
    /// The 1-based source line of each row, for line-oriented files (JSONL); nil otherwise.
    package var lines: [Int]?

    /// - Precondition: `lines`, when given, has one entry per row.
    package init(origin: String, values: [JSONValue], lines: [Int]? = nil) {
        precondition(lines == nil || lines?.count == values.count, "one line number per row")
        self.origin = origin
        self.values = values
        self.lines = lines
    }

    /// Where row `i` came from: `origin:line` when lines are known, else `origin row N` with the datasets-server's
    /// `row_idx` when the row carries one, else its position from 0.
    package func location(of i: Int) -> String {
        if let lines { return "\(origin):\(lines[i])" }
        let index = values[i]["row_idx"]?.intValue ?? i
        return "\(origin) row \(index)"
    }

    /// Row `i` as an object, unwrapped from a datasets-server entry; nil when it is no object. `truncatedCells`
    /// lists the cells the datasets-server cut short (it truncates very long cells).
    package func row(at i: Int) -> (fields: JSONObject, truncatedCells: [String])? {
        guard let object = values[i].objectValue else { return nil }
        if let inner = object["row"]?.objectValue, object["row_idx"] != nil {
            let truncated = object["truncated_cells"]?.arrayValue?.compactMap(\.stringValue) ?? []
            return (inner, truncated)
        }
        return (object, [])
    }
}
