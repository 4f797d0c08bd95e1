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
        guard case .stream(let stream) = target else {
            deliverToResponse(index: index, newTokens: newTokens, finished: finished, simTime: simTime)
            return
        }
        var events: [[UInt8]] = []
        var done = false
        state.withLock { s in
            guard !s.done else { return }
            s.times.tokens(newTokens, at: simTime)
            // A whole response carries its times in headers; a stream, a stamp line before each event. Each event
            // is its stamp line and its chunk, written into one buffer.
            func event(_ write: (inout CompactJSONBytes) -> Void) {
                var b = CompactJSONBytes()
                SimulatedTimes.writeStamp(simTime, into: &b)
                write(&b)
                events.append(b.take())
            }
            // vLLM sends a choice's role chunk together with its first token.
            if newTokens > 0, s.choices[index].emitted == 0 {
                event { json.writeChunk(index: index, delta: .role, finish: nil, into: &$0) }
            }
            // Mutated in place; a stream sends each new piece on.
            let c = Self.advance(&s.choices[index], by: newTokens, finished: finished, takingText: true)
            if c.advanced {
                event { json.writeChunk(index: index, delta: .content(c.piece), finish: nil, into: &$0) }
            }
            if let finish = s.choices[index].finish {
                event { json.writeChunk(index: index, delta: .empty, finish: finish.rawValue, into: &$0) }
            }
            if s.choices.allSatisfy({ $0.finish != nil }) {
                s.done = true
                done = true
                s.times.finish = simTime
                if includeUsage {
                    event {
                        json.writeUsageChunk(
                            promptTokens: promptTokens, completionTokens: Self.completionTokens(s), into: &$0)
                    }
                }
                event { $0.raw(Self.doneEvent) }
            }
        }
        if done { logCompletion(status: 200) }
        for e in events { stream.send(e) }
        if done { stream.finish() }
    }

    /// ``deliver(index:newTokens:finished:simTime:)`` for a whole answer: counts and times only, until the last
    /// choice finishes; then the text is taken from the plans in one piece (the same text the plan hands out token
    /// by token) and the answer rendered, unless it waits for the request's arrival time.
    private func deliverToResponse(index: Int, newTokens: Int, finished: FinishReason?, simTime: Double) {
        let (done, response) = state.withLock { s -> (Bool, HTTPResponse?) in
            guard !s.done else { return (false, nil) }
            s.times.tokens(newTokens, at: simTime)
            _ = Self.advance(&s.choices[index], by: newTokens, finished: finished, takingText: false)
            guard s.choices[index].finish != nil, s.choices.allSatisfy({ $0.finish != nil }) else {
                return (false, nil)
            }
            s.done = true
            s.times.finish = simTime
            for i in s.choices.indices { s.choices[i].text = s.choices[i].plan.take(s.choices[i].emitted) }
            return (true, s.times.holdsAnswerUntilArrival() ? nil : completionResponse(s))
        }
        if done { logCompletion(status: 200) }
        if let response, case .response(let p) = target { p.fulfill(response) }
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
