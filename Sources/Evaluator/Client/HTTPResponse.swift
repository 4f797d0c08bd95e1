import MoECore

/// A complete HTTP response with the client-side timing of its arrival.
///
/// Times are instants of `ContinuousClock` (monotonic, unaffected by wall-clock changes), taken on the client's
/// transfer thread as bytes arrive. A value type: `Sendable`.
public struct HTTPResponse: Sendable {
    /// The status code of the final response (after redirects).
    public var status: Int
    /// The header fields of the final response, in order.
    public var headers: HTTPHeaders
    /// The whole body as received (for event streams too, so a non-stream error answer is never lost).
    public var body: [UInt8]
    /// Server-sent events parsed from the body, each stamped when its last byte arrived. Empty unless the
    /// response was `text/event-stream` or the request was sent with an event callback.
    public var events: [TimedSSEEvent]
    /// When the transfer was handed to libcurl (after any wait for a free connection slot).
    public var startTime: ContinuousClock.Instant
    /// When the first byte of the response (its status line) arrived.
    public var firstByteTime: ContinuousClock.Instant?
    /// When the first server-sent event arrived (for LLM streams: the first token chunk).
    public var firstEventTime: ContinuousClock.Instant? { events.first?.time }
    /// When the transfer completed.
    public var endTime: ContinuousClock.Instant

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON.
    public func json() throws(JSONParseError) -> JSONValue { try JSONValue.parse(body) }

    /// `endTime - startTime`.
    public var duration: Duration { startTime.duration(to: endTime) }
}

/// A server-sent event and the monotonic instant at which it was complete on the client.
public struct TimedSSEEvent: Sendable, Equatable {
    public var event: SSEEvent
    public var time: ContinuousClock.Instant

    public init(event: SSEEvent, time: ContinuousClock.Instant) {
        self.event = event
        self.time = time
    }
}
