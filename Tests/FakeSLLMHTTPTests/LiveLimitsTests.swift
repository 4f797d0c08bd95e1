import Foundation
import Glibc
import MoECore
import Testing

@testable import FakeSLLM
@testable import FakeSLLMHTTP

/// The limits of docs/http.md over real sockets: framing, connection cap, deadlines, access, buffers.
@Suite struct LiveLimitsTests {
    /// Each ambiguous framing gets one 400 and a closed connection: the request riding behind never runs.
    @Test(arguments: [
        "POST /delete HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /delete HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 36\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /delete HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST /delete HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "GET /health?\((0..<600).map { "a\($0)=b" }.joined(separator: "&")) HTTP/1.1\r\nHost: a\r\n\r\n",
        // Issue 18: framing headers in disguise (libmicrohttpd would read no body, and run what follows).
        "POST /delete HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /delete HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n 36\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /delete HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n",
        "POST /delete HTTP/1.1\r\nHost: a\r\nContent_Length: 36\r\n\r\nGET /health HTTP/1.1\r\nHost: a\r\n\r\n",
    ])
    func ambiguousRequestsGet400AndClose(raw: String) async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, register: false)
                defer { server.stop() }
                let c = try RawHTTPClient(port: server.port)
                c.sendRaw(raw)
                let r = c.readAll()
                #expect(r.status == 400)
                #expect(r.headers.lowercased().contains("connection: close"))
                #expect(!r.body.contains("HTTP/1.1"), "a second request was answered: \(r.body)")
            }
        }.get()
    }

    @Test func hugeContentLengthGets413() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, register: false)
                defer { server.stop() }
                for length in ["9223372036854775808", "99999999999999999999"] {
                    let c = try RawHTTPClient(port: server.port)
                    c.sendRaw("POST /delete HTTP/1.1\r\nHost: a\r\nContent-Length: \(length)\r\n\r\n")
                    #expect(c.readAll().status == 413)
                }
            }
        }.get()
    }

    /// Past `maxConnections`, the oldest connections that never sent a request are closed to make room: idle
    /// sockets do not lock others out.
    @Test func idleConnectionsAreRecycledPastTheCap() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, register: false) { $0.maxConnections = 4 }
                defer { server.stop() }
                let idle = try (0..<8).map { _ in try RawHTTPClient(port: server.port) }
                let c = try RawHTTPClient(port: server.port)
                c.send("GET", "/v1/models")
                #expect(c.readAll().status == 200)
                // The oldest idle ones were closed by the server (read sees the end, not the 30 s receive timeout).
                var buf = [UInt8](repeating: 0, count: 16)
                #expect(read(idle[0].fd, &buf, buf.count) <= 0)
                #expect(server.openConnections <= 4 + 1)
            }
        }.get()
    }

    /// When requests in progress alone exceed `maxConnections`, new requests get a clear 503 and `/health`
    /// still answers.
    @Test func requestsPastTheCapGet503() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: 1) { $0.maxConnections = 4 }
                defer { server.stop() }
                let busy = try (0..<5).map { _ in try RawHTTPClient(port: server.port) }
                for b in busy {
                    b.send("POST", "/v1/chat/completions", body: LiveServer.chat(maxTokens: 5000, stream: true))
                }
                for _ in 0..<500 where server.inFlight < 4 { usleep(10_000) }
                let c = try RawHTTPClient(port: server.port)
                c.send("GET", "/v1/models")
                let r = c.readAll()
                #expect(r.status == 503)
                #expect(r.body.contains("Too many connections"))
                let h = try RawHTTPClient(port: server.port)
                h.send("GET", "/health")
                #expect(h.readAll().status == 200)
                withExtendedLifetime(busy) {}
            }
        }.get()
    }

    /// A client that trickles its headers, or sends nothing, is closed at the header deadline.
    @Test func slowHeadersAreCutOff() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, register: false) {
                    $0.headerTimeout = 0.3
                    $0.bodyTimeout = 0.3
                }
                defer { server.stop() }
                let silent = try RawHTTPClient(port: server.port)
                let slow = try RawHTTPClient(port: server.port)
                slow.sendRaw("GET /health HTTP/1.1\r\nHost: a\r\n")
                let slowBody = try RawHTTPClient(port: server.port)
                slowBody.sendRaw("POST /delete HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n{")
                for c in [silent, slow, slowBody] {
                    // The server closes it: read sees the end (or a reset), not the 30 s receive timeout.
                    var buf = [UInt8](repeating: 0, count: 1024)
                    var errorCode: Int32 = 0
                    let n = read(c.fd, &buf, buf.count)
                    if n < 0 { errorCode = errno }
                    #expect(n == 0 || errorCode == ECONNRESET, "read gave \(n), errno \(errorCode)")
                }
                // A well-behaved client is served meanwhile.
                let ok = try RawHTTPClient(port: server.port)
                ok.send("GET", "/health")
                #expect(ok.readAll().status == 200)
            }
        }.get()
    }

    @Test func apiKeyIsRequiredExceptForHealth() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil) { $0.apiKey = APIKey("k-123") }
                defer { server.stop() }
                let no = try RawHTTPClient(port: server.port)
                no.send("POST", "/v1/chat/completions", body: LiveServer.chat(maxTokens: 4, stream: false))
                let r = no.readAll()
                #expect(r.status == 401)
                #expect(try JSONValue.parse(r.body)["detail"] == "Unauthorized")
                let yes = try RawHTTPClient(port: server.port)
                yes.send(
                    "POST", "/v1/chat/completions", body: LiveServer.chat(maxTokens: 4, stream: false),
                    extraHeaders: "Authorization: Bearer k-123\r\n")
                #expect(yes.readAll().status == 200)
                let health = try RawHTTPClient(port: server.port)
                health.send("GET", "/health")
                #expect(health.readAll().status == 200)
            }
        }.get()
    }

    @Test(arguments: ["localhost", "::1", "[::1]"])
    func hostNamesAndIPv6Literals(host: String) async throws {
        try await blocking {
            Result { () throws -> Void in
                var o = HTTPServerOptions()
                o.host = host
                o.port = 0
                let server = HTTPServer(options: o) { _ in .now(.json(["status": "ok"])) }
                try server.start()
                defer { server.stop() }
                #expect(server.port > 0)
            }
        }.get()
    }

    @Test func unresolvableHostIsAOneLineError() {
        var o = HTTPServerOptions()
        o.host = "no-such-host.invalid"
        o.port = 0
        let server = HTTPServer(options: o) { _ in .now(.json(["status": "ok"])) }
        #expect(throws: HTTPServerError.self) { try server.start() }
    }

    /// A streaming client that never reads costs the server at most the buffer cap: the stream is aborted and
    /// the engine stops generating for it.
    @Test func aStalledStreamIsAbortedAtTheBufferCap() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, api) = try LiveServer.start(speedup: nil, maxModelLen: 40960) {
                    $0.maxStreamBufferBytes = 64 << 10
                }
                defer { server.stop() }
                let c = try RawHTTPClient(port: server.port, receiveBuffer: 4096)
                c.send("POST", "/v1/chat/completions", body: LiveServer.chat(maxTokens: 8000, stream: true))
                // Small kernel buffers on the server's side too, so the stream's own buffer is what fills up.
                LiveServer.shrinkSendBuffersOnceInFlight(server)
                // Never read. The server gives the request up (bounded wait, no timing asserted).
                for _ in 0..<3_000 where server.inFlight > 0 { usleep(10_000) }
                #expect(server.inFlight == 0)
                let runner = try #require(api.registry.all.first?.readyInstance)
                let a = runner.forwardPassCount
                usleep(200_000)
                #expect(runner.forwardPassCount == a, "the engine still works for a stream nobody reads")
                // What did arrive ends without [DONE].
                let r = c.readAll()
                #expect(!r.body.contains("[DONE]"))
            }
        }.get()
    }

    /// Large bodies are handled off the polling threads and still answered correctly.
    @Test func largeBodiesAreAnswered() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, maxModelLen: 40960) { $0.offloadBodyBytes = 1024 }
                defer { server.stop() }
                let prompt = String(repeating: "word ", count: 3_000)
                let body =
                    #"{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"\#(prompt)"}],"max_tokens":4}"#
                let c = try RawHTTPClient(port: server.port)
                c.send("POST", "/v1/chat/completions", body: body)
                let r = c.readAll()
                #expect(r.status == 200)
                #expect(try JSONValue.parse(r.body)["usage"]?["prompt_tokens"]?.intValue ?? 0 > 3_000)
            }
        }.get()
    }

    /// Every 307 of the trailing-slash redirect says where to go.
    @Test(arguments: [
        "/health/", "/v1/models/", "/batch_recording_status/?model=a", "/register/", "/health/?a=%0d%0aX:%20y",
    ])
    func redirectsCarryALocation(path: String) async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, register: false)
                defer { server.stop() }
                let c = try RawHTTPClient(port: server.port)
                c.send(path == "/register/" ? "POST" : "GET", path, body: path == "/register/" ? "{}" : nil)
                let r = c.readAll()
                #expect(r.status == 307)
                #expect(r.headers.contains("Location: /"))
            }
        }.get()
    }

    /// A long query (200 parameters of 150 bytes, within the parameter limit) is answered 414 at once, not held
    /// until libmicrohttpd's memory runs out.
    @Test func longQueriesGet414AtOnce() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, register: false)
                defer { server.stop() }
                let q = (0..<200).map { "a\($0)=\(String(repeating: "x", count: 140))" }.joined(separator: "&")
                let c = try RawHTTPClient(port: server.port)
                c.sendRaw("GET /health?\(q) HTTP/1.1\r\nHost: a\r\n\r\n")
                let started = Date()
                let r = c.readAll()
                #expect(r.status == 414)
                #expect(Date().timeIntervalSince(started) < 10)
            }
        }.get()
    }

    /// A client that sends part of a body and then half-closes can never finish it: the connection is closed at
    /// once (within two watcher passes), not at the 60 s body deadline; also after a 413 at the headers.
    @Test(arguments: [1_000, 64 << 20])
    func halfClosedPartialBodiesAreClosedAtOnce(length: Int) async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, register: false) { $0.maxBodyBytes = 1 << 20 }
                defer { server.stop() }
                let c = try RawHTTPClient(port: server.port)
                c.sendRaw("POST /register HTTP/1.1\r\nHost: a\r\nContent-Length: \(length)\r\n\r\n{\"model\":")
                usleep(100_000)
                _ = shutdown(c.fd, Int32(SHUT_WR))
                let started = Date()
                _ = c.readAll()
                #expect(Date().timeIntervalSince(started) < 10, "held until the body deadline")
                for _ in 0..<200 where server.inFlight > 0 { usleep(10_000) }
                #expect(server.inFlight == 0)
                let h = try RawHTTPClient(port: server.port)
                h.send("GET", "/health")
                #expect(h.readAll().status == 200)
            }
        }.get()
    }
}
