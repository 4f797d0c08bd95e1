import EvaluatorClient
import Foundation
import MoECore

/// Downloads a Hugging Face dataset split as JSON rows through the datasets-server rows API, with a verified
/// on-disk cache.
///
/// Pages of up to 100 rows are fetched in order from
/// `GET <server>/rows?dataset=<id>&config=<config>&split=<split>&offset=<o>&length=100` until `num_rows_total`
/// rows arrived. A download is all or nothing: fewer rows than announced, a gap in `row_idx`, cells the server
/// truncated or a malformed page fail it, and nothing is cached. Complete downloads are cached by ``HubCache``;
/// later calls read the cache after verifying it and never touch the network.
///
/// Threading: `Sendable`; concurrent calls are fine (they share the ``HTTPClient``).
struct HubDownloader: Sendable {
    /// Where the datasets server and the cache are, and the credentials.
    struct Configuration: Sendable, Equatable {
        /// The datasets-server base URL, without a trailing `/`.
        var serverURL: String
        /// Sent as `Authorization: Bearer <token>` (gated and private datasets); nil sends none.
        var token: String?
        /// The cache root; splits go in subfolders.
        var cacheDirectory: String
        /// Use the cache only; a miss fails without touching the network.
        var offline: Bool
        /// Rows per page (the server's maximum is 100).
        var pageLength: Int
        /// Retries for each page (connection errors, timeouts, 5xx).
        var retry: RetryPolicy

        init(
            serverURL: String, token: String?, cacheDirectory: String, offline: Bool = false, pageLength: Int = 100,
            retry: RetryPolicy = RetryPolicy()
        ) {
            self.serverURL = Self.trimmingSlashes(serverURL)
            self.token = token
            self.cacheDirectory = cacheDirectory
            self.offline = offline
            self.pageLength = pageLength
            self.retry = retry
        }

        /// The configuration the environment asks for:
        /// - server: `HF_DATASETS_SERVER_URL` if set; else derived from `HF_ENDPOINT` if set (see
        ///   ``datasetsServerURL(forHubEndpoint:)``); else `https://datasets-server.huggingface.co`;
        /// - token: `HF_TOKEN`;
        /// - cache: `$XDG_CACHE_HOME/moecap-eval/datasets`, else `$HOME/.cache/moecap-eval/datasets`;
        /// - offline: `HF_HUB_OFFLINE` or `HF_DATASETS_OFFLINE` set to `1`, `true`, `yes` or `on`.
        /// Empty variables count as unset.
        static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
            -> Configuration
        {
            func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            let server =
                value("HF_DATASETS_SERVER_URL") ?? value("HF_ENDPOINT").map(datasetsServerURL(forHubEndpoint:))
                ?? "https://datasets-server.huggingface.co"
            let cacheRoot = value("XDG_CACHE_HOME") ?? "\(value("HOME") ?? NSHomeDirectory())/.cache"
            let offline = ["HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"].contains {
                ["1", "true", "yes", "on"].contains(value($0)?.lowercased() ?? "")
            }
            return Configuration(
                serverURL: server, token: value("HF_TOKEN"), cacheDirectory: "\(cacheRoot)/moecap-eval/datasets",
                offline: offline)
        }

        /// The datasets server that goes with a Hub endpoint: the endpoint's host prefixed with `datasets-server.`
        /// (`https://huggingface.co` gives `https://datasets-server.huggingface.co`), except for `localhost` and
        /// IP literals, which are taken to serve the rows API themselves and are returned unchanged. Any path on
        /// the endpoint is dropped. Mirrors without a datasets server need `HF_DATASETS_SERVER_URL`.
        static func datasetsServerURL(forHubEndpoint endpoint: String) -> String {
            let trimmed = trimmingSlashes(endpoint)
            guard let schemeEnd = trimmed.range(of: "://") else { return trimmed }
            let scheme = trimmed[..<schemeEnd.lowerBound]
            let authority = trimmed[schemeEnd.upperBound...].prefix { $0 != "/" }
            let host = authority.split(separator: "@").last.map(String.init) ?? ""
            let hostName = host.hasPrefix("[") ? host : String(host.prefix { $0 != ":" })
            let isLocal =
                hostName == "localhost" || hostName.hasPrefix("[")
                || (!hostName.isEmpty && hostName.allSatisfy { $0.isNumber || $0 == "." })
            return isLocal ? "\(scheme)://\(authority)" : "\(scheme)://datasets-server.\(host)"
        }

        private static func trimmingSlashes(_ url: String) -> String {
            var url = Substring(url)
            while url.hasSuffix("/") { url.removeLast() }
            return String(url)
        }
    }

    /// The rows of one split and where they are cached.
    struct Split: Sendable {
        /// The `row` objects in `row_idx` order.
        var rows: [JSONValue]
        /// The cache file (JSONL) the rows were read from or written to.
        var cacheFile: String
        /// Whether the rows came from the cache (no network access).
        var fromCache: Bool
    }

    let configuration: Configuration
    private let client: HTTPClient
    private let cache: HubCache

    /// - Parameters:
    ///   - configuration: server, token and cache; usually ``Configuration/fromEnvironment(_:)``.
    ///   - client: the HTTP client to download with.
    init(configuration: Configuration = .fromEnvironment(), client: HTTPClient) {
        self.configuration = configuration
        self.client = client
        self.cache = HubCache(directory: configuration.cacheDirectory)
    }

    /// The rows of `split` of `dataset` (`owner/name`), from the cache or downloaded and cached.
    ///
    /// - Parameters:
    ///   - dataset: the dataset id, e.g. `openai/gsm8k`.
    ///   - config: the config (subset), e.g. `main`; nil lets the server's split list decide (the only config
    ///     with that split, or `default`).
    ///   - split: e.g. `test`.
    /// - Throws: ``HubDownloadError`` with a one-line reason (unreachable server, HTTP error, incomplete or
    ///   malformed download, cache not writable).
    func rows(dataset: String, config: String?, split: String) async throws(HubDownloadError) -> Split {
        if let rows = cache.load(dataset: dataset, config: config, split: split) {
            return Split(
                rows: rows, cacheFile: cache.paths(dataset: dataset, config: config, split: split).data,
                fromCache: true)
        }
        let what = "\(dataset) (config \(config ?? "auto"), split \(split))"
        if configuration.offline {
            throw HubDownloadError(
                "\(what) is not in the cache and Hugging Face offline mode is on; \(HubDownloadError.dataFileHint)")
        }
        let resolvedConfig: String
        if let config {
            resolvedConfig = config
        } else {
            resolvedConfig = try await self.resolveConfig(dataset: dataset, split: split)
        }
        var rows: [JSONValue] = []
        var total = 0
        repeat {
            let query = URLQuery.string([
                ("dataset", dataset), ("config", resolvedConfig), ("split", split), ("offset", String(rows.count)),
                ("length", String(configuration.pageLength)),
            ])
            let page = try await fetchJSON("\(configuration.serverURL)/rows?\(query)", what: what)
            guard let entries = page["rows"]?.arrayValue, let pageTotal = page["num_rows_total"]?.intValue else {
                throw HubDownloadError("the datasets server sent a page without rows/num_rows_total for \(what)")
            }
            if rows.isEmpty {
                total = pageTotal
                rows.reserveCapacity(total)
            } else if pageTotal != total {
                throw HubDownloadError("\(what) changed size during the download (\(total) then \(pageTotal) rows)")
            }
            if entries.isEmpty, rows.count < total {
                throw HubDownloadError(
                    "incomplete download of \(what): \(rows.count) of \(total) rows arrived; nothing was cached")
            }
            for entry in entries {
                guard let row = entry["row"], row.objectValue != nil, entry["row_idx"]?.intValue == rows.count else {
                    throw HubDownloadError(
                        "the datasets server sent row \(rows.count) of \(what) out of order or malformed")
                }
                if let truncated = entry["truncated_cells"]?.arrayValue, !truncated.isEmpty {
                    throw HubDownloadError(
                        "the datasets server truncated cells of row \(rows.count) of \(what); "
                            + HubDownloadError.dataFileHint)
                }
                rows.append(row)
            }
        } while rows.count < total
        guard rows.count == total else {
            throw HubDownloadError("the datasets server sent \(rows.count) rows of \(what) but announced \(total)")
        }
        let file = try cache.store(
            rows, dataset: dataset, config: config, split: split, source: configuration.serverURL)
        return Split(rows: rows, cacheFile: file, fromCache: false)
    }

    /// The config of `dataset` that has `split`, from `GET <server>/splits?dataset=<id>`.
    private func resolveConfig(dataset: String, split: String) async throws(HubDownloadError) -> String {
        let what = "\(dataset) (split \(split))"
        let answer = try await fetchJSON(
            "\(configuration.serverURL)/splits?\(URLQuery.string([("dataset", dataset)]))", what: what)
        let configs = (answer["splits"]?.arrayValue ?? []).compactMap { entry in
            entry["split"]?.stringValue == split ? entry["config"]?.stringValue : nil
        }
        if configs.count == 1 { return configs[0] }
        if configs.contains("default") { return "default" }
        if configs.isEmpty { throw HubDownloadError("the datasets server lists no split '\(split)' for \(dataset)") }
        throw HubDownloadError(
            "\(dataset) has split '\(split)' in several configs (\(configs.joined(separator: ", "))); name one")
    }

    /// GETs `url` (with retries) and parses the JSON answer of a 200; every failure becomes a one-line error.
    private func fetchJSON(_ url: String, what: String) async throws(HubDownloadError) -> JSONValue {
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let token = configuration.token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let response: HTTPResponse
        do {
            response = try await client.send(
                HTTPRequest(url: url, headers: headers, timeout: .seconds(120)), retrying: configuration.retry)
        } catch {
            if error.kind == .cancelled { throw HubDownloadError("download of \(what) cancelled") }
            throw HubDownloadError(
                "cannot reach the Hugging Face datasets server at \(configuration.serverURL) (\(error.message)); "
                    + "download \(what) elsewhere and \(HubDownloadError.dataFileHint)")
        }
        guard response.status == 200 else {
            let detail = (try? response.json())?["error"]?.stringValue ?? String(response.bodyText.prefix(200))
            let hint = (response.status == 401 || response.status == 403) ? "set HF_TOKEN or " : ""
            throw HubDownloadError(
                "the datasets server answered \(response.status) for \(what): "
                    + "\(detail.split(whereSeparator: \.isNewline).joined(separator: " ")); "
                    + "\(hint)\(HubDownloadError.dataFileHint)")
        }
        do {
            return try response.json()
        } catch {
            throw HubDownloadError("the datasets server sent malformed JSON for \(what) (\(error)); nothing was cached")
        }
    }
}
