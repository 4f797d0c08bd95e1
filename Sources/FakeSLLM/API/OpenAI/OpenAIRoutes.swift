import MoECore
import SimEngine

/// vLLM's version this mode answers as (docs/openai-mode.md): the release ServerlessLLM's MoE-CAP branch pins.
let vllmVersion = "0.11.0"

extension SLLMAPI {
    /// The server-wide API mode (`--api`).
    var serverAPI: APIMode { registry.defaults.api }

    /// `GET /v1/models` as vLLM lists its served models: under `data`, owned by `vllm`.
    func openAIModels() -> JSONValue {
        let created = Int(startedAt)
        let data: [JSONValue] = registry.all.map { d in
            let permission: JSONValue = .object(
                JSONObject([
                    ("id", .string("modelperm-\(uuid4().replacingOccurrences(of: "-", with: ""))")),
                    ("object", "model_permission"), ("created", .int(created)), ("allow_create_engine", false),
                    ("allow_sampling", true), ("allow_logprobs", true), ("allow_search_indices", false),
                    ("allow_view", true), ("allow_fine_tuning", false), ("organization", "*"), ("group", .null),
                    ("is_blocking", false),
                ]))
            return .object(
                JSONObject([
                    ("id", .string(d.name)), ("object", "model"), ("created", .int(created)), ("owned_by", "vllm"),
                    ("root", .string(d.name)), ("parent", .null),
                    ("max_model_len", .int(d.engineConfig.maxModelLen ?? d.engineConfig.model.maxPositionEmbeddings)),
                    ("permission", [permission]),
                ]))
        }
        return .object(JSONObject([("object", "list"), ("data", .array(data))]))
    }
}
