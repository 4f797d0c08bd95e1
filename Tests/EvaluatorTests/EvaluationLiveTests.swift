import EvaluatorClient
import Foundation
import MoECore
import Testing

@testable import Evaluator

/// The run with the real libcurl client against the in-process test server: limits that only sockets show.
@Suite struct EvaluationLiveTests {
    /// A chat answer the server sends after `delay`.
    static func chatReply(after delay: Duration) -> TestReply {
        TestHTTPServer.sleep(delay)
        let body: JSONValue = [
            "id": "c", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [
                ["index": 0, "message": ["role": "assistant", "content": "#### 42"], "finish_reason": "stop"]
            ],
            "usage": ["prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5],
        ]
        return .json(200, body)
    }

    @Test func warmUpHonoursTheTimeoutAndNothingIsSentAfterIt() async throws {
        let server = try TestHTTPServer { request in
            request.path == "/v1/chat/completions"
                ? Self.chatReply(after: .seconds(300)) : .json(404, ["detail": "Not Found"])
        }
        defer { server.stop() }
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        var config = testConfig(dir.path)
        config.serverURL = server.baseURL
        config.timeout = 0.5
        config.retries = 2  // the default: a timed-out warm-up is still not retried
        let clock = ContinuousClock()
        let start = clock.now
        let (status, _) = try await Evaluation(config: config).run(dataset: try sampleDataset(3))
        #expect(start.duration(to: clock.now) < .seconds(120))  // wide (a saturated machine), far below 300 s
        #expect(status == .incomplete([.warmUpTimedOut(url: server.baseURL, seconds: 0.5)]))
        #expect(server.requestCount == 1)
    }

    @Test func defaultConcurrencyIsAHundredInFlight() async throws {
        let gauge = ConcurrencyGauge()
        let sllm = ScriptedSLLM()
        let server = try TestHTTPServer { request in
            if request.path == "/v1/chat/completions" {
                return gauge.measure { Self.chatReply(after: .milliseconds(300)) }
            }
            let answer = sllm.control(request.path)
            return .response(status: answer.status, headers: ["Content-Type": "application/json"], body: answer.body)
        }
        defer { server.stop() }
        let dir = try DatasetTempDirectory()
        defer { dir.remove() }
        var config = testConfig(dir.path)
        config.serverURL = server.baseURL
        #expect(config.concurrency == 100)
        let (status, metrics) = try await Evaluation(config: config).run(dataset: try sampleDataset(160))
        #expect(status == .completed)
        #expect(metrics["client_metrics"]?["successful_requests"] == 160)
        #expect(gauge.peak <= 100)
        #expect(gauge.peak >= 80, "peak \(gauge.peak): the cap should be reached")
    }

    @Test func answersOverTheSizeCapFailWithTheCapNamed() async throws {
        let big = String(repeating: "x", count: 200_000)
        let server = try TestHTTPServer { _ in .json(200, ["choices": [["message": ["content": .string(big)]]]]) }
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }
        let requester = ChatRequester(
            transport: client, url: server.baseURL + "/v1/chat/completions", retry: .none, timeout: .seconds(10),
            stream: false, maxResponseBytes: 64 * 1024)
        let outcome = await requester.run(index: 0, payload: ["model": "m"], runStart: .now)
        #expect(!outcome.succeeded)
        #expect(outcome.error?.contains("response too large") == true)
        #expect(outcome.error?.contains("65536-byte cap") == true)
        let roomy = ChatRequester(
            transport: client, url: server.baseURL + "/v1/chat/completions", retry: .none, timeout: .seconds(10),
            stream: false, maxResponseBytes: 1 << 20)
        #expect(await roomy.run(index: 0, payload: ["model": "m"], runStart: .now).succeeded)
    }

    @Test func aStreamWithoutContentLengthIsCutAtTheCapToo() async throws {
        let chunk = TestChunk(delay: .zero, bytes: Array(String(repeating: ": padding\n", count: 1000).utf8))
        let server = try TestHTTPServer { _ in
            .chunked(
                status: 200, headers: ["Content-Type": "text/event-stream"], chunks: Array(repeating: chunk, count: 20))
        }
        defer { server.stop() }
        let client = try HTTPClient()
        defer { client.shutdown() }
        do {
            _ = try await client.send(HTTPRequest(url: server.baseURL, maxResponseBytes: 32 * 1024), onEvent: nil)
            Issue.record("a 200 KB stream passed a 32 KB cap")
        } catch {
            #expect(error.kind == .responseTooLarge)
        }
        let whole = try await client.send(HTTPRequest(url: server.baseURL, maxResponseBytes: 1 << 20), onEvent: nil)
        #expect(whole.body.count == 20 * 10_000)
    }
}
