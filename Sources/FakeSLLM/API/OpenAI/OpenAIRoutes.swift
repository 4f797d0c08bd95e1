import MoECore
import SimEngine

/// vLLM's version this mode answers as (docs/openai-mode.md): the release ServerlessLLM's MoE-CAP branch pins.
let vllmVersion = "0.11.0"

extension SLLMAPI {
    /// The server-wide API mode (`--api`).
    var serverAPI: APIMode { registry.defaults.api }

    /// The routes answered as `vllm serve` answers them (docs/openai-mode.md), or nil to let ServerlessLLM's
    /// route table answer. Chat and text completions go the vLLM way when the body's model is a deployment in the
    /// OpenAI mode (or, on a server in the OpenAI mode, when it names no ServerlessLLM-mode deployment); the other
    /// vLLM routes only on a server in the OpenAI mode. Recording and simulator routes always fall through.
    func openAIRoute(_ r: HTTPRequest) -> Reply? {
        let openai = serverAPI == .openai
        switch (r.method, r.path) {
        case ("POST", "/v1/chat/completions"): return openAIGeneration(r, kind: .chat)
        case ("POST", "/v1/completions"): return openAIGeneration(r, kind: .completion)
        case ("GET", "/v1/models") where openai: return .now(.json(openAIModels()))
        case ("GET", "/health") where openai, ("HEAD", "/health") where openai:
            return .now(HTTPResponse(status: 200, contentType: "application/json", body: []))
        case ("GET", "/ping") where openai, ("POST", "/ping") where openai:
            return .now(HTTPResponse(status: 200, contentType: "application/json", body: []))
        case ("GET", "/version") where openai: return .now(.json(["version": .string(vllmVersion)]))
        case ("POST", "/tokenize") where openai: return .now(tokenize(r))
        // vLLM serves a generative model with no embedding or pooling handler: its create_embedding answers 400.
        case ("POST", "/v1/embeddings") where openai:
            return .now(OpenAIError.badRequest("The model does not support Embeddings API").response)
        default: return nil
        }
    }

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
