/// One generation request as the engine sees it: token counts only (the text lives with the caller).
///
/// The caller decides in advance when the request would stop on its own: ``outputTokens`` is the output length at
/// which the simulated model emits EOS. Generation stops by length first when ``maxTokens`` or the model length is
/// reached (vLLM's `check_stop` order), never by EOS before ``minTokens``, and never by EOS with ``ignoreEOS``.
package struct EngineRequest: Sendable, Equatable {
    /// Caller-chosen id, unique among unfinished requests.
    package var id: UInt64
    /// Prompt length in tokens (≥ 1).
    package var promptTokens: Int
    /// `max_tokens` of the sampling parameters (≥ 1).
    package var maxTokens: Int
    /// Output length at which EOS comes (≥ 1); at or above ``maxTokens`` the request stops by length.
    package var outputTokens: Int
    /// `min_tokens`: EOS is suppressed before this many output tokens.
    package var minTokens: Int
    /// `ignore_eos`: never stop on EOS.
    package var ignoreEOS: Bool
    /// Chained content hashes of the prompt's full blocks (block size tokens each), for prefix caching. Requests
    /// whose prompts share a prefix share these hashes up to the first differing block (``BlockHasher`` makes
    /// them from token ids). Fewer hashes than full blocks (or none) means the remaining blocks are unique to this
    /// request.
    package var prefixBlockHashes: [UInt64]
    /// Arrival time on the simulated clock (s); informational for the engine.
    package var arrival: Double
    /// vLLM's `RequestOutputKind.FINAL_ONLY`: the API server hands the client one output when the request ends
    /// (a non-streamed OpenAI request), instead of one per step it wakes for (`DELTA`, streamed). The engine
    /// ignores it; the API-server loop reads it (docs/engine.md §10).
    package var finalOutputOnly = false

    package init(
        id: UInt64, promptTokens: Int, maxTokens: Int, outputTokens: Int, minTokens: Int = 0, ignoreEOS: Bool = false,
        prefixBlockHashes: [UInt64] = [], arrival: Double = 0
    ) {
        self.id = id
        self.promptTokens = promptTokens
        self.maxTokens = maxTokens
        self.outputTokens = outputTokens
        self.minTokens = minTokens
        self.ignoreEOS = ignoreEOS
        self.prefixBlockHashes = prefixBlockHashes
        self.arrival = arrival
    }
}

/// Why a request finished (vLLM's `finish_reason`).
package enum FinishReason: String, Sendable, Equatable {
    /// EOS (or a stop condition) was produced.
    case stop
    /// `max_tokens` or the model length was reached.
    case length
}

/// The `forward_mode` of a batch record (docs/sllm-api.md §4).
package enum ForwardMode: String, Sendable, Equatable {
    /// Every request in the step runs exactly one token (vLLM's `uniform_decode`).
    case decode
    /// Any step with a request running more than one token (pure or mixed prefill).
    case prefill
}

/// What happened to one request in a step.
package struct RequestEvent: Sendable, Equatable {
    package var id: UInt64
    /// Tokens the request produced in this step: 1 when its prompt (or decode) completed, else 0.
    package var newTokens: Int
    /// Output tokens produced so far (after this step).
    package var outputTokens: Int
    /// Whether this step produced the request's first output token.
    package var isFirstToken: Bool
    /// Set when the request finished in this step.
    package var finished: FinishReason?
    /// Whether the request was preempted (recompute) in this step; it produced nothing and waits again.
    package var preempted: Bool

    package init(
        id: UInt64, newTokens: Int, outputTokens: Int, isFirstToken: Bool, finished: FinishReason?, preempted: Bool
    ) {
        self.id = id
        self.newTokens = newTokens
        self.outputTokens = outputTokens
        self.isFirstToken = isFirstToken
        self.finished = finished
        self.preempted = preempted
    }
}
