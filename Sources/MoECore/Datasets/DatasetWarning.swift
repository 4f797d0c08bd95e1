/// A problem with one row that did not stop the load: the row was skipped, or kept with an empty target.
public struct DatasetWarning: Sendable, Equatable, CustomStringConvertible {
    /// Where the row came from: `file:line` for JSONL files, `origin row N` otherwise.
    public var location: String
    /// What was wrong and what was done about it.
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message)" }
}
