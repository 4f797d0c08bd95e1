import FakeSLLMHTTP
import Foundation
import Glibc
import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// The real HTTP server on port 0, driven over sockets.
@Suite struct LiveServerTests {
    static func start(speedup: Double?, maxBody: Int = 1 << 20) throws -> (HTTPServer, SLLMAPI) {
        var s = SimulatorSettings()
        s.speedup = speedup
        s.serving = .direct
        let api = SLLMAPI(registry: DeploymentRegistry(defaults: s))
        let reg = api.handle(
            HTTPRequest(
                method: "POST", path: "/register",
                json: [
                    "model": "Qwen/Qwen3-30B-A3B", "backend": "vllm_moecap", "backend_config": ["max_model_len": 8192],
                ]))
        guard case .now(let r) = reg, r.status == 200 else { throw POSIXError(.EINVAL) }
        var o = HTTPServerOptions()
        o.port = 0
        o.maxBodyBytes = maxBody
        let server = HTTPServer(options: o, handler: { api.handle($0) })
        try server.start()
        return (server, api)
    }

    static let chat = #"{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Hi"}],"max_tokens":8}"#

    @Test func servesJSONAndErrorsOverSockets() throws {
        let (server, _) = try Self.start(speedup: nil)
        defer { server.stop() }
        #expect(server.port > 0)
        let c = try RawHTTPClient(port: server.port)
        c.send("POST", "/v1/chat/completions", body: Self.chat)
        let r = c.readAll()
        #expect(r.status == 200)
        #expect(try JSONValue.parse(r.body)["object"] == "chat.completion")

        let q = try RawHTTPClient(port: server.port)
        q.send("GET", "/batch_recording_status?model=Qwen%2FQwen3-30B-A3B")
        let status = q.readAll()
        #expect(status.status == 200)
        #expect(try JSONValue.parse(status.body)["model"] == "Qwen/Qwen3-30B-A3B")

        let bad = try RawHTTPClient(port: server.port)
        bad.send("POST", "/v1/chat/completions", body: "{oops")
        let b = bad.readAll()
        #expect(b.status == 500 && b.body == "Internal Server Error")
    }

    @Test func oversizedBodiesGet413AndTheServerKeepsServing() throws {
        let (server, _) = try Self.start(speedup: nil, maxBody: 4096)
        defer { server.stop() }
        let c = try RawHTTPClient(port: server.port)
        c.send("POST", "/v1/chat/completions", body: String(repeating: "x", count: 100_000))
        let r = c.readAll()
        #expect(r.status == 413)
        #expect(try JSONValue.parse(r.body)["detail"]?.stringValue?.contains("too large") == true)
        let ok = try RawHTTPClient(port: server.port)
        ok.send("POST", "/v1/chat/completions", body: Self.chat)
        #expect(ok.readAll().status == 200)
    }

    @Test func manyConcurrentRequests() async throws {
        let (server, _) = try Self.start(speedup: nil)
        defer { server.stop() }
        let port = server.port
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    guard let c = try? RawHTTPClient(port: port) else { return -1 }
                    c.send("POST", "/v1/chat/completions", body: Self.chat)
                    return c.readAll().status
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 200 && statuses.allSatisfy { $0 == 200 })
    }

    @Test func streamTokensArriveAtSimulatedTimes() throws {
        let (server, _) = try Self.start(speedup: 1)
        defer { server.stop() }
        let c = try RawHTTPClient(port: server.port)
        c.send(
            "POST", "/v1/chat/completions",
            body:
                #"{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Hi"}],"max_tokens":20,"ignore_eos":true,"stream":true}"#
        )
        var arrivals: [Double] = []
        var all = [UInt8]()
        while let (bytes, at) = c.readSome() {
            all += bytes
            let events = String(decoding: bytes, as: UTF8.self).components(separatedBy: "\"content\":\"").count - 1
            for _ in 0..<events { arrivals.append(at) }
        }
        let text = String(decoding: all, as: UTF8.self)
        #expect(text.contains("data: [DONE]"))
        // Tokens are paced: the stream spans at least 19 decode steps of simulated time.
        let span = (arrivals.last ?? 0) - (arrivals.first ?? 0)
        #expect(arrivals.count >= 20)
        #expect(span > 0.05)
    }

    @Test func clientDisconnectCancelsTheRequest() throws {
        let (server, api) = try Self.start(speedup: 1)
        defer { server.stop() }
        for streaming in [true, false] {
            let c = try RawHTTPClient(port: server.port)
            c.send(
                "POST", "/v1/chat/completions",
                body:
                    #"{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Hi"}],"max_tokens":5000,"ignore_eos":true,"stream":\#(streaming)}"#
            )
            if streaming { _ = c.readSome() } else { usleep(200_000) }
            shutdown(c.fd, Int32(SHUT_RDWR))
            let deployment = try #require(api.registry.all.first)
            let runner = try #require(deployment.readyInstance)
            // Within the watcher's period plus a step, the engine stops working on it.
            usleep(600_000)
            let a = runner.forwardPassCount
            usleep(300_000)
            #expect(runner.forwardPassCount == a, "engine still stepping after the client left (stream: \(streaming))")
        }
        #expect(server.inFlight == 0)
    }

    @Test func stopEndsStreamsAndReleasesThePort() throws {
        let (server, _) = try Self.start(speedup: 1)
        let port = server.port
        let c = try RawHTTPClient(port: port)
        c.send(
            "POST", "/v1/chat/completions",
            body:
                #"{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Hi"}],"max_tokens":5000,"ignore_eos":true,"stream":true}"#
        )
        _ = c.readSome()
        let started = monotonicSeconds()
        server.stop()
        #expect(monotonicSeconds() - started < 3)
        #expect(throws: (any Error).self) { try RawHTTPClient(port: port) }
    }
}
