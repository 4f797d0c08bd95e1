import MoECore

/// vLLM 0.11's error answer (docs/openai-mode.md "Errors"): HTTP status = `code`, body
/// `{"error": {"message", "type", "param", "code"}}` (vLLM ≥ 0.10.2 nests it; older releases sent it flat).
struct OpenAIError: Error, Sendable, Equatable {
    var message: String
    var type: String
    var param: String?
    var code: Int

    /// 400 `BadRequestError`: a value vLLM refuses.
    static func badRequest(_ message: String, param: String? = nil) -> OpenAIError {
        OpenAIError(message: message, type: "BadRequestError", param: param, code: 400)
    }

    /// 404 `NotFoundError`: an unknown model.
    static func modelNotFound(_ model: String) -> OpenAIError {
        OpenAIError(message: "The model `\(model)` does not exist.", type: "NotFoundError", param: "model", code: 404)
    }

    /// A body the request model refuses (a wrong type, a model validator): FastAPI's validation error, which
    /// vLLM answers with status 400, type `Bad Request` (the HTTP phrase) and pydantic's text.
    static func validation(_ schema: String, _ field: String?, _ message: String, type: String) -> OpenAIError {
        OpenAIError(
            message: "1 validation error for \(schema)\n" + (field.map { "\($0)\n" } ?? "")
                + "  \(message) [type=\(type)]",
            type: "Bad Request", param: nil, code: 400)
    }

    /// A model validator's `ValueError` (pydantic prefixes `Value error, `).
    static func valueError(_ schema: String, _ message: String) -> OpenAIError {
        validation(schema, nil, "Value error, \(message)", type: "value_error")
    }

    var json: JSONValue {
        [
            "error": .object(
                JSONObject([
                    ("message", .string(message)), ("type", .string(type)),
                    ("param", param.map { .string($0) } ?? .null),
                    ("code", .int(code)),
                ]))
        ]
    }

    var response: HTTPResponse { .json(json, status: code) }

    /// The same error as an SSE event, for failures after a stream has started (vLLM sends one `data:` error
    /// event, then `[DONE]`).
    var event: [UInt8] { Array("data: \(json.serialized(compact: true))\n\n".utf8) }
}
