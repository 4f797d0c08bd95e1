import MoECore

/// Answers prompts that match a known dataset item in that dataset's style (placeholder until datasets land).
final class AnswerOracle: Sendable {
    let settings: OracleSettings
    init(settings: OracleSettings, seed: UInt64) throws {
        self.settings = settings
    }

    /// The oracle's answer for a user message, or nil when the message is not a known item.
    func answer(for userMessage: String) -> OracleAnswer? { nil }
}

/// What the oracle says for one item.
struct OracleAnswer: Sendable {
    let texts: [String]
    func text(choice: Int) -> String { texts[choice % texts.count] }
}
