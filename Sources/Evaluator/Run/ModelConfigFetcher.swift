import EvaluatorClient
import Foundation
import MoECore

/// Fetches a model's `config.json` from the Hugging Face Hub, as MoE-CAP's `HFModelInfoRetriever` reads the HF
/// config of `--model` (docs/evaluator.md "MoE-CAP details"), for models outside the built-in catalog.
///
/// `GET <HF_ENDPOINT or https://huggingface.co>/<model>/resolve/main/config.json` with `HF_TOKEN` as a bearer
/// token; the file is cached under `$XDG_CACHE_HOME` (or `~/.cache`)`/moecap-eval/models/<model>/config.json`
/// and reused. Offline (`HF_HUB_OFFLINE`), only the cache is read.
package struct ModelConfigFetcher: Sendable {
    var endpoint: String
    var token: String?
    var cacheDirectory: String
    var offline: Bool

    init(endpoint: String, token: String?, cacheDirectory: String, offline: Bool) {
        self.endpoint = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        self.token = token
        self.cacheDirectory = cacheDirectory
        self.offline = offline
    }

    /// From `HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE`, `XDG_CACHE_HOME` / `HOME`.
    static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Self {
        func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
        let cacheRoot = value("XDG_CACHE_HOME") ?? "\(value("HOME") ?? NSHomeDirectory())/.cache"
        return ModelConfigFetcher(
            endpoint: value("HF_ENDPOINT") ?? "https://huggingface.co", token: value("HF_TOKEN"),
            cacheDirectory: "\(cacheRoot)/moecap-eval/models",
            offline: ["1", "true", "yes", "on"].contains(value("HF_HUB_OFFLINE")?.lowercased() ?? ""))
    }

    /// A problem fetching the config, in one line.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The path of the cached `config.json` of `model`, downloading it first when needed.
    func configPath(for model: String, client: HTTPClient) async throws(Failure) -> String {
        let dir = (cacheDirectory as NSString).appendingPathComponent(model)
        let path = (dir as NSString).appendingPathComponent("config.json")
        if let data = FileManager.default.contents(atPath: path), (try? JSONValue.parse([UInt8](data))) != nil {
            return path
        }
        guard !offline else {
            throw Failure(
                description: "no cached config.json for \(model) and HF_HUB_OFFLINE is set; pass --model-config")
        }
        var headers: HTTPHeaders = [:]
        if let token { headers = ["Authorization": "Bearer \(token)"] }
        let url = "\(endpoint)/\(model)/resolve/main/config.json"
        let response: HTTPResponse
        do {
            response = try await client.send(
                HTTPRequest(method: "GET", url: url, headers: headers, timeout: .seconds(30)),
                retrying: RetryPolicy(maxRetries: 1))
        } catch {
            throw Failure(description: "cannot fetch \(url): \(error); pass --model-config")
        }
        guard response.status == 200, (try? JSONValue.parse(response.body))?.objectValue != nil else {
            throw Failure(description: "cannot fetch \(url): HTTP \(response.status); pass --model-config")
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let tmp = path + ".tmp"
            guard FileManager.default.createFile(atPath: tmp, contents: Data(response.body)), rename(tmp, path) == 0
            else { throw Failure(description: "cannot write \(path)") }
        } catch let f as Failure {
            throw f
        } catch {
            throw Failure(description: "cannot write \(path): \(error.localizedDescription)")
        }
        return path
    }

    /// `config` with `modelConfig` set to a downloaded file when the model is neither given by file nor built in;
    /// on failure the config is unchanged and the reason is returned (the advanced metrics are then omitted).
    package static func resolving(_ config: EvaluationConfig) async -> (EvaluationConfig, warning: String?) {
        guard config.modelConfig == nil, ModelCatalog.spec(for: config.model) == nil else { return (config, nil) }
        let client: HTTPClient
        do { client = try HTTPClient() } catch { return (config, "\(error)") }
        defer { client.shutdown() }
        do throws(Failure) {
            var c = config
            c.modelConfig = try await fromEnvironment().configPath(for: config.model, client: client)
            return (c, nil)
        } catch {
            return (config, "model config of \(config.model): \(error)")
        }
    }
}
