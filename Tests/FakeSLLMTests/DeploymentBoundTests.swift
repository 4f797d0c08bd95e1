import Logging
import MoECore
import Testing

@testable import FakeSLLM

/// Issue 18: deployments are bounded (`--max-models`), case variants of one model id included, and a deleted
/// model leaves `/metrics`.
@Suite struct DeploymentBoundTests {
    func register(_ api: SLLMAPI, _ model: String) -> HTTPResponse {
        let r = api.handle(
            HTTPRequest(
                method: "POST", path: "/register",
                json: [
                    "model": .string(model), "backend": "vllm_moecap",
                    "backend_config": ["max_model_len": 4096],
                    "auto_scaling_config": ["min_instances": 0, "max_instances": 1],
                ]))
        guard case .now(let response) = r else { return .internalServerError }
        return response
    }

    @Test func caseVariantsCountAgainstMaxModels() throws {
        var s = SimulatorSettings()
        s.speedup = nil
        let api = SLLMAPI(registry: DeploymentRegistry(defaults: s, maxModels: 3))
        for name in ["Qwen/Qwen3-30B-A3B", "qwen/qwen3-30b-a3b", "QWEN/QWEN3-30B-A3B"] {
            #expect(register(api, name).status == 200)
        }
        let past = register(api, "Qwen/QWEN3-30b-a3b")
        #expect(past.status == 503)
        #expect(past.jsonBody?["detail"]?.stringValue?.contains("--max-models") == true)
        #expect(api.registry.all.count == 3)
        // Deleting one makes room again.
        _ = api.handle(HTTPRequest(method: "POST", path: "/delete", json: ["model": "qwen/qwen3-30b-a3b"]))
        #expect(register(api, "Qwen/QWEN3-30b-a3b").status == 200)
    }

    @Test func aDeletedModelLeavesMetrics() async throws {
        let h = APIHarness()
        _ = await h.chat(["max_tokens": 2])
        let before = await h.send("GET", "/metrics")
        #expect(before.text.contains("model_name=\"\(APIHarness.model)\""))
        _ = await h.send("POST", "/delete", ["model": .string(APIHarness.model)])
        try await Task.sleep(nanoseconds: 50_000_000)  // a last step reported after the delete is not kept either
        let after = await h.send("GET", "/metrics")
        #expect(!after.text.contains("model_name=\"\(APIHarness.model)\""))
        // Registered again, it reports again.
        let again = h.api.handle(
            HTTPRequest(
                method: "POST", path: "/register",
                json: [
                    "model": .string(APIHarness.model), "backend": "vllm_moecap",
                    "backend_config": ["max_model_len": 4096],
                ]))
        guard case .now(let r) = again else { return }
        #expect(r.status == 200)
        _ = await h.chat(["max_tokens": 2])
        #expect((await h.send("GET", "/metrics")).text.contains("model_name=\"\(APIHarness.model)\""))
    }
}

/// Issue 18 (lower items): what a client sent cannot forge log lines.
@Suite struct LogEscapingTests {
    final class Capture: @unchecked Sendable {
        var lines: [String] = []
    }

    struct CaptureHandler: LogHandler {
        let capture: Capture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { capture.lines.append(event.message.description) }
    }

    @Test func controlCharactersAreEscaped() {
        let capture = Capture()
        let logger = Logger(label: "t") { _ in EscapingLogHandler(CaptureHandler(capture: capture)) }
        logger.notice("registered \("evil\nfake-sllm: registered admin\r\u{1B}[2J")")
        #expect(capture.lines == [#"registered evil\nfake-sllm: registered admin\r\u{1B}[2J"#])
        #expect(EscapingLogHandler.escaped("plain text") == "plain text")
    }
}
