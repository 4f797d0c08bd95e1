import EvaluatorClient
import Foundation
import MoECore
import Testing

@testable import Evaluator

/// `moecap-eval check` against scripted servers: the situations a real ServerlessLLM or vLLM server creates.
@Suite struct ServerCheckTests {
    /// A real ServerlessLLM server whose model is scaled to zero: the status routes say "No ready instances"
    /// until a chat request has started one, then answer (here: a `vllm` backend, which does not record).
    @Test func realServerTellsTheBackendOnlyOnceAnInstanceIsReady() async throws {
        let started = Locked(false)
        let transport = FakeTransport { request throws(HTTPClientError) in
            switch FakeTransport.path(of: request.url) {
            case "/health": return FakeTransport.response(200, #"{"status":"ok"}"#)
            case "/v1/models": return FakeTransport.response(200, #"{"object":"list","models":[{"id":"m"}]}"#)
            case "/v1/chat/completions":
                started.withLock { $0 = true }
                if String(decoding: request.body ?? [], as: UTF8.self).contains("\"stream\"") {
                    return FakeTransport.response(
                        200, #"{"error":"Invalid sampling parameters: Unexpected keyword argument 'stream'"}"#)
                }
                return ScriptedSLLM.completion("Hi")
            case "/batch_recording_status", "/expert_distribution_status":
                guard started.withLock({ $0 }) else {
                    return FakeTransport.response(200, #"{"status":"error","message":"No ready instances available"}"#)
                }
                return FakeTransport.response(
                    400,
                    #"{"detail":"Model m does not support batch recording. Please deploy with backend='vllm_moecap'"}"#)
            default: return FakeTransport.response(404, #"{"detail":"Not Found"}"#)
            }
        }
        let report = await ServerCheck(
            transport: transport, serverURL: "http://sllm.test", model: "m", stream: false, expertRecording: false,
            timeout: .seconds(5)
        ).run()
        #expect(
            report.lines.map(\.name) == [
                "server", "model", "instance", "recording", "experts", "chat", "clock", "stream",
            ])
        #expect(report.line("clock")?.detail.contains("wall clock") == true)
        #expect(report.line("recording")?.outcome == .fail)
        #expect(report.line("instance")?.outcome == .ok)
        #expect(report.line("stream")?.outcome == .warn)
        #expect(!report.passed)
        #expect(report.text.hasSuffix("verdict: a run with these settings would fail (recording)"))
        // No recording route other than the two status reads was called.
        #expect(!transport.paths.contains { $0.hasPrefix("/start") || $0.hasPrefix("/stop") || $0.hasPrefix("/dump") })
    }

    /// vLLM's OpenAI server: an empty /health, models under "data", no recording routes at all.
    @Test func openAIServerIsReachableButDoesNotRecord() async throws {
        let transport = FakeTransport { request throws(HTTPClientError) in
            switch FakeTransport.path(of: request.url) {
            case "/health": return FakeTransport.response(200, "", headers: [:])
            case "/v1/models": return FakeTransport.response(200, #"{"object":"list","data":[{"id":"m"}]}"#)
            case "/v1/chat/completions": return ScriptedSLLM.completion("Hi")
            default: return FakeTransport.response(404, #"{"detail":"Not Found"}"#)
            }
        }
        let report = await ServerCheck(
            transport: transport, serverURL: "http://vllm.test", model: "m", stream: false, expertRecording: true,
            timeout: .seconds(5)
        ).run()
        #expect(report.line("server")?.outcome == .ok)
        #expect(report.line("model")?.outcome == .ok)
        #expect(report.line("recording")?.outcome == .fail)
        #expect(report.line("recording")?.detail.contains("no batch-recording routes") == true)
        #expect(report.line("experts")?.outcome == .fail)  // --enable-expert-recording needs it
        #expect(report.line("chat")?.outcome == .ok)
        // A JSON answer to a streamed request means `stream` was ignored.
        #expect(report.line("stream")?.outcome == .warn)
    }

    /// With a dataset, prompts longer than `max_model_len` are a warning: on a real ServerlessLLM each keeps its
    /// router slot forever.
    @Test func promptsLongerThanMaxModelLenAreAWarning() async throws {
        let transport = FakeTransport { request throws(HTTPClientError) in
            switch FakeTransport.path(of: request.url) {
            case "/health": return FakeTransport.response(200, "", headers: [:])
            case "/v1/models":
                return FakeTransport.response(200, #"{"object":"list","data":[{"id":"m","max_model_len":4096}]}"#)
            case "/v1/chat/completions": return ScriptedSLLM.completion("Hi")
            default: return FakeTransport.response(404, #"{"detail":"Not Found"}"#)
            }
        }
        func check(_ tokens: [Int], maxModelLen: Int? = nil) async -> CheckReport {
            await ServerCheck(
                transport: transport, serverURL: "http://vllm.test", model: "m", stream: false,
                expertRecording: false, timeout: .seconds(5), promptTokens: tokens, maxModelLen: maxModelLen
            ).run()
        }
        let long = await check([100, 5000, 9000])
        #expect(long.line("prompts")?.outcome == .warn)
        #expect(long.line("prompts")?.detail.hasPrefix("2 of 3 prompts exceed max_model_len 4096") == true)
        #expect(long.line("prompts")?.detail.contains("keeps its router slot forever") == true)
        #expect(long.lines.last?.name == "prompts")
        let fits = await check([100, 4000])
        #expect(fits.line("prompts")?.outcome == .ok)
        // The user's figure wins over the listing.
        let given = await check([100, 5000], maxModelLen: 8192)
        #expect(given.line("prompts")?.outcome == .ok)
        // Without a dataset there is no such line.
        let none = await ServerCheck(
            transport: transport, serverURL: "http://vllm.test", model: "m", stream: false, expertRecording: false,
            timeout: .seconds(5)
        ).run()
        #expect(none.line("prompts") == nil)
        #expect(PromptLength.estimate([["role": "user", "content": "Hello world"]]) == 2 + 4)
    }

    @Test func recordingAlreadyOnIsAWarning() async throws {
        let server = ScriptedSLLM()
        let transport = FakeTransport { request throws(HTTPClientError) in
            switch FakeTransport.path(of: request.url) {
            case "/health": return FakeTransport.response(200, #"{"status":"ok"}"#)
            case "/v1/models": return FakeTransport.response(200, #"{"models":[{"id":"m"}]}"#)
            default: return try await server.answer(request)
            }
        }
        let report = await ServerCheck(
            transport: transport, serverURL: "http://sllm.test", model: "m", stream: false, expertRecording: false,
            timeout: .seconds(5)
        ).run()
        #expect(report.line("recording")?.outcome == .warn)
        #expect(report.line("recording")?.detail.contains("already on") == true)
        #expect(report.passed)
    }
}
