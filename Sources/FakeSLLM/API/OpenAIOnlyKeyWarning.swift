import MoECore

/// The log line that tells a user of an OpenAI client why a `sllm`-mode server answered with an error
/// (docs/openai-mode.md "Choosing the mode"): ServerlessLLM's backend passes unknown body keys to vLLM's
/// `SamplingParams` and answers `{"error": "Invalid sampling parameters: Unexpected keyword argument '…'"}`
/// with status 200, which OpenAI clients (AIPerf, the openai SDK) report only as an empty answer. The first
/// rejection of each OpenAI-only key is logged at warning level, naming `--api openai`; later ones at info.
/// Thread-safe (a mutex-guarded set).
enum OpenAIOnlyKeyWarning {
    private static let warned = Locked<Set<String>>([])

    /// Logs the rejection `error` when the rejected key is one vLLM's OpenAI server accepts.
    static func note(_ error: SamplingParams.Invalid) {
        guard let key = rejectedKey(error), OpenAIRequest.chatFields.contains(key) else { return }
        let first = warned.withLock { $0.insert(key).inserted }
        let line =
            "request rejected: '\(key)' is an OpenAI API key that ServerlessLLM's backend does not accept "
            + "(answered 200 {\"error\": \"Invalid sampling parameters: …\"}); for OpenAI clients start fake-sllm "
            + "with --api openai"
        if first { serverLog.warning("\(line)") } else { serverLog.info("\(line)") }
    }

    /// The key named by `Unexpected keyword argument 'KEY'`, if that is the error.
    static func rejectedKey(_ error: SamplingParams.Invalid) -> String? {
        let prefix = "Unexpected keyword argument '"
        guard error.text.hasPrefix(prefix), error.text.hasSuffix("'") else { return nil }
        return String(error.text.dropFirst(prefix.count).dropLast())
    }
}
