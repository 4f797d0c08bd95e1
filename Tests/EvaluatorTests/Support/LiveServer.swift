import Evaluator
import EvaluatorClient
import MoECore

/// Runs `body` against a fresh ``TestHTTPServer`` and ``HTTPClient``, stopping both afterwards.
func withLiveServer<T>(
    client configuration: HTTPClient.Configuration = HTTPClient.Configuration(),
    handler: @escaping @Sendable (TestRequest) -> TestReply,
    _ body: (TestHTTPServer, HTTPClient) async throws -> T
) async throws -> T {
    let server = try TestHTTPServer(handler: handler)
    let client = try HTTPClient(configuration: configuration)
    defer {
        client.shutdown()
        server.stop()
    }
    return try await body(server, client)
}

/// Counts how many handler calls run at once and the peak, for checks on the client's connection cap.
final class ConcurrencyGauge: Sendable {
    private let counts = Locked((current: 0, peak: 0))

    var peak: Int { counts.withLock { $0.peak } }

    /// Runs `work` counted as one concurrent call.
    func measure<T>(_ work: () -> T) -> T {
        counts.withLock {
            $0.current += 1
            $0.peak = max($0.peak, $0.current)
        }
        defer { counts.withLock { $0.current -= 1 } }
        return work()
    }
}

/// Milliseconds in `duration`, as a Double, for readable expectations.
func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}
