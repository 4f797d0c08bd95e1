/// What one engine step runs, summarized as running sums so that costing it takes constant time whatever the
/// batch's context lengths (docs/engine.md).
///
/// For a request with `p` tokens already in its KV cache that runs `n` new tokens this step, the scheduler adds
/// `n·p + n(n+1)/2` attention (query, key) pairs (causal) and `p + n` KV tokens read. Decode requests have `n = 1`.
package struct StepShape: Sendable, Equatable {
    /// Tokens the network runs, after CUDA-graph padding (≥ ``scheduledTokens``).
    package var tokens: Int
    /// Tokens the scheduler scheduled (real tokens).
    package var scheduledTokens: Int
    /// Requests in the step (each contributes one row to the LM head and the sampler).
    package var requests: Int
    /// Requests running exactly one token whose KV context already holds their whole prompt (pure decodes).
    package var decodeRequests: Int
    /// Σ attention (query, key) pairs of requests running more than one token (prefill chunks).
    package var prefillAttentionPairs: Double
    /// Σ attention pairs of decode requests (= their context lengths).
    package var decodeAttentionPairs: Double
    /// Σ KV tokens read by attention (each request's full context after this step).
    package var kvTokensRead: Double
    /// Σ over MoE layers of the distinct experts that receive at least one token.
    package var touchedExperts: Double
    /// Whether the step runs as a captured CUDA graph (smaller fixed costs).
    package var cudaGraph: Bool

    package init(
        tokens: Int, scheduledTokens: Int, requests: Int, decodeRequests: Int, prefillAttentionPairs: Double,
        decodeAttentionPairs: Double, kvTokensRead: Double, touchedExperts: Double, cudaGraph: Bool
    ) {
        self.tokens = tokens
        self.scheduledTokens = scheduledTokens
        self.requests = requests
        self.decodeRequests = decodeRequests
        self.prefillAttentionPairs = prefillAttentionPairs
        self.decodeAttentionPairs = decodeAttentionPairs
        self.kvTokensRead = kvTokensRead
        self.touchedExperts = touchedExperts
        self.cudaGraph = cudaGraph
    }

    /// A pure decode step of `batch` requests with `context` tokens each (after this step), all experts given.
    package static func decode(batch: Int, context: Int, touchedExperts: Double, padded: Int? = nil, cudaGraph: Bool)
        -> StepShape
    {
        StepShape(
            tokens: padded ?? batch, scheduledTokens: batch, requests: batch, decodeRequests: batch,
            prefillAttentionPairs: 0, decodeAttentionPairs: Double(batch * context),
            kvTokensRead: Double(batch * context), touchedExperts: touchedExperts, cudaGraph: cudaGraph)
    }

    /// A step that prefills `requests` prompts of `promptTokens` each from scratch.
    package static func prefill(requests: Int, promptTokens: Int, touchedExperts: Double, cudaGraph: Bool)
        -> StepShape
    {
        let n = Double(promptTokens)
        return StepShape(
            tokens: requests * promptTokens, scheduledTokens: requests * promptTokens, requests: requests,
            decodeRequests: 0, prefillAttentionPairs: Double(requests) * n * (n + 1) / 2,
            decodeAttentionPairs: 0, kvTokensRead: Double(requests) * n, touchedExperts: touchedExperts,
            cudaGraph: cudaGraph)
    }
}
