import MoECore

/// The bodies of one ServerlessLLM-mode chat completion, written straight as compact JSON bytes
/// (``CompactJSONBytes``): the whole `chat.completion` answer, each `chat.completion.chunk` event and the usage
/// chunk. The bytes are those `JSONValue`'s compact serialisation gives for the same tree, key order included
/// (docs/http.md "Cost per request"); `ChatCompletionJSONTests` holds them to it. No tree is built per answer or
/// per token, and the head every chunk shares (`id`, `object`, `created`, `model`) is escaped once per request.
struct ChatCompletionJSON: Sendable {
    /// A chunk's `delta`.
    enum Delta {
        /// `{"role":"assistant","content":""}`: vLLM's role chunk, sent with a choice's first token.
        case role
        /// `{"content":…}`: new text.
        case content(String)
        /// `{}`: the chunk that carries the finish reason.
        case empty
    }

    let requestId: String
    let model: String
    let created: Int
    /// `{"id":…,"object":"chat.completion.chunk","created":…,"model":…,` as bytes.
    private let chunkHead: [UInt8]

    init(requestId: String, model: String, created: Int) {
        self.requestId = requestId
        self.model = model
        self.created = created
        var b = CompactJSONBytes()
        Self.writeHead(#""chat.completion.chunk""#, requestId: requestId, model: model, created: created, into: &b)
        chunkHead = b.take()
    }

    /// The whole answer (the backend's `process_output` shape, docs/sllm-api.md §3.6 step 6): `id`, `object`,
    /// `created`, `model`, `choices` (each `index`, `message` {`role`, `content`}, `logprobs` null,
    /// `finish_reason`), `usage`.
    func answer(
        choices: some Sequence<(text: String, finish: String)>, promptTokens: Int, completionTokens: Int
    ) -> [UInt8] {
        var b = CompactJSONBytes()
        Self.writeHead(#""chat.completion""#, requestId: requestId, model: model, created: created, into: &b)
        b.raw(#""choices":["#)
        for (i, c) in choices.enumerated() {
            if i > 0 { b.raw(",") }
            b.raw(#"{"index":"#)
            b.int(i)
            b.raw(#","message":{"role":"assistant","content":"#)
            b.string(c.text)
            b.raw(#"},"logprobs":null,"finish_reason":"#)
            b.string(c.finish)
            b.raw("}")
        }
        b.raw("],")
        Self.writeUsage(promptTokens: promptTokens, completionTokens: completionTokens, into: &b)
        b.raw("}")
        return b.take()
    }

    /// Appends one `chat.completion.chunk` event (`data: {…}` and a blank line): `choices` holds one choice with
    /// `index`, `delta`, `logprobs` null and `finish_reason` (`finish`, or null).
    func writeChunk(index: Int, delta: Delta, finish: String?, into b: inout CompactJSONBytes) {
        b.raw("data: ")
        b.raw(bytes: chunkHead)
        b.raw(#""choices":[{"index":"#)
        b.int(index)
        switch delta {
        case .role: b.raw(#","delta":{"role":"assistant","content":""}"#)
        case .content(let text):
            b.raw(#","delta":{"content":"#)
            b.string(text)
            b.raw("}")
        case .empty: b.raw(#","delta":{}"#)
        }
        b.raw(#","logprobs":null,"finish_reason":"#)
        if let finish { b.string(finish) } else { b.raw("null") }
        b.raw("}]}\n\n")
    }

    /// Appends the usage event sent last when the client asked for `stream_options.include_usage`: empty
    /// `choices`, then `usage`.
    func writeUsageChunk(promptTokens: Int, completionTokens: Int, into b: inout CompactJSONBytes) {
        b.raw("data: ")
        b.raw(bytes: chunkHead)
        b.raw(#""choices":[],"#)
        Self.writeUsage(promptTokens: promptTokens, completionTokens: completionTokens, into: &b)
        b.raw("}\n\n")
    }

    /// `"usage":{"prompt_tokens":…,"completion_tokens":…,"total_tokens":…}`.
    private static func writeUsage(promptTokens: Int, completionTokens: Int, into b: inout CompactJSONBytes) {
        b.raw(#""usage":{"prompt_tokens":"#)
        b.int(promptTokens)
        b.raw(#","completion_tokens":"#)
        b.int(completionTokens)
        b.raw(#","total_tokens":"#)
        b.int(promptTokens + completionTokens)
        b.raw("}")
    }

    /// `{"id":…,"object":<object>,"created":…,"model":…,`.
    private static func writeHead(
        _ object: StaticString, requestId: String, model: String, created: Int, into b: inout CompactJSONBytes
    ) {
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
}
