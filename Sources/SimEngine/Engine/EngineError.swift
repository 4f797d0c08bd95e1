/// A request the engine refuses, with vLLM 0.11's error text (its `Processor._validate_model_input`).
package enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The prompt is longer than `max_model_len`.
    case promptTooLong(length: Int, maxModelLen: Int)
    /// The prompt is empty.
    case emptyPrompt
    /// `max_tokens` is below 1.
    case invalidMaxTokens(Int)
    /// A request with this id is already unfinished.
    case duplicateID(UInt64)

    package var description: String {
        switch self {
        case .promptTooLong(let n, let m):
            return "The decoder prompt (length \(n)) is longer than the maximum model length of \(m). "
                + "Make sure that `max_model_len` is no smaller than the number of text tokens."
        case .emptyPrompt:
            return "The decoder prompt cannot be empty"
        case .invalidMaxTokens(let n):
            return "max_tokens must be at least 1, got \(n)."
        case .duplicateID(let id):
            return "request id \(id) is already running"
        }
    }
}

/// A deployment or simulator setting the engine cannot run with; the message says which and why.
package struct EngineConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ d: String) { description = d }
}
