import MoECore

/// An HTTP/1.1 (and HTTP/2 over TLS) client for many concurrent requests, built on libcurl's multi interface.
///
/// One dedicated thread drives every transfer of the client through one multi handle, so a thousand requests in
/// flight cost a thousand sockets, not a thousand threads. Connections are kept alive and reused across
/// requests. Requests beyond ``Configuration/maxConnections`` wait in the client, in order, and their timeout
/// starts when they are sent.
///
/// ```swift
/// let client = try HTTPClient()
/// let response = try await client.send(.post(url: "http://127.0.0.1:8500/v1/chat/completions", json: body))
/// ```
///
/// Threading: `Sendable`; call ``send(_:onEvent:)`` from any task, concurrently. Cancelling the calling task aborts
/// its transfer. Event callbacks run on the client's thread and must return quickly. ``shutdown()`` (or releasing
/// the last reference) fails whatever is still in flight with ``HTTPClientError/Kind/cancelled`` and stops the
/// thread.
package final class HTTPClient: Sendable {
    /// Limits and defaults shared by all requests of one client.
    package struct Configuration: Sendable, Equatable {
        /// Most transfers on the wire at once (and connections kept open for reuse); more wait in the client.
        package var maxConnections: Int
        /// Limit for establishing a connection (TCP and TLS).
        package var connectTimeout: Duration
        /// Whole-request limit for requests that set none; nil means no limit.
        package var requestTimeout: Duration?
        /// Redirects followed before failing with ``HTTPClientError/Kind/tooManyRedirects``.
        package var maxRedirects: Int
        /// The `User-Agent` header.
        package var userAgent: String
        /// Sent as `Authorization: Bearer <token>` on every request that carries no `Authorization` of its own
        /// (a server started with `--api-key`, as `vllm serve --api-key` and `fake-sllm --api-key` check it).
        package var bearerToken: String?

        package init(
            maxConnections: Int = 256, connectTimeout: Duration = .seconds(10),
            requestTimeout: Duration? = .seconds(600),
            maxRedirects: Int = 5, userAgent: String = "moecap-eval", bearerToken: String? = nil
        ) {
            self.bearerToken = bearerToken
            self.maxConnections = maxConnections
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxRedirects = maxRedirects
            self.userAgent = userAgent
        }
    }

    /// The configuration the client was created with.
    package let configuration: Configuration
    private let loop: CurlMultiLoop

    /// Starts the client's transfer thread.
    ///
    /// - Throws: ``HTTPClientError`` of kind `.other` when libcurl or the thread cannot be started.
    package init(configuration: Configuration = Configuration()) throws(HTTPClientError) {
        self.configuration = configuration
        self.loop = try CurlMultiLoop(configuration: configuration)
    }

    deinit { loop.shutdown() }

    /// Sends `request` and returns the complete response; any HTTP status is a response, not an error.
    ///
    /// When `onEvent` is given, or the response is `text/event-stream`, the body is parsed as server-sent events
    /// while it arrives; each event is stamped with the monotonic instant its last byte was received, passed to
    /// `onEvent` (on the client's thread, in order) and kept in ``HTTPResponse/events``.
    ///
    /// - Parameters:
    ///   - request: what to send.
    ///   - onEvent: called for each server-sent event as it completes; must not block.
    /// - Throws: ``HTTPClientError`` when no complete response arrived: connection failure, timeout, task
    ///   cancellation, client shut down, too many redirects.
    package func send(
        _ request: HTTPRequest, onEvent: (@Sendable (SSEEvent, ContinuousClock.Instant) -> Void)? = nil
    ) async throws(HTTPClientError) -> HTTPResponse {
        if Task.isCancelled {
            throw HTTPClientError(kind: .cancelled, message: "the task was cancelled", url: request.url)
        }
        let box = TransferBox()
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<CurlTransfer.Outcome, Never>) in
                let transfer = CurlTransfer(request: request, onEvent: onEvent, continuation: continuation)
                if box.store(transfer) { transfer.requestCancellation() }
                loop.submit(transfer)
            }
        } onCancel: {
            if let transfer = box.markCancelled() { loop.cancel(transfer) }
        }
        return try outcome.get()
    }

    /// How many turns the transfer thread has made (tests: an idle client must sleep, not spin). Any thread.
    var loopTurns: Int { loop.turns.load(ordering: .relaxed) }

    /// Fails every queued and running request with `.cancelled` and stops the transfer thread, waiting for it.
    /// Later calls to ``send(_:onEvent:)`` fail at once. Idempotent; any thread (from an event callback it stops
    /// the thread without waiting for it).
    package func shutdown() { loop.shutdown() }
}

/// Meets the cancellation handler and the transfer, whichever comes first: a cancellation that arrives before
/// the transfer exists is applied to it when it is stored. Any thread.
private final class TransferBox: Sendable {
    private let state = Locked<(transfer: CurlTransfer?, cancelled: Bool)>((nil, false))

    /// Stores the transfer; returns whether the task was already cancelled.
    func store(_ transfer: CurlTransfer) -> Bool {
        state.withLock { state in
            state.transfer = transfer
            return state.cancelled
        }
    }

    /// Records the cancellation; returns the transfer if it is already stored.
    func markCancelled() -> CurlTransfer? {
        state.withLock { state in
            state.cancelled = true
            return state.transfer
        }
    }
}
