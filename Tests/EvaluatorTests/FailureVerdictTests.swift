import EvaluatorClient
import Foundation
import MoECore
import Testing

@testable import Evaluator

/// Issue 18 (the evaluator's three): aborted streams are failures, a run with some failed requests says so and
/// is incomplete unless `--allow-failures`, and the API key goes out as a bearer token.
@Suite struct FailureVerdictTests {
    func withOutput<T>(_ body: (String) async throws -> T) async throws -> T {
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        return try await body(dir.path)
    }

    @Test func answersThatEndInAbortAreFailures() {
        let start = ContinuousClock.now
        let chunk = #"data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}"#
        let abort = #"data: {"choices":[{"index":0,"delta":{"content":""},"finish_reason":"abort"}]}"#
        guard
            case .failure(let f) = ChatResponseReader.read(
                FakeTransport.sse([chunk, abort, "data: [DONE]"]), start: start)
        else {
            Issue.record("an aborted stream was read as an answer")
            return
        }
        #expect(f.cause == .errorAnswer && f.message.contains("abort"))
        let whole = FakeTransport.response(
            200, #"{"choices":[{"index":0,"message":{"content":"x"},"finish_reason":"abort"}]}"#)
        #expect((try? ChatResponseReader.read(whole, start: start).get()) == nil)
    }

    /// Two of six requests fail: the run is incomplete with a failure line naming the count, the files are
    /// written; with `allowFailures` the same run completes.
    @Test func someFailedRequestsMakeTheRunIncompleteUnlessAllowed() async throws {
        for allow in [false, true] {
            try await withOutput { out in
                var server = ScriptedSLLM()
                let calls = CallCounter()
                let base = server.chat
                server.chat = { request throws(HTTPClientError) in
                    // The warm-up is call 1; calls 3 and 5 fail.
                    let n = calls.next()
                    if n == 3 || n == 5 { return FakeTransport.response(200, #"{"error":"Instance stopped"}"#) }
                    return try await base(request)
                }
                var config = testConfig(out)
                config.allowFailures = allow
                let (status, metrics) = try await Evaluation(config: config, transport: server.transport()).run(
                    dataset: try sampleDataset(6))
                #expect(metrics["client_metrics"]?["failed_requests"] == 2)
                if allow {
                    #expect(status == .completed)
                } else {
                    guard case .incomplete(let problems) = status,
                        case .someRequestsFailed(let count, let total, _) = problems.first
                    else {
                        Issue.record("expected someRequestsFailed, got \(status)")
                        return
                    }
                    #expect(count == 2 && total == 6)
                    #expect(problems[0].description.contains("2 of 6 requests failed"))
                }
            }
        }
    }
}

private final class CallCounter: Sendable {
    private let count = Locked(0)
    func next() -> Int {
        count.withLock { c in
            c += 1
            return c
        }
    }
}
