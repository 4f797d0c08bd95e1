import MoECore

/// What happened to one dataset request.
public struct RequestOutcome: Sendable {
    public var index: Int
    /// The completion as a `chat.completion` object (streams are assembled into one), or nil on failure.
    public var response: JSONValue?
    /// `choices[0].message.content` (or `choices[0].text`); "" on failure.
    public var text: String
    /// Why it failed, or nil.
    public var error: String?
    /// Seconds from the start of the sending phase to this request's start.
    public var startOffset: Double
    /// End-to-end latency (s), nil on failure.
    public var e2e: Double?
    /// Time to the first content token (s), streaming only.
    public var ttft: Double?
    /// Arrival times of streamed content chunks, seconds after the request started.
    public var tokenTimes: [Double] = []
    public var promptTokens: Int?
    public var completionTokens: Int?

    public var succeeded: Bool { error == nil }

    /// vLLM bench's TPOT: (E2E − TTFT) / (output tokens − 1) (validation_targets.md "Metric definitions").
    public var tpot: Double? {
        guard let e2e, let completionTokens, completionTokens > 1 else { return nil }
        let first = ttft ?? 0
        return (e2e - first) / Double(completionTokens - 1)
    }

    /// Inter-token latencies: gaps between consecutive streamed chunks.
    public var interTokenLatencies: [Double] {
        guard tokenTimes.count > 1 else { return [] }
        return zip(tokenTimes.dropFirst(), tokenTimes).map { $0 - $1 }
    }
}
