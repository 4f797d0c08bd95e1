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
        /// The text so far (whole responses only; streams send it on).
        var text = ""
        var finish: FinishReason?
        var engineId: UInt64
    }
    private struct State {
        var choices: [Choice]
        var times = SimulatedTimes()
        var done = false
    }

    let requestId: String
    let model: String
    let created: Int
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
        self.requestId = requestId
        self.model = model
        self.created = created
        self.promptTokens = promptTokens
        self.target = target
        self.includeUsage = includeUsage
        state = Locked(State(choices: choices))
    }

    var engineIds: [UInt64] { state.withLock { $0.choices.map(\.engineId) } }

    func deliver(index: Int, newTokens: Int, finished: FinishReason?, simTime: Double) {
        var events: [[UInt8]] = []
        var response: HTTPResponse?
        var done = false
        state.withLock { s in
            guard !s.done else { return }
            s.times.tokens(newTokens, at: simTime)
            // Streams only: a whole response carries its times in headers.
            let stamp: [UInt8]
            if case .stream = target { stamp = SimulatedTimes.stamp(simTime) } else { stamp = [] }
            // vLLM sends a choice's role chunk together with its first token.
            if case .stream = target, newTokens > 0, s.choices[index].emitted == 0 {
                events.append(stamp + chunk(index: index, delta: ["role": "assistant", "content": ""]))
            }
            // Mutated in place: a copy would copy the accumulated text on every token.
            Self.advance(&s.choices[index], by: newTokens, finished: finished) { c, piece, advanced in
                if case .stream = target {
                    if advanced { events.append(stamp + chunk(index: index, delta: ["content": .string(piece)])) }
                    if let finish = c.finish {
                        events.append(stamp + chunk(index: index, delta: [:], finish: finish.rawValue))
                    }
                } else {
                    c.text += piece
                }
            }
            if s.choices.allSatisfy({ $0.finish != nil }) {
                s.done = true
                done = true
                s.times.finish = simTime
                switch target {
                case .response:
                    if !s.times.holdsAnswerUntilArrival() { response = completionResponse(s) }
                case .stream:
                    if includeUsage { events.append(stamp + usageChunk(s)) }
                    events.append(stamp + Array("data: [DONE]\n\n".utf8))
                }
            }
        }
        if done { logCompletion(status: 200) }
        switch target {
        case .response(let p): if let response { p.fulfill(response) }
        case .stream(let s):
            for e in events { s.send(e) }
            if response == nil, state.withLock({ $0.done }) { s.finish() }
        }
    }

    /// Moves a choice `newTokens` tokens on and hands the new text to `emit`.
    private static func advance(
        _ c: inout Choice, by newTokens: Int, finished: FinishReason?, emit: (inout Choice, String, Bool) -> Void
    ) {
        let from = c.emitted
        c.emitted = min(c.plan.tokens, c.emitted + newTokens)
        let piece = c.plan.take(c.emitted - from)
        if let finished { c.finish = finished }
        emit(&c, piece, c.emitted > from)
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
                for i in open { s.send(chunk(index: i, delta: [:], finish: "abort")) }
            }
            s.send(Array("data: [DONE]\n\n".utf8))
            s.finish()
        }
    }

    /// `"usage":{"prompt_tokens":…,"completion_tokens":…,"total_tokens":…}`, written into `b`.
    private func writeUsage(_ s: State, into b: inout CompactJSONBytes) {
        let completion = s.choices.reduce(0) { $0 + $1.emitted }
        b.raw(#""usage":{"prompt_tokens":"#)
        b.int(promptTokens)
        b.raw(#","completion_tokens":"#)
        b.int(completion)
        b.raw(#","total_tokens":"#)
        b.int(promptTokens + completion)
        b.raw("}")
    }

    /// `{"id":…,"object":<object>,"created":…,"model":…,` — the head every body of this job starts with.
    private func writeHead(_ object: StaticString, into b: inout CompactJSONBytes) {
        b.raw(#"{"id":"#)
        b.string(requestId)
        b.raw(#","object":"#)
        b.raw(object)
        b.raw(#","created":"#)
        b.int(created)
        b.raw(#","model":"#)
        b.string(model)
        b.raw(",")
    }

    /// The backend's `process_output` shape (docs/sllm-api.md §3.6 step 6), plus simulated timings in headers.
    /// Written straight as compact JSON bytes, in the key order and spelling of the `JSONValue` tree it stands for
    /// (`id`, `object`, `created`, `model`, `choices`, `usage`; each choice `index`, `message`, `logprobs`,
    /// `finish_reason`): no tree is built per answer.
    private func completionResponse(_ s: State) -> HTTPResponse {
        var b = CompactJSONBytes()
        writeHead(#""chat.completion""#, into: &b)
        b.raw(#""choices":["#)
        for (i, c) in s.choices.enumerated() {
            if i > 0 { b.raw(",") }
            b.raw(#"{"index":"#)
            b.int(i)
            b.raw(#","message":{"role":"assistant","content":"#)
            b.string(c.text)
            b.raw(#"},"logprobs":null,"finish_reason":"#)
            b.string(c.finish?.rawValue ?? "stop")
            b.raw("}")
        }
        b.raw("],")
        writeUsage(s, into: &b)
        b.raw("}")
        return HTTPResponse(
            status: 200, contentType: "application/json", body: b.take(), headers: s.times.headers)
    }

    /// One `chat.completion.chunk` event (`data: {…}` and a blank line), written as compact JSON bytes in the key
    /// order of the `JSONValue` tree it stands for.
    private func chunk(index: Int, delta: JSONObject, finish: String? = nil) -> [UInt8] {
        var b = CompactJSONBytes()
        b.raw("data: ")
        writeHead(#""chat.completion.chunk""#, into: &b)
        b.raw(#""choices":[{"index":"#)
        b.int(index)
        b.raw(#","delta":"#)
        b.value(.object(delta))
        b.raw(#","logprobs":null,"finish_reason":"#)
        if let finish { b.string(finish) } else { b.raw("null") }
        b.raw("}]}\n\n")
        return b.take()
    }

    private func usageChunk(_ s: State) -> [UInt8] {
        var b = CompactJSONBytes()
        b.raw("data: ")
        writeHead(#""chat.completion.chunk""#, into: &b)
        b.raw(#""choices":[],"#)
        writeUsage(s, into: &b)
        b.raw("}\n\n")
        return b.take()
    }

    /// The request log line (info level): model, status, tokens and simulated latencies.
    private func logCompletion(status: Int) {
        guard serverLog.logLevel <= .info else { return }
        let line = state.withLock { s -> String in
            let completion = s.choices.reduce(0) { $0 + $1.emitted }
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
