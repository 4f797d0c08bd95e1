/// One server-sent event (the WHATWG `text/event-stream` format) as dispatched by ``SSEParser``.
public struct SSEEvent: Sendable, Equatable {
    /// The `event:` field, or nil when absent (the default type "message").
    public var event: String?
    /// The `data:` lines joined by `\n`.
    public var data: String
    /// The last `id:` seen in the stream up to this event, or nil.
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// Whether this is the OpenAI end-of-stream marker `data: [DONE]`.
    public var isDone: Bool { data == "[DONE]" }
}
