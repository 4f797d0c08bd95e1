import EvaluatorClient
import Foundation
import MoECore

/// Sends one chat request and turns the answer into a ``RequestOutcome`` (JSON or SSE), over any
/// ``HTTPTransport``. A value type: `Sendable`; `run` may be called concurrently.
struct ChatRequester: Sendable {
    let transport: any HTTPTransport
    let url: String
    var retry: RetryPolicy
    let timeout: Duration
    let stream: Bool
    /// The largest answer accepted (`--max-response-bytes`).
    let maxResponseBytes: Int?
    /// Extra header fields sent with every request (the closed-loop plan of a run's requests).
    var headers: HTTPHeaders = [:]
    /// The gate that lets a closed loop's requests go in index order (its own HTTP client only); a request handed
    /// over before the concurrency let it go (no `allowedAt`) counts its latency from when the gate let it go.
    var gate: ClosedLoopGate?

    /// Sends item `index`'s `payload`; its latency counts from `allowedAt` (the moment the schedule let it go, when
    /// it waited for a connection slot before this call), else from now.
    func run(
        index: Int, payload: JSONValue, runStart: ContinuousClock.Instant, allowedAt: ContinuousClock.Instant? = nil
    ) async -> RequestOutcome {
        var body = payload
        if stream, case .object(var o) = body {
            o["stream"] = true
            o["stream_options"] = ["include_usage": true]
            body = .object(o)
        }
        var request = HTTPRequest.post(
            url: url, json: body, headers: headers, timeout: timeout, maxResponseBytes: maxResponseBytes)
        if let gate, index >= 0 { request.turn = .init(gate: gate, index: index) }
        var start = allowedAt ?? ContinuousClock.now
        var outcome = RequestOutcome(
            index: index, response: nil, text: "", error: nil, startOffset: runStart.duration(to: start).inSeconds)
        let response: HTTPResponse
        do throws(HTTPClientError) {
            response = try await transport.send(request, retrying: retry)
        } catch {
            outcome.fail(ServerFailure(.transport(error.kind), error.description))
            return outcome
        }
        if let turn = request.turn, allowedAt == nil {
            start = turn.released.instant ?? response.startTime
            outcome.startOffset = runStart.duration(to: start).inSeconds
        }
        switch ChatResponseReader.read(response, start: start) {
        case .failure(let f):
            outcome.fail(f)
        case .success(let r):
            outcome.response = r.response
            outcome.text = r.text
            outcome.promptTokens = r.promptTokens
            outcome.completionTokens = r.completionTokens
            outcome.tokenTimes = r.tokenTimes
            outcome.ttft = r.tokenTimes.first
            outcome.simulated = r.simulated
            outcome.e2e = start.duration(to: response.endTime).inSeconds
        }
        return outcome
    }
}
