import EvaluatorClient
import Foundation
import MoECore
import Testing

@testable import Evaluator

@Suite struct ModelConfigFetcherTests {
    @Test func downloadsCachesAndSendsTheToken() async throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mcf-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let seen = Locked<[String]>([])
        let config: JSONValue = [
            "num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128,
        ]
        try await withLiveServer(handler: { request in
            seen.withLock { $0.append(request.path + " " + (request.headers.values(for: "Authorization").first ?? "")) }
            return request.path == "/acme/tiny-moe/resolve/main/config.json" ? .json(200, config) : .text(404, "no")
        }) { server, client in
            let fetcher = ModelConfigFetcher(
                endpoint: server.baseURL + "/", token: "t0k", cacheDirectory: cache, offline: false)
            let path = try await fetcher.configPath(for: "acme/tiny-moe", client: client)
            let spec = try ModelSpec(
                hfConfig: try JSONValue.parse(Array(try String(contentsOfFile: path, encoding: .utf8).utf8)),
                name: "acme/tiny-moe")
            #expect(spec.numLayers == 2)
            #expect(seen.withLock { $0 } == ["/acme/tiny-moe/resolve/main/config.json Bearer t0k"])
            // Cached: no second request, and offline works.
            let offline = ModelConfigFetcher(endpoint: server.baseURL, token: nil, cacheDirectory: cache, offline: true)
            #expect(try await offline.configPath(for: "acme/tiny-moe", client: client) == path)
            #expect(seen.withLock { $0.count } == 1)
            await #expect(throws: ModelConfigFetcher.Failure.self) {
                try await fetcher.configPath(for: "acme/missing", client: client)
            }
        }
    }

    @Test func offlineWithoutCacheNamesTheFlag() async throws {
        let client = try HTTPClient()
        defer { client.shutdown() }
        let fetcher = ModelConfigFetcher(
            endpoint: "http://127.0.0.1:9", token: nil, cacheDirectory: "/nonexistent-cache", offline: true)
        do {
            _ = try await fetcher.configPath(for: "acme/x", client: client)
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("--model-config"))
        }
    }
}
