/// Parses the contents of a local dataset file (`--data-file`, the oracle's file) into rows; pure, no I/O
/// (the evaluator's `DatasetFile.rows(atPath:)` reads the file).
///
/// Accepted layouts, told apart by content:
/// - JSON Lines: one row object per line; blank lines are ignored; a row's location is `path:line`.
/// - A JSON array of row objects.
/// - A JSON object with a `rows` array: a saved datasets-server page, whose entries may be
///   `{"row_idx", "row": {…}}` (``DatasetRows`` unwraps them); a single row object counts as a one-row file.
package enum DatasetFile {
    /// The rows of file contents `bytes`; `path` names the file in locations and errors.
    /// - Throws: ``DatasetFileError`` other than the file-system cases.
    package static func rows(fromContents bytes: [UInt8], path: String) throws(DatasetFileError) -> DatasetRows {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // a UTF-8 byte-order mark
        guard let first = bytes[start...].firstIndex(where: { !isSpace($0) }) else { throw .empty(path: path) }
        if bytes[first] == UInt8(ascii: "[") { return try document(bytes, from: start, path: path) }

        var values: [JSONValue] = []
        var lines: [Int] = []
        var lineStart = start
        var lineNumber = 1
        while lineStart < bytes.count {
            var lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let next = lineEnd + 1
            if lineEnd > lineStart, bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            let line = bytes[lineStart..<lineEnd]
            if line.contains(where: { !isSpace($0) }) {
                do {
                    values.append(try JSONValue.parse(line))
                    lines.append(lineNumber)
                } catch {
                    // A first line that is no whole value: a pretty-printed JSON document, not JSON Lines.
                    if values.isEmpty, !isJSONLinesName(path) { return try document(bytes, from: start, path: path) }
                    throw .invalidJSON(path: path, line: lineNumber, column: error.offset + 1, message: error.message)
                }
            }
            lineStart = next
            lineNumber += 1
        }
        if values.count == 1 { return try rows(of: values[0], path: path, line: lines[0]) }
        return DatasetRows(origin: path, values: values, lines: lines)
    }

    /// The file parsed as one JSON value.
    private static func document(_ bytes: [UInt8], from start: Int, path: String) throws(DatasetFileError)
        -> DatasetRows
    {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes[start...])
        } catch {
            let offset = start + error.offset
            let before = bytes[..<min(offset, bytes.count)]
            let line = before.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
            throw .invalidJSON(path: path, line: line, column: offset - lineStart + 1, message: error.message)
        }
        return try rows(of: value, path: path, line: nil)
    }

    /// The rows held by one whole-file JSON value (`line`: where it stood, for a one-line file).
    private static func rows(of value: JSONValue, path: String, line: Int?) throws(DatasetFileError) -> DatasetRows {
        switch value {
        case .array(let rows):
            return DatasetRows(origin: path, values: rows)
        case .object(let object):
            if let rows = object["rows"]?.arrayValue { return DatasetRows(origin: path, values: rows) }
            return DatasetRows(origin: path, values: [value], lines: line.map { [$0] })
        default:
            throw .unexpectedShape(path: path, found: value.pythonTypeName)
        }
    }

    private static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D
    }

    private static func isJSONLinesName(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson")
    }
}
