import MoECore
import SimEngine

/// ServerlessLLM's gateway as pure functions of a request (docs/sllm-api.md §2): the route table, FastAPI's 404/405
/// conventions, and the handlers. No sockets: tests call ``handle(_:)`` directly; ``HTTPServer`` serves it.
///
/// Thread-safe; handlers never block (engine work completes through ``Reply/later(_:)`` or a stream).
package struct SLLMAPI: Sendable {
    package let registry: DeploymentRegistry
    /// Files a `/register` body may name (none unless the operator allows a directory).
    package var configFiles = ConfigFilePolicy.refuseAll
    /// What one request's answer may cost (docs/http.md, "Answer budget").
    package var budget = AnswerBudget()
    let fineTuning = FineTuningJobs()
    let startedAt = unixTime()

    package init(registry: DeploymentRegistry) { self.registry = registry }

    /// The route table: vLLM's OpenAI routes first (each answered only on its exact method and path), then
    /// ServerlessLLM's (docs/sllm-api.md §2, docs/openai-mode.md).
    static let routes: [Route] = [
        // vLLM's OpenAI server, where the server or the deployment asks for it (docs/openai-mode.md). Chat and text
        // completions go the vLLM way when the body's model is a deployment in the OpenAI mode (or, on a server
        // in the OpenAI mode, when it names no ServerlessLLM-mode deployment); the other vLLM routes only on a
        // server in the OpenAI mode. Recording and simulator routes always fall through.
        Route("POST", "/v1/chat/completions", api: .vllm(serverOnly: false)) { api, r, _ in
            api.openAIGeneration(r, kind: .chat)
        },
        Route("POST", "/v1/completions", api: .vllm(serverOnly: false)) { api, r, _ in
            api.openAIGeneration(r, kind: .completion)
        },
        Route("GET", "/v1/models", api: .vllm(serverOnly: true)) { api, _, _ in .now(.json(api.openAIModels())) },
        Route("GET", "/health", .probe, api: .vllm(serverOnly: true)) { _, _, _ in .now(emptyJSON) },
        Route("HEAD", "/health", .probe, api: .vllm(serverOnly: true)) { _, _, _ in .now(emptyJSON) },
        Route("GET", "/ping", api: .vllm(serverOnly: true)) { _, _, _ in .now(emptyJSON) },
        Route("POST", "/ping", api: .vllm(serverOnly: true)) { _, _, _ in .now(emptyJSON) },
        Route("GET", "/version", api: .vllm(serverOnly: true)) { _, _, _ in
            .now(.json(["version": .string(vllmVersion)]))
        },
        Route("POST", "/tokenize", api: .vllm(serverOnly: true)) { api, r, _ in .now(api.tokenize(r)) },
        // vLLM serves a generative model with no embedding or pooling handler: its create_embedding answers 400.
        Route("POST", "/v1/embeddings", api: .vllm(serverOnly: true)) { _, _, _ in
            .now(OpenAIError.badRequest("The model does not support Embeddings API").response)
        },
        // ServerlessLLM's gateway.
        Route("GET", "/health", .probe) { _, _, _ in .now(.json(["status": "ok"])) },
        Route("POST", "/register") { api, r, _ in api.register(r) },
        Route("POST", "/update") { api, r, _ in api.update(r) },
        Route("POST", "/delete") { api, r, _ in api.delete(r) },
        Route("POST", "/v1/chat/completions") { api, r, _ in api.chatCompletions(r) },
        Route("POST", "/v1/completions") { api, r, _ in api.completions(r) },
        Route("POST", "/v1/embeddings") { api, r, _ in api.embeddings(r) },
        Route("POST", "/v1/fine-tuning/jobs") { api, r, _ in api.createFineTuningJob(r) },
        Route("GET", "/v1/fine_tuning/jobs/{}") { api, _, p in api.fineTuningJob(p[0], cancel: false) },
        Route("POST", "/v1/fine_tuning/jobs/{}/cancel") { api, _, p in api.fineTuningJob(p[0], cancel: true) },
        Route("GET", "/v1/models") { api, _, _ in api.models() },
        Route("POST", "/start_batch_recording") { api, r, _ in api.recording(r, .start) },
        Route("POST", "/stop_batch_recording") { api, r, _ in api.recording(r, .stop) },
        Route("POST", "/dump_batch_recording") { api, r, _ in api.recording(r, .dump) },
        Route("GET", "/batch_recording_status") { api, r, _ in api.recordingStatus(r) },
        Route("POST", "/clear_batch_recording") { api, r, _ in api.recording(r, .clear) },
        Route("POST", "/configure_expert_distribution") { api, r, _ in api.expertDistribution(r, .configure) },
        Route("POST", "/start_expert_distribution") { api, r, _ in api.expertDistribution(r, .start) },
        Route("POST", "/stop_expert_distribution") { api, r, _ in api.expertDistribution(r, .stop) },
        Route("POST", "/dump_expert_distribution") { api, r, _ in api.expertDistribution(r, .dump) },
        Route("POST", "/clear_expert_distribution") { api, r, _ in api.expertDistribution(r, .clear) },
        Route("GET", "/expert_distribution_status") { api, r, _ in api.expertDistributionStatus(r) },
        // Extensions of this simulator, outside ServerlessLLM's contract.
        Route("GET", "/fake_sllm/info") { api, _, _ in api.info() },
        Route("POST", "/fake_sllm/dump_ground_truth") { api, r, _ in api.dumpGroundTruth(r) },
        Route("GET", "/metrics", .open) { api, _, _ in api.prometheusMetrics() },
    ]

    /// ServerlessLLM's rows of ``routes``, in order.
    private static let sllmRoutes = routes.filter { $0.api == .sllm }

    /// vLLM's empty 200 answers (`/health`, `/ping` in the OpenAI mode).
    private static let emptyJSON = HTTPResponse(status: 200, contentType: "application/json", body: [])

    /// Who may call `path` (any method, any API mode): the most open access of the rows it matches; `.keyed`
    /// for paths of no row. The HTTP layer asks this before reading a body.
    package static func access(forPath path: String) -> Route.Access {
        let segments = Route.segments(of: path)
        var access = Route.Access.keyed
        for route in routes where route.match(segments) != nil {
            if route.access == .probe { return .probe }
            if route.access == .open { access = .open }
        }
        return access
    }

    /// Routes a request. Unknown path → 404 `{"detail":"Not Found"}`; known path, other method → 405
    /// `{"detail":"Method Not Allowed"}` (FastAPI, docs/sllm-api.md §1).
    package func handle(_ request: HTTPRequest) -> Reply {
        let reply = route(request)
        // Answers given at once are logged here; completions log themselves when they end (``ChatJob``).
        if case .now(let r) = reply { serverLog.info("\(request.method) \(request.path) \(r.status)") }
        return reply
    }

    private func route(_ request: HTTPRequest) -> Reply {
        let openAIServer = serverAPI == .openai
        for route in SLLMAPI.routes {
            guard case .vllm(let serverOnly) = route.api, openAIServer || !serverOnly,
                route.method == request.method, route.pattern == request.path
            else { continue }
            if let reply = route.handler(self, request, []) { return reply }
        }
        let table = SLLMAPI.sllmRoutes
        var pathMatched = false
        let segments = Route.segments(of: request.path)
        for route in table {
            guard let params = route.match(segments) else { continue }
            pathMatched = true
            if route.method == request.method || (route.method == "GET" && request.method == "HEAD") {
                if let reply = route.handler(self, request, params) { return reply }
            }
        }
        // Starlette's `redirect_slashes`: `/health/` answers 307 to `/health` (and the reverse).
        let other = request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path + "/"
        if !pathMatched, request.path != "/",
            table.contains(where: { $0.match(Route.segments(of: other)) != nil })
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
            let allowed = table.filter { $0.match(segments) != nil }.map(\.method)
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

    /// The JSON object body, or nil when `await request.json()` would fail or give a non-dict.
    func objectBody(_ r: HTTPRequest) -> JSONObject? { r.jsonBody()?.objectValue }
}
