import MoECore
import SimEngine

/// ServerlessLLM's gateway as pure functions of a request (docs/sllm-api.md §2): the route table, FastAPI's 404/405
/// conventions, and the handlers. No sockets: tests call ``handle(_:)`` directly; ``HTTPServer`` serves it.
///
/// Thread-safe; handlers never block (engine work completes through ``Reply/later(_:)`` or a stream).
public struct SLLMAPI: Sendable {
    public let registry: DeploymentRegistry
    /// Files a `/register` body may name (none unless the operator allows a directory).
    public var configFiles = ConfigFilePolicy.refuseAll
    /// What one request's answer may cost (docs/http.md, "Answer budget").
    public var budget = AnswerBudget()
    let fineTuning = FineTuningJobs()
    let startedAt = unixTime()

    public init(registry: DeploymentRegistry) { self.registry = registry }

    typealias Route = @Sendable (SLLMAPI, HTTPRequest, [String]) -> Reply

    /// (method, path pattern, handler); `{}` in a pattern matches one path segment.
    private static let routes: [(String, String, Route)] = [
        ("GET", "/health", { _, _, _ in .now(.json(["status": "ok"])) }),
        ("POST", "/register", { api, r, _ in api.register(r) }),
        ("POST", "/update", { api, r, _ in api.update(r) }),
        ("POST", "/delete", { api, r, _ in api.delete(r) }),
        ("POST", "/v1/chat/completions", { api, r, _ in api.chatCompletions(r) }),
        ("POST", "/v1/completions", { api, r, _ in api.completions(r) }),
        ("POST", "/v1/embeddings", { api, r, _ in api.embeddings(r) }),
        ("POST", "/v1/fine-tuning/jobs", { api, r, _ in api.createFineTuningJob(r) }),
        ("GET", "/v1/fine_tuning/jobs/{}", { api, _, p in api.fineTuningJob(p[0], cancel: false) }),
        ("POST", "/v1/fine_tuning/jobs/{}/cancel", { api, _, p in api.fineTuningJob(p[0], cancel: true) }),
        ("GET", "/v1/models", { api, _, _ in api.models() }),
        ("POST", "/start_batch_recording", { api, r, _ in api.recording(r, .start) }),
        ("POST", "/stop_batch_recording", { api, r, _ in api.recording(r, .stop) }),
        ("POST", "/dump_batch_recording", { api, r, _ in api.recording(r, .dump) }),
        ("GET", "/batch_recording_status", { api, r, _ in api.recordingStatus(r) }),
        ("POST", "/clear_batch_recording", { api, r, _ in api.recording(r, .clear) }),
        ("POST", "/configure_expert_distribution", { api, r, _ in api.expertDistribution(r, .configure) }),
        ("POST", "/start_expert_distribution", { api, r, _ in api.expertDistribution(r, .start) }),
        ("POST", "/stop_expert_distribution", { api, r, _ in api.expertDistribution(r, .stop) }),
        ("POST", "/dump_expert_distribution", { api, r, _ in api.expertDistribution(r, .dump) }),
        ("POST", "/clear_expert_distribution", { api, r, _ in api.expertDistribution(r, .clear) }),
        ("GET", "/expert_distribution_status", { api, r, _ in api.expertDistributionStatus(r) }),
        // Extensions of this simulator, outside ServerlessLLM's contract.
        ("GET", "/fake_sllm/info", { api, _, _ in api.info() }),
        ("POST", "/fake_sllm/dump_ground_truth", { api, r, _ in api.dumpGroundTruth(r) }),
        ("GET", "/metrics", { api, _, _ in api.prometheusMetrics() }),
    ]

    /// Routes a request. Unknown path → 404 `{"detail":"Not Found"}`; known path, other method → 405
    /// `{"detail":"Method Not Allowed"}` (FastAPI, docs/sllm-api.md §1).
    public func handle(_ request: HTTPRequest) -> Reply {
        let reply = route(request)
        // Answers given at once are logged here; completions log themselves when they end (``ChatJob``).
        if case .now(let r) = reply { serverLog.info("\(request.method) \(request.path) \(r.status)") }
        return reply
    }

    private func route(_ request: HTTPRequest) -> Reply {
        // vLLM's OpenAI server, where the server or the deployment asks for it (docs/openai-mode.md).
        if let reply = openAIRoute(request) { return reply }
        var pathMatched = false
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: false)
        for (method, pattern, route) in SLLMAPI.routes {
            guard let params = SLLMAPI.match(pattern, segments) else { continue }
            pathMatched = true
            if method == request.method || (method == "GET" && request.method == "HEAD") {
                return route(self, request, params)
            }
        }
        // Starlette's `redirect_slashes`: `/health/` answers 307 to `/health` (and the reverse).
        let other = request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path + "/"
        if !pathMatched, request.path != "/",
            SLLMAPI.routes.contains(where: {
                SLLMAPI.match($0.1, other.split(separator: "/", omittingEmptySubsequences: false)) != nil
            })
        {
            // Percent-encoded, so a decoded CR/LF (or any control byte) cannot drop or split the header.
            let query = request.query.map { "\(SLLMAPI.percentEncoded($0.0))=\(SLLMAPI.percentEncoded($0.1))" }
                .joined(separator: "&")
            let location = SLLMAPI.percentEncoded(other, keeping: "/") + (query.isEmpty ? "" : "?" + query)
            return .now(
                HTTPResponse(status: 307, contentType: "text/plain", body: [], headers: [("Location", location)]))
        }
        if pathMatched {
            var r = HTTPResponse.detail("Method Not Allowed", status: 405)
            let allowed = SLLMAPI.routes.filter { SLLMAPI.match($0.1, segments) != nil }.map(\.0)
            r.headers.append(("Allow", allowed.joined(separator: ", ")))
            return .now(r)
        }
        return .now(.detail("Not Found", status: 404))
    }

    /// `text` with every byte but RFC 3986's unreserved ones (and those in `keeping`) percent-encoded.
    static func percentEncoded(_ text: String, keeping: String = "") -> String {
        let keep = Set(keeping.utf8)
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(UnicodeScalar(b))
            case _ where keep.contains(b): out.unicodeScalars.append(UnicodeScalar(b))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 15)])
            }
        }
        return out
    }

    private static func match(_ pattern: String, _ segments: [Substring]) -> [String]? {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == segments.count else { return nil }
        var params: [String] = []
        for (p, s) in zip(parts, segments) {
            if p == "{}" {
                guard !s.isEmpty else { return nil }
                params.append(String(s))
            } else if p != s {
                return nil
            }
        }
        return params
    }

    /// The JSON object body, or nil when `await request.json()` would fail or give a non-dict.
    func objectBody(_ r: HTTPRequest) -> JSONObject? { r.jsonBody()?.objectValue }
}
