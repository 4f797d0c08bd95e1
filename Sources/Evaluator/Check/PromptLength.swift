import MoECore

/// The estimated token count of a chat request's messages, as `moecap-eval check` compares it with
/// `max_model_len`: the messages' text by the project's ``TokenEstimator`` plus a few tokens per message for the
/// chat template's role markers.
package enum PromptLength {
    /// Tokens the chat template adds around each message (role markers and separators).
    static let perMessageOverhead = 4

    /// Estimated prompt tokens of `messages` (a JSON list of `{"role", "content"}` objects).
    package static func estimate(_ messages: JSONValue) -> Int {
        let list = messages.arrayValue ?? []
        return list.reduce(0) { n, m in
            n + TokenEstimator.count(m["content"]?.stringValue ?? "") + perMessageOverhead
        }
    }
}
