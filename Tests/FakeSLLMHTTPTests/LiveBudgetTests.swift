import Foundation
import Glibc
import MoECore
import Testing

@testable import FakeSLLM
@testable import FakeSLLMHTTP

/// Issue 18 over real sockets: answers bounded per request and server-wide (docs/http.md, "Answer budget" and
/// "Server-wide budget").
@Suite struct LiveBudgetTests {
    /// The issue's first finding: one-letter embeddings inputs. Past the input bound the answer is a short error;
    /// within it the body comes as a chunked stream that parses as one object.
    @Test func embeddingsAreBoundedAndStreamed() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil)
                defer { server.stop() }
                let many = (0..<3_000).map { _ in #""a""# }.joined(separator: ",")
                let c = try RawHTTPClient(port: server.port)
                c.send("POST", "/v1/embeddings", body: #"{"model":"Qwen/Qwen3-30B-A3B","input":[\#(many)]}"#)
                let r = c.readAll()
                #expect(r.status == 200 && r.body.contains("at most 2048") && r.body.utf8.count < 200)
                let ten = (0..<10).map { #""input \#($0)""# }.joined(separator: ",")
                let d = try RawHTTPClient(port: server.port)
                d.send("POST", "/v1/embeddings", body: #"{"model":"Qwen/Qwen3-30B-A3B","input":[\#(ten)]}"#)
                let e = d.readAll()
                #expect(e.status == 200)
                #expect(e.headers.lowercased().contains("transfer-encoding: chunked"))
                let body = try JSONValue.parse(e.body)
                #expect(body["data"]?.arrayValue?.count == 10)
                #expect(body["usage"]?["total_tokens"]?.intValue ?? 0 > 0)
            }
        }.get()
    }

    /// A whole answer a client does not read is held until it completes; past the server-wide budget new work
    /// gets 503 with Retry-After while /health still answers, and the server accepts work again once it drains.
    @Test func pastTheServerBudgetNewWorkGets503() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil) { $0.maxHeldBytes = 128 << 10 }
                defer { server.stop() }
                let slow = try RawHTTPClient(port: server.port, receiveBuffer: 4096)
                slow.send(
                    "POST", "/v1/chat/completions",
                    body:
                        #"{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Hi"}],"max_tokens":4000,"ignore_eos":true,"n":8}"#
                )
                // Small kernel buffers on the server's side too, so the queued answer is what stays held.
                LiveServer.shrinkSendBuffersOnceInFlight(server)
                for _ in 0..<3_000 where server.heldBytes <= 128 << 10 { usleep(10_000) }
                #expect(server.heldBytes > 128 << 10)
                let busy = try RawHTTPClient(port: server.port)
                busy.send("GET", "/v1/models")
                let b = busy.readAll()
                #expect(b.status == 503)
                #expect(b.headers.lowercased().contains("retry-after: 1"))
                let health = try RawHTTPClient(port: server.port)
                health.send("GET", "/health")
                #expect(health.readAll().status == 200)
                // The slow client reads its answer; the budget drains and work is accepted again.
                let answer = slow.readAll()
                #expect(answer.status == 200)
                for _ in 0..<500 where server.heldBytes > 0 { usleep(10_000) }
                #expect(server.heldBytes == 0)
                let ok = try RawHTTPClient(port: server.port)
                ok.send("GET", "/v1/models")
                #expect(ok.readAll().status == 200)
            }
        }.get()
    }

    /// With the server over its budget, a stream whose client has fallen behind is cut (no `[DONE]`), and the
    /// bytes it held leave the count.
    @Test func slowReadersAreCutPastTheServerBudget() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, maxModelLen: 40960) {
                    $0.maxHeldBytes = 128 << 10
                }
                defer { server.stop() }
                let c = try RawHTTPClient(port: server.port, receiveBuffer: 4096)
                c.send("POST", "/v1/chat/completions", body: LiveServer.chat(maxTokens: 20_000, stream: true))
                LiveServer.shrinkSendBuffersOnceInFlight(server)
                for _ in 0..<3_000 where server.inFlight > 0 { usleep(10_000) }
                #expect(server.inFlight == 0)
                #expect(server.heldBytes == 0)
                let r = c.readAll()
                #expect(!r.body.contains("[DONE]"))
            }
        }.get()
    }
}
