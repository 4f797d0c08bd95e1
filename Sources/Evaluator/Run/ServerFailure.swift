import EvaluatorClient

/// Why a server call failed: what kind of failure (a value the run decides on) and the server's or client's
/// own words (one line, for the user). A value type: `Sendable`.
package struct ServerFailure: Error, Sendable, CustomStringConvertible, Equatable {
    /// The classes of failure the run acts on.
    package enum Cause: Sendable, Equatable {
        /// No complete answer arrived (refused, reset, timed out, too large, cancelled).
        case transport(HTTPClientError.Kind)
        /// A non-2xx status.
        case status(Int)
        /// A 2xx whose body says `"error"` or `"status": "error"` (ServerlessLLM's logical errors, docs/evaluator.md).
        case errorAnswer
        /// A 2xx whose body is not the JSON shape the route promises (truncated, not an object, wrong types).
        case malformed
    }

    package var cause: Cause
    package var message: String

    package init(_ cause: Cause, _ message: String) {
        self.cause = cause
        self.message = message
    }

    /// The HTTP status, when an answer arrived.
    package var status: Int? {
        if case .status(let s) = cause { return s }
        return nil
    }

    /// Whether the server could not be reached at all (nothing listens, DNS, reset before any answer).
    package var isUnreachable: Bool { cause == .transport(.connectionFailed) }

    package var description: String { status.map { "HTTP \($0): \(message)" } ?? message }
}
