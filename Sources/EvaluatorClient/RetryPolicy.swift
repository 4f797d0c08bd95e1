/// When and how long to wait before sending a request again.
///
/// Retried: connection failures, timeouts and HTTP 5xx answers. Never retried: any other status (2xx, 3xx, 4xx),
/// cancellation, too many redirects, malformed requests. The wait before retry `n` (1-based) is
/// `min(maxDelay, baseDelay · 2^(n-1))`, of which a random fraction `jitter` is drawn uniformly, so concurrent
/// clients that failed together do not come back together.
///
/// A value type: `Sendable`.
package struct RetryPolicy: Sendable, Equatable {
    /// Extra attempts after the first one.
    package var maxRetries: Int
    /// The wait before the first retry (before jitter).
    package var baseDelay: Duration
    /// The cap on any single wait.
    package var maxDelay: Duration
    /// The random part of each wait, 0 (fixed waits) to 1 (anything from zero to the full wait).
    package var jitter: Double
    /// Whether a timed-out attempt is retried (a caller that already waited its whole limit may not want to wait
    /// again).
    package var retriesTimeouts: Bool

    package init(
        maxRetries: Int = 2, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(10),
        jitter: Double = 0.5, retriesTimeouts: Bool = true
    ) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = min(1, max(0, jitter))
        self.retriesTimeouts = retriesTimeouts
    }

    /// No retries at all.
    package static let none = RetryPolicy(maxRetries: 0)

    /// Whether an attempt that ended in `outcome` deserves another try (ignoring the retry budget).
    package func shouldRetry(_ outcome: Result<HTTPResponse, HTTPClientError>) -> Bool {
        switch outcome {
        case .success(let response):
            return (500..<600).contains(response.status)
        case .failure(let error):
            return error.kind == .connectionFailed || (error.kind == .timeout && retriesTimeouts)
        }
    }

    /// The wait before retry number `retry` (1 for the first retry).
    package func delay(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let doublings = min(max(retry - 1, 0), 30)
        let full = min(maxDelay, baseDelay * (1 << doublings))
        let fixedPart = 1 - jitter
        return full * (fixedPart + jitter * Double.random(in: 0..<1, using: &generator))
    }
}

extension HTTPTransport {
    /// Sends `request`, retrying under `policy`; returns the last response (possibly a 5xx once retries are
    /// spent) or throws the last error.
    ///
    /// With `onEvent`, events of a failed attempt have already been delivered when the retry starts; the returned
    /// response holds only the final attempt's events. Cancellation during a back-off wait throws `.cancelled`.
    ///
    /// - Parameters:
    ///   - request: what to send, unchanged on every attempt.
    ///   - policy: when to retry and how long to wait.
    ///   - onEvent: as for ``HTTPTransport/send(_:onEvent:)``.
    package func send(
        _ request: HTTPRequest, retrying policy: RetryPolicy,
        onEvent: (@Sendable (SSEEvent, ContinuousClock.Instant) -> Void)? = nil
    ) async throws(HTTPClientError) -> HTTPResponse {
        var generator = SystemRandomNumberGenerator()
        var retry = 0
        while true {
            let outcome: Result<HTTPResponse, HTTPClientError>
            do throws(HTTPClientError) {
                outcome = .success(try await send(request, onEvent: onEvent))
            } catch {
                outcome = .failure(error)
            }
            guard retry < policy.maxRetries, policy.shouldRetry(outcome) else { return try outcome.get() }
            retry += 1
            do {
                try await Task.sleep(for: policy.delay(beforeRetry: retry, using: &generator))
            } catch {
                throw HTTPClientError(kind: .cancelled, message: "cancelled while waiting to retry", url: request.url)
            }
        }
    }
}
