import Foundation
import Glibc
import Testing

@testable import FakeSLLMHTTP

/// Issue 18: the connection cap fits the descriptor limit (docs/http.md, "Limits").
@Suite struct ConnectionCapTests {
    @Test func aCapThatFitsIsKept() {
        let cap = ConnectionCap(requested: 8_192, descriptorLimit: 1 << 20)
        #expect(cap.connections == 8_192)
        #expect(cap.acceptLimit == 8_192 + 2_048)
        #expect(cap.note == nil && cap.problem == nil)
    }

    @Test func underUlimit4096TheCapIsLoweredAndSaysSo() throws {
        let cap = ConnectionCap(requested: 8_192, descriptorLimit: 4_096)
        #expect(cap.reserve == 256)
        #expect(cap.connections == 3_360)
        // Everything libmicrohttpd may accept, plus the reserve, fits in the limit.
        #expect(cap.acceptLimit + cap.reserve <= 4_096)
        #expect(cap.acceptLimit > cap.connections)
        let note = try #require(cap.note)
        #expect(note.contains("--max-connections 8192 lowered to 3360"))
        // Asking for more than the limit itself is lowered the same way.
        #expect(ConnectionCap(requested: 20_000, descriptorLimit: 20_000).connections < 20_000 - 256)
    }

    @Test func aLimitWithNoRoomIsAStartUpError() {
        let cap = ConnectionCap(requested: 100, descriptorLimit: 100)
        #expect(cap.problem != nil)
        var o = HTTPServerOptions()
        o.port = 0
        o.descriptorLimit = 100
        let server = HTTPServer(options: o) { _ in .now(.json(["status": "ok"])) }
        #expect(throws: HTTPServerError.self) { try server.start() }
    }

    /// More idle clients than the fitted cap: the oldest are recycled and /health keeps answering; a request in
    /// progress past the cap is told 503 with Retry-After.
    @Test func healthStaysAnswerableWithMoreIdleClientsThanTheCap() async throws {
        try await blocking {
            Result { () throws -> Void in
                let (server, _) = try LiveServer.start(speedup: nil, register: false) { $0.descriptorLimit = 600 }
                defer { server.stop() }
                let cap = server.connectionCap.connections
                #expect(cap < 600 && server.connectionCap.note != nil)
                var idle: [RawHTTPClient] = []
                for _ in 0..<(cap + 100) { idle.append(try RawHTTPClient(port: server.port)) }
                for _ in 0..<5 {
                    let h = try RawHTTPClient(port: server.port)
                    h.send("GET", "/health")
                    #expect(h.readAll().status == 200)
                }
                _ = idle
            }
        }.get()
    }
}
