/// Sends one HTTP request and returns the complete response: ``HTTPClient`` on the network, or a test double.
///
/// The evaluator's run logic is written against this seam, so it can be exercised without sockets. Any HTTP
/// status is a response, not an error; an implementation throws only when no complete response arrived.
///
/// Threading: implementations are `Sendable`; ``send(_:onEvent:)`` may be called from any task, concurrently.
/// Cancelling the calling task must end the call with ``HTTPClientError/Kind/cancelled``.
package protocol HTTPTransport: Sendable {
    /// Sends `request`; `onEvent` (when given) receives each server-sent event as it completes, in order.
    func send(
        _ request: HTTPRequest, onEvent: (@Sendable (SSEEvent, ContinuousClock.Instant) -> Void)?
    ) async throws(HTTPClientError) -> HTTPResponse
}

extension HTTPClient: HTTPTransport {}
