import Foundation
import MoECore
import Testing

/// `moecap-eval check` run like a user against fake-sllm in its modes: one line per check, the right verdict,
/// a non-zero exit when a run would fail.
@Suite struct CheckEndToEndTests {
    let deploy = Binaries.fixture("deploy/qwen3-30b-a3b-h100.json")
    let model = "Qwen/Qwen3-30B-A3B"

    func check(_ url: String, _ extra: [String] = [], model: String? = nil) async throws -> Binaries.Result {
        try await Binaries.run(
            "moecap-eval", ["check", "--server-url", url, "--model", model ?? self.model, "--timeout", "20"] + extra)
    }

    /// The outcome mark of check `name` in the output (`ok`, `warn`, `FAIL`, `skip`).
    func mark(_ r: Binaries.Result, _ name: String) -> String? {
        for line in r.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, parts[1] == name {
                return parts[0].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            }
        }
        return nil
    }

    @Test func readyModelPassesAndNoRecordingIsLeftOn() async throws {
        let server = try Binaries.Server(["--no-wait", "--deploy", deploy])
        defer { server.stop() }
        let first = try await check(server.url, ["--enable-expert-recording", "--stream"])
        #expect(first.status == 0, "\(first.stdout)")
        let second = try await check(server.url, ["--enable-expert-recording", "--stream"])
        #expect(second.status == 0)
        for name in ["server", "model", "instance", "recording", "experts", "chat", "clock", "stream"] {
            #expect(mark(second, name) == "ok", "\(name): \(second.stdout)")
        }
        #expect(second.stdout.hasSuffix("verdict: a run with these settings will work\n"))
        #expect(second.stdout.contains("client figures in simulated seconds"))
    }

    @Test func coldStartFromZeroIsAWarningNotAFailure() async throws {
        let server = try Binaries.Server([
            "--speedup", "100", "--cold-start", "30", "--quirk", "scale_to_zero", "--deploy", deploy,
        ])
        defer { server.stop() }
        let r = try await check(server.url)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(mark(r, "instance") == "warn" && r.stdout.contains("cold-started"))
        #expect(mark(r, "recording") == "ok")
    }

    @Test func vllmBackendFailsTheRecordingCheck() async throws {
        let dir = Binaries.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"{"model": "Qwen/Qwen3-30B-A3B", "backend": "vllm", "backend_config": {"max_model_len": 8192}}"#
            .write(toFile: dir + "/vllm.json", atomically: true, encoding: .utf8)
        let server = try Binaries.Server(["--no-wait", "--deploy", dir + "/vllm.json"])
        defer { server.stop() }
        let r = try await check(server.url)
        #expect(r.status != 0)
        #expect(mark(r, "recording") == "FAIL" && r.stdout.contains("vllm_moecap"))
        #expect(mark(r, "chat") == "ok")
        #expect(r.stdout.contains("verdict: a run with these settings would fail (recording)"))
    }

    @Test func rejectedStreamFailsOnlyARunThatStreams() async throws {
        let server = try Binaries.Server(["--no-wait", "--quirk", "reject_stream", "--deploy", deploy])
        defer { server.stop() }
        let plain = try await check(server.url)
        #expect(plain.status == 0, "\(plain.stdout)")
        #expect(mark(plain, "stream") == "warn")
        let streaming = try await check(server.url, ["--stream"])
        #expect(streaming.status != 0)
        #expect(
            mark(streaming, "stream") == "FAIL" && streaming.stdout.contains("Unexpected keyword argument 'stream'"))
    }

    @Test func unknownModelAndDeadServerFail() async throws {
        let server = try Binaries.Server(["--no-wait", "--deploy", deploy])
        let unknown = try await check(server.url, model: "acme/none")
        #expect(unknown.status != 0)
        #expect(mark(unknown, "model") == "FAIL" && unknown.stdout.contains("Qwen/Qwen3-30B-A3B"))
        #expect(mark(unknown, "chat") == "skip")
        let url = server.url
        server.stop()
        let down = try await check(url)
        #expect(down.status != 0)
        #expect(mark(down, "server") == "FAIL")
        #expect(down.stdout.split(separator: "\n").count == 9)  // eight checks and the verdict
    }
}
