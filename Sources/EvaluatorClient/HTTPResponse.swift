import MoECore

/// A complete HTTP response with the client-side timing of its arrival.
///
/// Times are instants of `ContinuousClock` (monotonic, unaffected by wall-clock changes), taken on the client's
/// transfer thread as bytes arrive. A value type: `Sendable`.
package struct HTTPResponse: Sendable {
    /// The status code of the final response (after redirects).
    package var status: Int
    /// The header fields of the final response, in order.
    package var headers: HTTPHeaders
    /// The whole body as received (for event streams too, so a non-stream error answer is never lost).
    package var body: [UInt8]
    /// Server-sent events parsed from the body, each stamped when its last byte arrived. Empty unless the
    /// response was `text/event-stream` or the request was sent with an event callback.
    package var events: [TimedSSEEvent]
    /// When the transfer was handed to libcurl (after any wait for a free connection slot).
    package var startTime: ContinuousClock.Instant
    /// When the first byte of a response (its status line) arrived; before any redirect, the first response's.
    package var firstByteTime: ContinuousClock.Instant?
    /// When the first server-sent event arrived (for LLM streams: the first token chunk).
    package var firstEventTime: ContinuousClock.Instant? { events.first?.time }
    /// When the transfer completed.
    package var endTime: ContinuousClock.Instant

    /// A response as the client builds it; public so that test doubles of a sender can make one.
    package init(
        status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], events: [TimedSSEEvent] = [],
        startTime: ContinuousClock.Instant, firstByteTime: ContinuousClock.Instant? = nil,
        endTime: ContinuousClock.Instant
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.events = events
        self.startTime = startTime
        self.firstByteTime = firstByteTime
        self.endTime = endTime
    }

    /// Whether the status is 2xx.
    package var isSuccess: Bool { (200..<300).contains(status) }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    package var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON.
    package func json() throws(JSONParseError) -> JSONValue { try JSONValue.parse(body) }

    /// `endTime - startTime`.
    package var duration: Duration { startTime.duration(to: endTime) }
}

/// A server-sent event and the monotonic instant at which it was complete on the client.
package struct TimedSSEEvent: Sendable, Equatable {
    package var event: SSEEvent
    package var time: ContinuousClock.Instant

    package init(event: SSEEvent, time: ContinuousClock.Instant) {
        self.event = event
        self.time = time
    }
}
