import Logging
import MoECore
import SimEngine

extension SLLMAPI {
    /// `POST /register` (docs/sllm-api.md §3.2).
    func register(_ r: HTTPRequest) -> Reply {
        // An unreadable body fails in the gateway (500 text); any other bad config fails in the controller, which
        // the gateway reports as 500 `Cannot register model…`.
        guard let body = r.jsonBody() else { return .now(.internalServerError) }
        let config: DeployConfig
        do { config = try DeployConfig(json: body) } catch {
            serverLog.warning("register: \(error.description)")
            return .now(.detail("Cannot register model, please contact the administrator", status: 500))
        }
        // Files named over HTTP only under the operator's --allow-config-dir (docs/http.md).
        if let refusal = configFiles.refusal(for: config) {
            serverLog.warning("register \(config.model): \(refusal)")
            return .now(.detail(refusal, status: 403))
        }
        do {
            switch try registry.register(config) {
            case .registered: serverLog.notice("registered \(config.model) (backend \(config.backend ?? "-"))")
            case .ignoredNoBackend: serverLog.warning("register \(config.model): no 'backend' in the config; ignored")
            case .ignoredAlreadyRegistered: serverLog.warning("register \(config.model): already registered; ignored")
            case .refusedTooMany:
                serverLog.warning("register \(config.model): \(registry.tooManyModels)")
                return .now(.detail(registry.tooManyModels, status: 503))
            }
            return .now(.json(["status": "ok"]))
        } catch {
            serverLog.warning("register \(config.model): \(error.description)")
            return .now(.detail("Cannot register model, please contact the administrator", status: 500))
        }
    }

    /// `POST /update` (§3.3): only `auto_scaling_config` is applied.
    func update(_ r: HTTPRequest) -> Reply {
        guard let body = objectBody(r) else { return .now(.internalServerError) }
        guard let model = body["model"], model.isTruthy else {
            return .now(.detail("Missing model_name in request body", status: 400))
        }
        guard let name = model.stringValue, let d = registry.deployment(named: name) else {
            return .now(
                .detail(
                    "Model \(model.stringValue ?? model.serialized()) not found, please register first", status: 400))
        }
        if let asc = body["auto_scaling_config"] {
            do { d.update(autoScaling: try AutoScalingConfig(json: asc)) } catch {
                return .now(.detail(error.description, status: 500))
            }
        }
        return .now(.json(["status": .string("updated model \(name)")]))
    }

    /// `POST /delete` (§3.4): always 200, even for unknown models.
    func delete(_ r: HTTPRequest) -> Reply {
        guard let body = objectBody(r) else { return .now(.internalServerError) }
        guard let model = body["model"], model.isTruthy else {
            return .now(.detail("Missing model_name in request body", status: 400))
        }
        let name = model.stringValue ?? model.serialized()
        if registry.delete(name) { serverLog.notice("deleted \(name)") }
        return .now(.json(["status": .string("deleted model \(name)")]))
    }

    /// `GET /v1/models` (§3.5): sllm's `models` key, not OpenAI's `data`.
    func models() -> Reply {
        let list: [JSONValue] = registry.all.map { d in
            let raw = d.config.raw
            func echo(_ key: String) -> JSONValue { raw[key] ?? .null }
            let permission: JSONValue = .object(
                JSONObject([
                    ("id", .string("modelperm-\(d.name)")), ("object", "model_permission"),
                    ("created", echo("created")),
                    ("allow_create_engine", echo("allow_create_engine")), ("allow_sampling", echo("allow_sampling")),
                    ("allow_logprobs", echo("allow_logprobs")), ("allow_search_indices", echo("allow_search_indices")),
                    ("allow_view", echo("allow_view")), ("allow_fine_tuning", echo("allow_fine_tuning")),
                    ("organization", "*"), ("group", .null), ("is_blocking", .null),
                ]))
            return .object(
                JSONObject([
                    ("id", .string(d.name)), ("object", "model"), ("created", echo("created")), ("owned_by", "sllm"),
                    ("root", .string(d.name)), ("parent", .null), ("max_model_len", echo("max_model_len")),
                    ("permission", [permission]),
                ]))
        }
        return .now(.json(["object": "list", "models": .array(list)]))
    }
}
