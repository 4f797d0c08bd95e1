import Testing

@testable import FakeSLLMHTTP

/// Framing, size and access checks on headers, without sockets (docs/http.md, "Framing" and "Access").
@Suite struct RequestScreenTests {
    let screen = RequestScreen(maxBodyBytes: 1 << 20, maxQueryParameters: 256, apiKey: nil)

    func status(_ headers: [(String, String)], path: String = "/v1/models", query: Int = 0, key: APIKey? = nil)
        -> Int?
    {
        var s = screen
        s.apiKey = key
        return s.check(method: "POST", path: path, headers: headers, queryCount: query)?.response.status
    }

    @Test func ambiguousFramingIsRefused() {
        #expect(status([("Content-Length", "4"), ("Transfer-Encoding", "chunked")]) == 400)
        #expect(status([("Content-Length", "0"), ("Content-Length", "13")]) == 400)
        #expect(status([("Content-Length", "13"), ("Content-Length", "13")]) == 400)
        #expect(status([("Transfer-Encoding", "gzip, chunked")]) == 400)
        #expect(status([("Transfer-Encoding", "xchunked")]) == 400)
        #expect(status([("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")]) == 400)
        #expect(status([("Content-Length", "-1")]) == 400)
        #expect(status([("Content-Length", "1e3")]) == 400)
        #expect(status([("Content-Length", "")]) == 400)
    }

    @Test func plainFramingPasses() {
        #expect(status([]) == nil)
        #expect(status([("Content-Length", "13")]) == nil)
        #expect(status([("content-length", " 13 ")]) == nil)
        #expect(status([("Transfer-Encoding", "Chunked")]) == nil)
    }

    @Test func hugeLengthsAre413() {
        #expect(status([("Content-Length", "9223372036854775808")]) == 413)
        #expect(status([("Content-Length", "99999999999999999999999")]) == 413)
        #expect(status([("Content-Length", String(2 << 20))]) == 413)
    }

    @Test func tooManyQueryParameters() {
        #expect(status([], query: 256) == nil)
        #expect(status([], query: 600) == 400)
    }

    @Test func apiKeyGuardsAllButHealthAndMetrics() throws {
        let key = try #require(APIKey("s3cret"))
        #expect(status([], key: key) == 401)
        #expect(status([("Authorization", "Bearer wrong")], key: key) == 401)
        #expect(status([("Authorization", "Bearer s3cret-longer")], key: key) == 401)
        #expect(status([("Authorization", "s3cret")], key: key) == 401)
        #expect(status([("authorization", "Bearer s3cret")], key: key) == nil)
        #expect(status([], path: "/health", key: key) == nil)
        #expect(status([], path: "/metrics", key: key) == nil)
        #expect(status([], path: "/register", key: key) == 401)
        #expect(APIKey("") == nil)
    }

    @Test func constantTimeCompare() {
        #expect(APIKey.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!APIKey.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!APIKey.constantTimeEqual(Array("abc".utf8), Array("abc\0".utf8)))
        #expect(!APIKey.constantTimeEqual([], Array("a".utf8)))
    }
}
