/// One server-sent event (the WHATWG `text/event-stream` format) as dispatched by ``SSEParser``.
package struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, or nil when absent (the default type "message").
    package var event: String?
    /// The `data:` lines joined by `\n`.
    package var data: String
    /// The last `id:` seen in the stream up to this event, or nil.
    package var id: String?
    /// The comment lines (`: text`, without the colon and one leading space) inside this event's block, in order.
    /// WHATWG clients ignore them; fake-sllm puts each event's simulated time in one (docs/evaluator.md).
    package var comments: [String]

    package init(event: String? = nil, data: String, id: String? = nil, comments: [String] = []) {
        self.event = event
        self.data = data
        self.id = id
        self.comments = comments
    }

    /// Whether this is the OpenAI end-of-stream marker `data: [DONE]`.
    package var isDone: Bool { data == "[DONE]" }
}
