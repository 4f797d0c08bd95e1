/// One server-sent event (the WHATWG `text/event-stream` format) as dispatched by ``SSEParser``.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, or nil when absent (the default type "message").
    public var event: String?
    /// The `data:` lines joined by `\n`.
    public var data: String
    /// The last `id:` seen in the stream up to this event, or nil.
    public var id: String?
    /// The comment lines (`: text`, without the colon and one leading space) inside this event's block, in order.
    /// WHATWG clients ignore them; fake-sllm puts each event's simulated time in one (docs/evaluator.md).
    public var comments: [String]

    public init(event: String? = nil, data: String, id: String? = nil, comments: [String] = []) {
        self.event = event
        self.data = data
        self.id = id
        self.comments = comments
    }

    /// Whether this is the OpenAI end-of-stream marker `data: [DONE]`.
    public var isDone: Bool { data == "[DONE]" }
}
