import MoECore
import SimEngine

/// One generation in flight in the OpenAI mode, rendered as vLLM 0.11's OpenAI server renders it
/// (docs/openai-mode.md "Responses"): a `chat.completion` or `text_completion` object, or their SSE chunks, with
/// `stream_options` (`include_usage`, `continuous_usage_stats`) and per-token log-probabilities. The serving layer
/// reports token counts and simulated times through the choices' sinks (on the host thread); simulated timing
/// goes beside the body as in the ServerlessLLM mode (`X-Fake-SLLM-*` headers, `: fake-sllm sim_t=…` comments).
final class OpenAIJob: GenerationJob {
    /// What the request asked of the answer's shape.
    struct Options: Sendable {
        var kind: OpenAIRequest.Kind
        var includeUsage = false
        var continuousUsage = false
        /// Top alternatives per token when log-probabilities were asked for.
        var logprobs: Int?
        /// Completions with `echo`: put each choice's prompt text before its text.
        var echo = false
        /// Chat with tools (a `tool_choice` other than `none`): the answer's text may be tool calls.
        var toolUse: OpenAIToolUse?
        /// Precede each SSE event with a `: fake-sllm sim_t=…` comment (`--sse-comments`).
        var sseComments = false
    }

    /// The prompt a choice answers: its token count, and its text (for `echo`).
    struct PromptInfo: Sendable {
        var tokens: Int
        var text: String
    }

    private struct State {
        var choices: [ChatJob.Choice]
        /// Each choice's tokens so far (kept only for log-probabilities of whole responses).
        var tokens: [[String]]
        /// Each choice's streamed tool calls: the calls (planned from the whole answer) and argument characters
        /// sent so far; nil while the choice has not started, empty when it is text.
        var streamedCalls: [(calls: [ToolCall], sent: Int)?]
        var times = SimulatedTimes()
        var done = false
    }

    let requestId: String
    let model: String
    let created: Int
    /// Each choice's prompt (choice `i·n + j` answers prompt `i`).
    let prompts: [PromptInfo]
    /// Prompt tokens of the request: each prompt counted once, however many choices it has.
    let promptTokens: Int
    let options: Options
    let target: ChatJob.Target
    private let state: Locked<State>

    /// A job for `choices` (already planned; `prompts` gives each one's prompt), answering into `target`.
    init(
        requestId: String, model: String, prompts: [PromptInfo], promptTokens: Int, choices: [ChatJob.Choice],
        options: Options, target: ChatJob.Target
    ) {
        self.requestId = requestId
        self.model = model
        created = Int(unixTime())
        self.prompts = prompts
        self.promptTokens = promptTokens
        self.options = options
        self.target = target
        state = Locked(
            State(choices: choices, tokens: choices.map { _ in [] }, streamedCalls: choices.map { _ in nil }))
    }

    /// The request's simulated arrival time, as the host assigned it.
    /// A whole answer finished before it is rendered now (docs/serving.md "Timing the client can see").
    func noteArrival(_ sim: Double) {
        let response = state.withLock { s -> HTTPResponse? in s.times.arrive(at: sim) ? completionResponse(s) : nil }
        if let response, case .response(let p) = target { p.fulfill(response) }
    }

    private var isChat: Bool { options.kind == .chat }
    private var object: String { isChat ? "chat.completion" : "text_completion" }
    private var chunkObject: String { isChat ? "chat.completion.chunk" : "text_completion" }

    /// Choice `index` got `newTokens` tokens (and its end, with `finished`) at simulated time `simTime`.
    func deliver(index: Int, newTokens: Int, finished: FinishReason?, simTime: Double) {
        var events: [[UInt8]] = []
        var response: HTTPResponse?
        var finishedNow = false
        let streaming: Bool
        if case .stream = target { streaming = true } else { streaming = false }
        state.withLock { s in
            guard !s.done else { return }
            s.times.tokens(newTokens, at: simTime)
            let stamp = streaming && options.sseComments ? SimulatedTimes.stamp(simTime) : []
            let first = s.choices[index].emitted == 0
            let from = s.choices[index].emitted
            s.choices[index].emitted = min(s.choices[index].plan.tokens, from + newTokens)
            // One text piece per token where logprobs are asked for: a delivery can carry several tokens (a
            // merged stream chunk, or a non-streamed answer's one final output), each with its own entry.
            var parts: [String] = []
            if options.logprobs != nil {
                for _ in from..<s.choices[index].emitted { parts.append(s.choices[index].plan.take(1)) }
            }
            let piece =
                options.logprobs != nil
                ? parts.joined() : s.choices[index].plan.take(s.choices[index].emitted - from)
            if let finished { s.choices[index].finish = finished }
            if streaming {
                if isChat, newTokens > 0, first {
                    // vLLM's first chunk of a choice carries the role.
                    events.append(stamp + chunk(s, index: index, chat: ["role": "assistant", "content": ""]))
                }
                var text = piece
                if !isChat, first, options.echo { text = prompts[index].text + text }
                if let toolEvent = toolCallChunk(&s, index: index) {
                    events.append(stamp + toolEvent)
                } else if !text.isEmpty || s.choices[index].finish != nil {
                    let tokens = parts.isEmpty ? [piece] : parts
                    let logprobs = options.logprobs.map { top in
                        isChat
                            ? OpenAIJob.chatLogprobs(tokens, top: top)
                            : OpenAIJob.completionLogprobs(tokens, top: top, offset: 0)
                    }
                    events.append(
                        stamp
                            + chunk(
                                s, index: index, chat: ["content": .string(text)], text: text, logprobs: logprobs,
                                finish: s.choices[index].finish?.rawValue))
                }
            } else {
                s.choices[index].text += piece
                s.tokens[index] += parts.filter { !$0.isEmpty }
            }
            if s.choices.allSatisfy({ $0.finish != nil }) {
                s.done = true
                s.times.finish = simTime
                if streaming {
                    if options.includeUsage { events.append(stamp + usageChunk(s)) }
                    events.append(stamp + Array("data: [DONE]\n\n".utf8))
                } else if !s.times.holdsAnswerUntilArrival() {
                    response = completionResponse(s)
                }
                finishedNow = true
            }
        }
        let done = state.withLock { $0.done }
        if finishedNow { logCompletion(status: 200) }
        switch target {
        case .response(let p): if let response { p.fulfill(response) }
        case .stream(let s):
            for e in events { s.send(e) }
            if done { s.finish() }
        }
    }

    private var route: String { isChat ? "/v1/chat/completions" : "/v1/completions" }

    /// The request log line (info level), as the ServerlessLLM mode writes it.
    private func logCompletion(status: Int) {
        guard serverLog.logLevel <= .info else { return }
        let line = state.withLock { s -> String in
            let completion = s.choices.reduce(0) { $0 + $1.emitted }
            return "POST \(route) \(status) model=\(model) prompt_tokens=\(promptTokens) "
                + "completion_tokens=\(completion) \(s.times.logFields)"
        }
        serverLog.info("\(line)")
    }

    /// The request failed: vLLM's error body, or one error event and `[DONE]` on a stream.
    func fail(_ message: String, engineError: Bool) {
        // A stream cut short (the instance or the server stopping) ends as vLLM ends an aborted request: a last
        // chunk per open choice with finish_reason "abort", then [DONE] (docs/openai-mode.md).
        let (first, ending) = state.withLock { s -> (Bool, [[UInt8]]) in
            defer { s.done = true }
            guard !s.done, !engineError, case .stream = target else { return (!s.done, []) }
            let open = s.choices.indices.filter { s.choices[$0].emitted > 0 && s.choices[$0].finish == nil }
            guard !open.isEmpty else { return (true, []) }
            var events: [[UInt8]] = []
            for i in open {
                events.append(chunk(s, index: i, chat: ["content": ""], finish: "abort"))
            }
            if options.includeUsage { events.append(usageChunk(s)) }
            return (true, events)
        }
        guard first else { return }
        if !ending.isEmpty, case .stream(let s) = target {
            serverLog.info("POST \(route) 200 model=\(model) aborted: \(message)")
            for e in ending { s.send(e) }
            s.send(Array("data: [DONE]\n\n".utf8))
            s.finish()
            return
        }
        let error: OpenAIError =
            engineError
            ? .badRequest(message)
            : OpenAIError(message: message, type: "InternalServerError", param: nil, code: 500)
        serverLog.info("POST \(route) \(error.code) model=\(model) error=\(message)")
        switch target {
        case .response(let p): p.fulfill(error.response)
        case .stream(let s):
            s.send(error.event)
            s.send(Array("data: [DONE]\n\n".utf8))
            s.finish()
        }
    }

    /// vLLM's `usage`: of every choice, or of one (`continuous_usage_stats`).
    private func usage(_ s: State, choice: Int? = nil) -> JSONValue {
        let completion = choice.map { s.choices[$0].emitted } ?? s.choices.reduce(0) { $0 + $1.emitted }
        let prompt = choice.map { prompts[$0].tokens } ?? promptTokens
        return .object(
            JSONObject([
                ("prompt_tokens", .int(prompt)), ("total_tokens", .int(prompt + completion)),
                ("completion_tokens", .int(completion)),
            ]))
    }

    /// The whole answer (vLLM's `ChatCompletionResponse` / `CompletionResponse`), timing in headers.
    private func completionResponse(_ s: State) -> HTTPResponse {
        let choices: [JSONValue] = s.choices.enumerated().map { i, c in
            let logprobs: JSONValue =
                options.logprobs.map { top in
                    isChat
                        ? OpenAIJob.chatLogprobs(s.tokens[i], top: top)
                        : OpenAIJob.completionLogprobs(
                            s.tokens[i], top: top, offset: options.echo ? prompts[i].text.count : 0)
                } ?? .null
            var finish: JSONValue = .string(c.finish?.rawValue ?? "stop")
            if isChat {
                // A tool call replaces the text (content "" or, for auto-detected calls, null); vLLM's
                // finish_reason is "tool_calls" for auto-detected calls only.
                var content: JSONValue = .string(c.text)
                var calls: [JSONValue] = []
                if let found = toolCalls(c.text) {
                    content = found.content
                    calls = found.calls.map(\.json)
                    if options.toolUse?.choice == .auto { finish = "tool_calls" }
                }
                return .object(
                    JSONObject([
                        ("index", .int(i)),
                        (
                            "message",
                            .object(
                                JSONObject([
                                    ("role", "assistant"), ("content", content), ("refusal", .null),
                                    ("annotations", .null), ("audio", .null), ("function_call", .null),
                                    ("tool_calls", .array(calls)), ("reasoning_content", .null),
                                ]))
                        ),
                        ("logprobs", logprobs), ("finish_reason", finish), ("stop_reason", .null),
                    ]))
            }
            return .object(
                JSONObject([
                    ("index", .int(i)), ("text", .string((options.echo ? prompts[i].text : "") + c.text)),
                    ("logprobs", logprobs),
                    ("finish_reason", finish), ("stop_reason", .null), ("prompt_logprobs", .null),
                ]))
        }
        var fields: [(String, JSONValue)] = [
            ("id", .string(requestId)), ("object", .string(object)), ("created", .int(created)),
            ("model", .string(model)), ("choices", .array(choices)), ("service_tier", .null),
            ("system_fingerprint", .null), ("usage", usage(s)),
        ]
        if isChat { fields.append(("prompt_logprobs", .null)) }
        fields.append(("kv_transfer_params", .null))
        var r = HTTPResponse.json(.object(JSONObject(fields)))
        r.headers += s.times.headers
        return r
    }

    /// One tool call of a chat answer, as vLLM's `ToolCall` renders it.
    struct ToolCall: Sendable {
        var id = "chatcmpl-tool-" + uuid4().replacingOccurrences(of: "-", with: "")
        var name: String
        var arguments: String

        var json: JSONValue {
            .object(
                JSONObject([
                    ("id", .string(id)), ("type", "function"),
                    ("function", .object(JSONObject([("name", .string(name)), ("arguments", .string(arguments))]))),
                ]))
        }
    }

    /// The tool calls of a finished chat answer (nil: text), with vLLM's message content for them: `""` for
    /// `required` and a named function, null for auto-detected calls.
    private func toolCalls(_ text: String) -> (calls: [ToolCall], content: JSONValue)? {
        guard let toolUse = options.toolUse, let calls = toolUse.calls(in: text) else { return nil }
        return (calls.map { ToolCall(name: $0.name, arguments: $0.arguments) }, toolUse.choice == .auto ? .null : "")
    }

    /// A streamed choice's tool-call delta for the tokens it got (nil when the choice answers with text): the
    /// first names every call with its id; each later one carries the next slice of the arguments, in
    /// proportion to the tokens generated, so every token is one chunk and the slices join to the whole.
    private func toolCallChunk(_ s: inout State, index: Int) -> [UInt8]? {
        guard isChat, let toolUse = options.toolUse else { return nil }
        if s.streamedCalls[index] == nil {
            let calls = s.choices[index].plan.explicitText.flatMap { toolUse.calls(in: $0) } ?? []
            s.streamedCalls[index] = (calls.map { ToolCall(name: $0.name, arguments: $0.arguments) }, -1)
        }
        guard let (calls, sent) = s.streamedCalls[index], !calls.isEmpty else { return nil }
        let c = s.choices[index]
        let args = calls.map { Array($0.arguments) }
        let total = args.reduce(0) { $0 + $1.count }
        let upTo = c.finish != nil ? total : total * c.emitted / max(1, c.plan.tokens)
        var entries: [JSONValue] = []
        var offset = 0
        for (k, call) in calls.enumerated() {
            let lo = max(sent, offset) - offset
            let hi = min(upTo, offset + args[k].count) - offset
            let slice = hi > lo ? String(args[k][lo..<hi]) : ""
            if sent < 0 {
                entries.append(
                    .object(
                        JSONObject([
                            ("id", .string(call.id)), ("type", "function"), ("index", .int(k)),
                            (
                                "function",
                                .object(JSONObject([("name", .string(call.name)), ("arguments", .string(slice))]))
                            ),
                        ])))
            } else if !slice.isEmpty {
                entries.append(
                    .object(
                        JSONObject([
                            ("index", .int(k)), ("function", .object(JSONObject([("arguments", .string(slice))]))),
                        ])))
            }
            offset += args[k].count
        }
        s.streamedCalls[index] = (calls, max(upTo, 0))
        let finish = c.finish.map { toolUse.choice == .auto ? "tool_calls" : $0.rawValue }
        let delta: JSONObject = entries.isEmpty ? JSONObject() : JSONObject([("tool_calls", .array(entries))])
        return chunk(s, index: index, chat: delta, finish: finish)
    }

    /// One SSE chunk of choice `index`: a chat `delta`, or a completion's `text`.
    private func chunk(
        _ s: State, index: Int, chat delta: JSONObject, text: String = "", logprobs: JSONValue? = nil,
        finish: String? = nil
    ) -> [UInt8] {
        var choice = JSONObject([("index", .int(index))])
        if isChat { choice["delta"] = .object(delta) } else { choice["text"] = .string(text) }
        choice["logprobs"] = logprobs ?? .null
        choice["finish_reason"] = finish.map { .string($0) } ?? .null
        if finish != nil { choice["stop_reason"] = .null }
        var body = JSONObject([
            ("id", .string(requestId)), ("object", .string(chunkObject)), ("created", .int(created)),
            ("model", .string(model)), ("choices", [.object(choice)]),
        ])
        if options.continuousUsage { body["usage"] = usage(s, choice: index) }
        return Array("data: ".utf8) + JSONValue.object(body).serializedBytes(compact: true) + Array("\n\n".utf8)
    }

    /// The `include_usage` chunk: no choices, the whole usage.
    private func usageChunk(_ s: State) -> [UInt8] {
        let body: JSONValue = .object(
            JSONObject([
                ("id", .string(requestId)), ("object", .string(chunkObject)), ("created", .int(created)),
                ("model", .string(model)), ("choices", []), ("usage", usage(s)),
            ]))
        return Array("data: ".utf8) + body.serializedBytes(compact: true) + Array("\n\n".utf8)
    }

    /// Chat log-probabilities (`{"content": [{token, logprob, bytes, top_logprobs}]}`): the sampled token first
    /// among its alternatives, deterministic per token text.
    static func chatLogprobs(_ tokens: [String], top: Int) -> JSONValue {
        .object(
            JSONObject([
                (
                    "content",
                    .array(
                        tokens.map { t in
                            let alternatives = OpenAIJob.alternatives(t, count: max(top, 1))
                            return .object(
                                JSONObject([
                                    ("token", .string(t)), ("logprob", .double(alternatives[0].1)),
                                    ("bytes", .array(t.utf8.map { .int(Int($0)) })),
                                    (
                                        "top_logprobs",
                                        .array(
                                            alternatives.prefix(top).map { a in
                                                .object(
                                                    JSONObject([
                                                        ("token", .string(a.0)), ("logprob", .double(a.1)),
                                                        ("bytes", .array(a.0.utf8.map { .int(Int($0)) })),
                                                    ]))
                                            })
                                    ),
                                ]))
                        })
                )
            ]))
    }

    /// Completion log-probabilities (`text_offset`, `token_logprobs`, `tokens`, `top_logprobs`).
    static func completionLogprobs(_ tokens: [String], top: Int, offset: Int) -> JSONValue {
        var offsets: [JSONValue] = []
        var at = offset
        for t in tokens {
            offsets.append(.int(at))
            at += t.count
        }
        return .object(
            JSONObject([
                ("text_offset", .array(offsets)),
                ("token_logprobs", .array(tokens.map { .double(OpenAIJob.alternatives($0, count: 1)[0].1) })),
                ("tokens", .array(tokens.map { .string($0) })),
                (
                    "top_logprobs",
                    .array(
                        tokens.map { t in
                            .object(
                                JSONObject(
                                    OpenAIJob.alternatives(t, count: max(top, 1)).prefix(max(top, 1)).map {
                                        ($0.0, JSONValue.double($0.1))
                                    }))
                        })
                ),
            ]))
    }

    /// Most bytes one token takes in a whole answer of this shape (docs/http.md, "Answer budget"): its text, and
    /// with log-probabilities its entry, measured by rendering the longest token with `top` alternatives.
    static func maxBytesPerToken(kind: OpenAIRequest.Kind, logprobs top: Int?) -> Int {
        let text = CompletionText.maxPieceBytes
        guard let top else { return text }
        let longest = " " + (CompletionText.words.max { $0.utf8.count < $1.utf8.count } ?? "")
        let entry =
            kind == .chat
            ? chatLogprobs([longest, longest], top: top).serializedBytes(compact: true).count
                - chatLogprobs([longest], top: top).serializedBytes(compact: true).count
            : completionLogprobs([longest, longest], top: top, offset: 0).serializedBytes(compact: true).count
                - completionLogprobs([longest], top: top, offset: 0).serializedBytes(compact: true).count
        // The token's text is kept beside the answer until it is rendered; numbers may print a few digits longer.
        return text * 2 + entry + 32
    }

    /// `count` (token, log-probability) pairs for a sampled token: the token itself most likely, then made-up
    /// alternatives, each less likely; deterministic per token.
    static func alternatives(_ token: String, count: Int) -> [(String, Double)] {
        let h = stableHash(token.utf8)
        let best = -Double(h % 1000) / 4000  // in (-0.25, 0]
        var out = [(token, best)]
        let fillers = [" the", " a", " of", ",", " and", ".", " to", " is", " in", " that"]
        for k in 1..<max(count, 1) {
            let f = fillers[(Int(h % 7) + k) % fillers.count]
            out.append((f == token ? f + f : f, best - 1.5 - Double(k)))
        }
        return out
    }
}
