/// Why a local dataset file could not be read. Each description is one line, fit for a command-line message.
package enum DatasetFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Nothing exists at the path.
    case notFound(path: String)
    /// The path names a directory.
    case isDirectory(path: String)
    /// The file exists but could not be read; `reason` is the system's.
    case unreadable(path: String, reason: String)
    /// The file holds no JSON at all (empty or only whitespace).
    case empty(path: String)
    /// JSON that does not parse: `line` and `column` are 1-based, `message` is the parser's.
    case invalidJSON(path: String, line: Int, column: Int, message: String)
    /// Valid JSON of a shape that holds no rows (`found` is its Python type name, e.g. `str`).
    case unexpectedShape(path: String, found: String)

    package var description: String {
        switch self {
        case .notFound(let path):
            return "dataset file not found: \(path)"
        case .isDirectory(let path):
            return "dataset file is a directory: \(path)"
        case .unreadable(let path, let reason):
            return "cannot read dataset file \(path): \(reason)"
        case .empty(let path):
            return "\(path): empty dataset file"
        case .invalidJSON(let path, let line, let column, let message):
            return "\(path):\(line): invalid JSON: \(message) (column \(column))"
        case .unexpectedShape(let path, let found):
            return "\(path): expected JSON Lines, a JSON array of rows or an object with a \"rows\" array, "
                + "found a \(found)"
        }
    }
}
