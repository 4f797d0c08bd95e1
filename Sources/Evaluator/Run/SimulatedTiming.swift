import EvaluatorClient

/// One response's timing as the server states it on its simulated clock (fake-sllm's extension, docs/evaluator.md
/// "Simulated timing"): seconds on the serving deployment's clock, comparable between requests to that deployment.
///
/// A value type: `Sendable`.
struct SimulatedTiming: Sendable, Equatable {
    /// When the server took the request in.
    var arrival: Double
    /// When the first token was produced, if known.
    var firstToken: Double?
    /// When the last token was produced (the finish).
    var finish: Double
    /// The simulated time of each streamed content event (empty for non-streamed answers).
    var tokenTimes: [Double]

    init(arrival: Double, firstToken: Double?, finish: Double, tokenTimes: [Double] = []) {
        self.arrival = arrival
        self.firstToken = firstToken
        self.finish = finish
        self.tokenTimes = tokenTimes
    }

    /// Header of the arrival time (both kinds of answer).
    static let arrivalHeader = "X-Fake-SLLM-Arrival-S"
    /// Header of the first token's time (non-streamed answers).
    static let firstTokenHeader = "X-Fake-SLLM-First-Token-S"
    /// Header of the finish time (non-streamed answers).
    static let finishHeader = "X-Fake-SLLM-Finish-S"
    /// The prefix of the SSE comment that precedes a streamed event: `: fake-sllm sim_t=<seconds>`.
    static let eventCommentPrefix = "fake-sllm sim_t="

    /// Time to first token; nil when the first token's time is unknown.
    var ttft: Double? { firstToken.map { $0 - arrival } }
    /// Arrival to finish.
    var e2e: Double { finish - arrival }

    /// vLLM bench's TPOT, (finish − first token) / (output tokens − 1); nil below two tokens.
    func tpot(outputTokens: Int?) -> Double? {
        guard let outputTokens, outputTokens > 1, let firstToken else { return nil }
        return (finish - firstToken) / Double(outputTokens - 1)
    }

    /// Gaps between consecutive streamed content events.
    var interTokenLatencies: [Double] {
        guard tokenTimes.count > 1 else { return [] }
        return zip(tokenTimes.dropFirst(), tokenTimes).map { $0 - $1 }
    }

    /// The timing of a non-streamed answer from its headers; nil when the server states no arrival and finish
    /// (a real ServerlessLLM server, or a fake-sllm too old to say).
    static func fromHeaders(_ headers: HTTPHeaders) -> SimulatedTiming? {
        guard let arrival = seconds(headers[arrivalHeader]), let finish = seconds(headers[finishHeader]) else {
            return nil
        }
        return SimulatedTiming(arrival: arrival, firstToken: seconds(headers[firstTokenHeader]), finish: finish)
    }

    /// The simulated time stated by an event's comment lines, if any.
    static func eventTime(_ event: SSEEvent) -> Double? {
        for comment in event.comments where comment.hasPrefix(eventCommentPrefix) {
            return seconds(String(comment.dropFirst(eventCommentPrefix.count)))
        }
        return nil
    }

    /// A finite, non-negative decimal number of seconds.
    static func seconds(_ text: String?) -> Double? {
        guard let text, let value = Double(FoundationWhitespace.trimmed(text)), value.isFinite, value >= 0 else {
            return nil
        }
        return value
    }
}
