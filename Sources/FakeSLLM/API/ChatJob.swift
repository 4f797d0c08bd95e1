import MoECore
import SimEngine

/// One chat completion in flight: its `n` choices in the engine, and the answer it is building — a whole
/// `chat.completion` response, or `chat.completion.chunk` events on a stream.
///
/// The API layer renders every body here; the serving layer only reports token counts and simulated times
/// (``RequestSink``). Simulated timing goes to the client beside the faithful body (docs/serving.md "Timing the
/// client can see"): `X-Fake-SLLM-*` headers on whole responses, an SSE comment line `: fake-sllm sim_t=…` before
/// each streamed event. The choices' sinks are called on the host thread; the mutable state sits behind a lock
/// because a failure can also be reported from the submitting thread.
final class ChatJob: Sendable {
    struct Choice {
        var plan: CompletionPlan
        var emitted = 0
        /// The whole text, once the choice and its siblings are done (whole responses only; streams send it on).
        var text = ""
        var finish: FinishReason?
        var engineId: UInt64
    }
    private struct State {
        var choices: [Choice]
        var times = SimulatedTimes()
        var done = false
    }

    let model: String
    /// The bodies' JSON, with the head every chunk shares written once.
    private let json: ChatCompletionJSON
    let promptTokens: Int
    let target: Target
    let includeUsage: Bool
    private let state: Locked<State>

    /// Where the answer goes.
    enum Target: Sendable {
        case response(PendingResponse)
        case stream(EventStream)
    }

    init(
        requestId: String, model: String, created: Int, promptTokens: Int, choices: [Choice], target: Target,
        includeUsage: Bool
    ) {
        self.model = model
        json = ChatCompletionJSON(requestId: requestId, model: model, created: created)
        self.promptTokens = promptTokens
        self.target = target
        self.includeUsage = includeUsage
        state = Locked(State(choices: choices))
    }

    var engineIds: [UInt64] { state.withLock { $0.choices.map(\.engineId) } }

    func deliver(index: Int, newTokens: Int, finished: FinishReason?, simTime: Double) {
        let streaming: Bool
        if case .stream = target { streaming = true } else { streaming = false }
        var events: [[UInt8]] = []
        var response: HTTPResponse?
        var done = false
        state.withLock { s in
            guard !s.done else { return }
            s.times.tokens(newTokens, at: simTime)
            // Streams only: a whole response carries its times in headers. Each event is its stamp line and its
            // chunk, written into one buffer.
            func event(_ write: (inout CompactJSONBytes) -> Void) {
                var b = CompactJSONBytes()
                SimulatedTimes.writeStamp(simTime, into: &b)
                write(&b)
                events.append(b.take())
            }
            // vLLM sends a choice's role chunk together with its first token.
            if streaming, newTokens > 0, s.choices[index].emitted == 0 {
                event { json.writeChunk(index: index, delta: .role, finish: nil, into: &$0) }
            }
            // Mutated in place. A whole answer takes its text once, when it is complete (the plan hands out the
            // same text in one piece as token by token); a stream sends each new piece on.
            let c = Self.advance(&s.choices[index], by: newTokens, finished: finished, takingText: streaming)
            if streaming {
                if c.advanced {
                    event { json.writeChunk(index: index, delta: .content(c.piece), finish: nil, into: &$0) }
                }
                if let finish = s.choices[index].finish {
                    event { json.writeChunk(index: index, delta: .empty, finish: finish.rawValue, into: &$0) }
                }
            }
            if s.choices.allSatisfy({ $0.finish != nil }) {
                s.done = true
                done = true
                s.times.finish = simTime
                if !streaming {
                    for i in s.choices.indices { s.choices[i].text = s.choices[i].plan.take(s.choices[i].emitted) }
                    if !s.times.holdsAnswerUntilArrival() { response = completionResponse(s) }
                } else {
                    if includeUsage {
                        event {
                            json.writeUsageChunk(
                                promptTokens: promptTokens, completionTokens: Self.completionTokens(s), into: &$0)
                        }
                    }
                    event { $0.raw(Self.doneEvent) }
                }
            }
        }
        if done { logCompletion(status: 200) }
        switch target {
        case .response(let p): if let response { p.fulfill(response) }
        case .stream(let s):
            for e in events { s.send(e) }
            if done { s.finish() }
        }
    }

    /// Moves a choice `newTokens` tokens on; with `takingText`, returns the new text (else the text stays in the
    /// plan). `advanced`: whether the choice moved.
    private static func advance(
        _ c: inout Choice, by newTokens: Int, finished: FinishReason?, takingText: Bool
    ) -> (piece: String, advanced: Bool) {
        let from = c.emitted
        c.emitted = min(c.plan.tokens, c.emitted + newTokens)
        let piece = takingText ? c.plan.take(c.emitted - from) : ""
        if let finished { c.finish = finished }
        return (piece, c.emitted > from)
    }

    /// The request failed before or while running. Engine errors (vLLM raising, e.g. an over-long prompt) are
    /// 400 with vLLM's text; router errors are 200 `{"error": …}` as the real router answers.
    func fail(_ message: String, engineError: Bool) {
        // Choices that already streamed tokens and have not finished: they end with finish_reason "abort".
        let (first, open) = state.withLock { s -> (Bool, [Int]) in
            defer { s.done = true }
            return (!s.done, s.choices.indices.filter { s.choices[$0].emitted > 0 && s.choices[$0].finish == nil })
        }
        guard first else { return }
        let body: HTTPResponse = engineError ? .detail(message, status: 400) : .json(["error": .string(message)])
        serverLog.info("POST /v1/chat/completions \(body.status) model=\(model) error=\(message)")
        switch target {
        case .response(let p): p.fulfill(body)
        case .stream(let s):
            if open.isEmpty {
                let payload: JSONValue = [
                    "error": ["message": .string(message), "type": "BadRequestError", "code": 400]
                ]
                s.send(Array("data: \(payload.serialized(compact: true))\n\n".utf8))
            } else {
                // A stream cut short (the instance or the server stopping) still ends as vLLM ends an aborted
                // request: a last chunk per open choice with finish_reason "abort", then [DONE].
                for i in open {
                    var b = CompactJSONBytes()
                    json.writeChunk(index: i, delta: .empty, finish: "abort", into: &b)
                    s.send(b.take())
                }
            }
            s.send(Self.doneEvent.withUTF8Buffer { Array($0) })
            s.finish()
        }
    }

    /// The server-sent event that ends every stream.
    private static let doneEvent: StaticString = "data: [DONE]\n\n"

    private static func completionTokens(_ s: State) -> Int { s.choices.reduce(0) { $0 + $1.emitted } }

    /// The whole answer, with simulated timings in headers.
    private func completionResponse(_ s: State) -> HTTPResponse {
        let body = json.answer(
            choices: s.choices.lazy.map { (text: $0.text, finish: $0.finish?.rawValue ?? "stop") },
            promptTokens: promptTokens, completionTokens: Self.completionTokens(s))
        return HTTPResponse(status: 200, contentType: "application/json", body: body, headers: s.times.headers)
    }

    /// The request log line (info level): model, status, tokens and simulated latencies.
    private func logCompletion(status: Int) {
        guard serverLog.logLevel <= .info else { return }
        let line = state.withLock { s -> String in
            let completion = Self.completionTokens(s)
            return "POST /v1/chat/completions \(status) model=\(model) prompt_tokens=\(promptTokens) "
                + "completion_tokens=\(completion) \(s.times.logFields)"
        }
        serverLog.info("\(line)")
    }

    /// The request's simulated arrival time, as the host assigned it.
    /// A whole answer finished before it is rendered now (docs/serving.md "Timing the client can see").
    func noteArrival(_ sim: Double) {
        let response = state.withLock { s -> HTTPResponse? in s.times.arrive(at: sim) ? completionResponse(s) : nil }
        if let response, case .response(let p) = target { p.fulfill(response) }
    }
}
