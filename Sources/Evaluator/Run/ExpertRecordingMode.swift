/// The recorder modes of ServerlessLLM's expert-distribution recording (`--expert-recording-mode`,
/// docs/evaluator.md "Expert distribution"). A value type: `Sendable`.
package enum ExpertRecordingMode: String, Sendable, CaseIterable {
    case perToken = "per_token"
    case perPass = "per_pass"
    case stat
    case statApprox = "stat_approx"

    /// Parses a mode name; the error lists the accepted ones.
    package init(parsing text: String) throws(CLIValueError) {
        guard let mode = ExpertRecordingMode(rawValue: text) else {
            let names = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw CLIValueError("unknown --expert-recording-mode '\(text)'; one of: \(names)")
        }
        self = mode
    }
}
