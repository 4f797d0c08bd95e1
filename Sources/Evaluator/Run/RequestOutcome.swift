import MoECore

/// What happened to one dataset request.
struct RequestOutcome: Sendable {
    var index: Int
    /// The completion as a `chat.completion` object (streams are assembled into one), or nil on failure.
    var response: JSONValue?
    /// `choices[0].message.content` (or `choices[0].text`); "" on failure.
    var text: String
    /// Why it failed, or nil (one line, for the files).
    var error: String?
    /// The class of the failure, for decisions (nil on success).
    var failureCause: ServerFailure.Cause?
    /// Seconds from the start of the sending phase to this request's start (wall clock).
    var startOffset: Double
    /// End-to-end latency on the wall clock (s), nil on failure.
    var e2e: Double?
    /// Time to the first content token on the wall clock (s), streaming only.
    var ttft: Double?
    /// Wall-clock arrival times of streamed content chunks, seconds after the request started.
    var tokenTimes: [Double] = []
    var promptTokens: Int?
    var completionTokens: Int?
    /// The server's statement of this request's timing on its simulated clock (fake-sllm only).
    var simulated: SimulatedTiming?
    /// The answer ``AnswerExtractor`` finds in ``text`` ("" on failure), once ``extractAnswer(dataset:)`` ran:
    /// extraction runs regular expressions, so the output files and the accuracy share one result per request.
    private(set) var extracted: String?

    init(index: Int, response: JSONValue?, text: String, error: String?, startOffset: Double) {
        self.index = index
        self.response = response
        self.text = text
        self.error = error
        self.startOffset = startOffset
    }

    var succeeded: Bool { error == nil }

    /// Extracts the answer once and keeps it in ``extracted``.
    mutating func extractAnswer(dataset: String) {
        if extracted == nil { extracted = answer(dataset: dataset) }
    }

    /// The extracted answer: "" for a failed request, else the kept one or a fresh extraction.
    func answer(dataset: String) -> String {
        guard succeeded else { return "" }
        return extracted ?? AnswerExtractor.extract(text, dataset: dataset)
    }

    /// The failure as a value, nil on success.
    var failure: ServerFailure? {
        guard let error else { return nil }
        return ServerFailure(failureCause ?? .malformed, error)
    }

    /// Records `failure` as this outcome's.
    mutating func fail(_ failure: ServerFailure) {
        error = failure.description
        failureCause = failure.cause
    }

    /// vLLM bench's TPOT on the wall clock: (E2E − TTFT) / (output tokens − 1) (docs/evaluator.md "Client
    /// figures").
    var tpot: Double? {
        guard let e2e, let completionTokens, completionTokens > 1 else { return nil }
        let first = ttft ?? 0
        return (e2e - first) / Double(completionTokens - 1)
    }

    /// Inter-token latencies on the wall clock: gaps between consecutive streamed chunks.
    var interTokenLatencies: [Double] {
        guard tokenTimes.count > 1 else { return [] }
        return zip(tokenTimes.dropFirst(), tokenTimes).map { $0 - $1 }
    }
}
