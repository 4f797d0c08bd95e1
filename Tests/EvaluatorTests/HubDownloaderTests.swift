import EvaluatorClient
import Foundation
import MoECore
import Testing

@testable import Evaluator

@Suite struct HubDownloaderTests {
    static let quickRetry = RetryPolicy(maxRetries: 1, baseDelay: .milliseconds(10))

    /// A fresh cache directory, removed after `body`.
    static func withCacheDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hub-test-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(directory)
    }

    /// Runs `body` with a downloader pointed at a server answering with `stub`.
    static func withStub<T>(
        _ stub: DatasetsServerStub, token: String? = nil,
        _ body: (HubDownloader, TestHTTPServer, String) async throws -> T
    ) async throws -> T {
        try await withCacheDirectory { directory in
            try await withLiveServer {
                stub.reply(to: $0)
            } _: { server, client in
                let configuration = HubDownloader.Configuration(
                    serverURL: server.baseURL + "/", token: token, cacheDirectory: directory, retry: quickRetry)
                return try await body(HubDownloader(configuration: configuration, client: client), server, directory)
            }
        }
    }

    @Test func downloadsEveryPageThenServesTheCache() async throws {
        let stub = DatasetsServerStub(rowCount: 250)
        try await Self.withStub(stub) { downloader, server, directory in
            let first = try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            #expect(!first.fromCache)
            #expect(first.rows == stub.rows)
            #expect(server.requestCount == 3)
            #expect(first.cacheFile == "\(directory)/openai--gsm8k/main/test.jsonl")
            #expect(FileManager.default.fileExists(atPath: first.cacheFile))

            let second = try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            #expect(second.fromCache)
            #expect(second.rows == stub.rows)
            #expect(second.cacheFile == first.cacheFile)
            #expect(server.requestCount == 3)
        }
    }

    @Test func corruptedOrTruncatedCacheIsDownloadedAgain() async throws {
        let stub = DatasetsServerStub(rowCount: 30)
        try await Self.withStub(stub) { downloader, server, _ in
            let first = try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            let original = try #require(FileManager.default.contents(atPath: first.cacheFile))
            let damages: [(String, Data)] = [
                (
                    "one byte changed",
                    {
                        var d = original; d[5] ^= 0x20; return d
                    }()
                ),
                ("truncated", original.prefix(original.count / 2)),
                ("empty", Data()),
            ]
            for (label, damaged) in damages {
                try damaged.write(to: URL(fileURLWithPath: first.cacheFile))
                let before = server.requestCount
                let again = try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
                #expect(!again.fromCache, "\(label)")
                #expect(again.rows == stub.rows, "\(label)")
                #expect(server.requestCount == before + 1, "\(label)")
                #expect(FileManager.default.contents(atPath: first.cacheFile) == original, "\(label)")
            }
            let meta = first.cacheFile.replacingOccurrences(of: ".jsonl", with: ".meta.json")
            try FileManager.default.removeItem(atPath: meta)
            let withoutMeta = try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            #expect(!withoutMeta.fromCache)
        }
    }

    @Test func fewerRowsThanAnnouncedIsAnErrorAndCachesNothing() async throws {
        var stub = DatasetsServerStub(rowCount: 180)
        stub.announcedTotal = 250
        try await Self.withStub(stub) { downloader, _, directory in
            let error = await #expect(throws: HubDownloadError.self) {
                try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            }
            #expect(error?.message.contains("180 of 250 rows") == true)
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/openai--gsm8k/main/test.jsonl"))
        }
    }

    @Test func malformedPageIsAnErrorAndCachesNothing() async throws {
        var stub = DatasetsServerStub(rowCount: 250)
        stub.malformedPageOffset = 100
        try await Self.withStub(stub) { downloader, _, directory in
            let error = await #expect(throws: HubDownloadError.self) {
                try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            }
            #expect(error?.message.contains("malformed JSON") == true)
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/openai--gsm8k/main/test.jsonl"))
        }
    }

    @Test func sendsHFTokenAsBearer() async throws {
        var stub = DatasetsServerStub(rowCount: 3)
        stub.requiredToken = "hf_secret"
        try await Self.withStub(stub, token: "hf_secret") { downloader, _, _ in
            let split = try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            #expect(split.rows.count == 3)
        }
        try await Self.withStub(stub, token: nil) { downloader, _, _ in
            let error = await #expect(throws: HubDownloadError.self) {
                try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            }
            #expect(error?.message.contains("401") == true)
            #expect(error?.message.contains("HF_TOKEN") == true)
        }
    }

    @Test func environmentTokenReachesTheServer() async throws {
        let seen = Locked<[String]>([])
        let stub = DatasetsServerStub(rowCount: 2)
        try await Self.withCacheDirectory { directory in
            try await withLiveServer { request in
                seen.withLock { $0.append(request.headers["Authorization"] ?? "") }
                return stub.reply(to: request)
            } _: { server, client in
                let configuration = HubDownloader.Configuration.fromEnvironment([
                    "HF_TOKEN": "hf_abc", "HF_ENDPOINT": server.baseURL, "XDG_CACHE_HOME": directory,
                ])
                let split = try await HubDownloader(configuration: configuration, client: client)
                    .rows(dataset: "openai/gsm8k", config: "main", split: "test")
                #expect(split.cacheFile.hasPrefix("\(directory)/moecap-eval/datasets/"))
            }
        }
        #expect(seen.withLock { $0 } == ["Bearer hf_abc"])
    }

    @Test func missingConfigIsResolvedFromTheSplitList() async throws {
        let stub = DatasetsServerStub(rowCount: 5)
        try await Self.withStub(stub) { downloader, server, _ in
            let split = try await downloader.rows(dataset: "openai/gsm8k", config: nil, split: "test")
            #expect(split.rows == stub.rows)
            #expect(server.requestCount == 2)
            let again = try await downloader.rows(dataset: "openai/gsm8k", config: nil, split: "test")
            #expect(again.fromCache)
        }
    }

    @Test func unreachableServerNamesDataFile() async throws {
        let port = try TestHTTPServer.closedPort()
        try await Self.withCacheDirectory { directory in
            let client = try HTTPClient()
            defer { client.shutdown() }
            let downloader = HubDownloader(
                configuration: .init(
                    serverURL: "http://127.0.0.1:\(port)", token: nil, cacheDirectory: directory, retry: Self.quickRetry
                ),
                client: client)
            let error = await #expect(throws: HubDownloadError.self) {
                try await downloader.rows(dataset: "openai/gsm8k", config: "main", split: "test")
            }
            #expect(error?.description.contains("--data-file") == true)
            #expect(error?.description.contains("\n") == false)
        }
    }

    @Test func offlineModeWithoutCacheNamesDataFileAndSendsNothing() async throws {
        try await Self.withStub(DatasetsServerStub(rowCount: 2)) { downloader, server, _ in
            var configuration = downloader.configuration
            configuration.offline = true
            let client = try HTTPClient()
            defer { client.shutdown() }
            let error = await #expect(throws: HubDownloadError.self) {
                try await HubDownloader(configuration: configuration, client: client)
                    .rows(dataset: "openai/gsm8k", config: "main", split: "test")
            }
            #expect(error?.description.contains("--data-file") == true)
            #expect(server.requestCount == 0)
        }
    }

    @Test func endpointRules() {
        typealias Configuration = HubDownloader.Configuration
        #expect(
            Configuration.datasetsServerURL(forHubEndpoint: "https://huggingface.co")
                == "https://datasets-server.huggingface.co")
        #expect(
            Configuration.datasetsServerURL(forHubEndpoint: "https://hub.example.org:8443/base/")
                == "https://datasets-server.hub.example.org:8443")
        #expect(Configuration.datasetsServerURL(forHubEndpoint: "http://127.0.0.1:9000/") == "http://127.0.0.1:9000")
        #expect(Configuration.datasetsServerURL(forHubEndpoint: "http://localhost:9000") == "http://localhost:9000")
        #expect(Configuration.datasetsServerURL(forHubEndpoint: "http://[::1]:9000/x") == "http://[::1]:9000")

        let defaults = Configuration.fromEnvironment(["HOME": "/home/u"])
        #expect(defaults.serverURL == "https://datasets-server.huggingface.co")
        #expect(defaults.cacheDirectory == "/home/u/.cache/moecap-eval/datasets")
        #expect(defaults.token == nil)
        #expect(!defaults.offline)

        let overridden = Configuration.fromEnvironment([
            "HOME": "/home/u", "XDG_CACHE_HOME": "/xdg", "HF_ENDPOINT": "https://huggingface.co",
            "HF_DATASETS_SERVER_URL": "http://rows.internal/", "HF_TOKEN": "", "HF_HUB_OFFLINE": "1",
        ])
        #expect(overridden.serverURL == "http://rows.internal")
        #expect(overridden.cacheDirectory == "/xdg/moecap-eval/datasets")
        #expect(overridden.token == nil)
        #expect(overridden.offline)
        #expect(
            Configuration.fromEnvironment(["HF_ENDPOINT": "https://hf.co"]).serverURL == "https://datasets-server.hf.co"
        )
    }
}
