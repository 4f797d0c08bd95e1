/// A problem with one row that did not stop the load: the row was skipped, or kept with an empty target.
package struct DatasetWarning: Sendable, Equatable, CustomStringConvertible {
    /// Where the row came from: `file:line` for JSONL files, `origin row N` otherwise.
    package var location: String
    /// What was wrong and what was done about it.
    package var message: String

    package init(location: String, message: String) {
        self.location = location
        self.message = message
    }

    package var description: String { "\(location): \(message)" }
}
