import MoECore

/// A `/v1/chat/completions` or `/v1/completions` body read the way vLLM 0.11's pydantic models read it
/// (`ChatCompletionRequest`, `CompletionRequest`; docs/openai-mode.md "Requests"): every OpenAI and vLLM
/// parameter accepted with its type checked, unknown keys ignored and listed (vLLM logs them as a warning), the
/// model validators' errors, then `SamplingParams`' own checks.
struct OpenAIRequest {
    /// One prompt of a completion request.
    enum Prompt: Sendable, Equatable {
        case text(String)
        case tokens([Int])
    }

    /// Which route the body came to.
    enum Kind: Sendable, Equatable {
        case chat, completion
        var schema: String { self == .chat ? "ChatCompletionRequest" : "CompletionRequest" }
    }

    var kind: Kind
    var model: String?
    /// Chat turns (role, text) in order.
    var messages: [(role: String, content: String)] = []
    /// A completion's prompts, in order: texts, or token ids.
    var prompts: [Prompt] = []
    var echo = false
    var stream = false
    var includeUsage = false
    var continuousUsage = false
    /// Number of top log-probabilities per token when log-probabilities are asked for, else nil.
    var logprobs: Int?
    /// `max_completion_tokens` ?? `max_tokens` (nil: up to the model length, or 16 for completions).
    var maxTokens: Int?
    var sampling: SamplingParams
    var requestId: String?
    /// Keys vLLM ignores (it logs "The following fields were present in the request but ignored: …").
    var ignored: [String] = []

    /// Fields of vLLM 0.11's request models (OpenAI's, then vLLM's sampling and extra parameters).
    static let commonFields: Set<String> = [
        "model", "frequency_penalty", "logit_bias", "logprobs", "max_tokens", "n", "presence_penalty",
        "response_format", "seed", "stop", "stream", "stream_options", "temperature", "top_p", "user", "best_of",
        "use_beam_search", "top_k", "min_p", "repetition_penalty", "length_penalty", "stop_token_ids",
        "include_stop_str_in_output", "ignore_eos", "min_tokens", "skip_special_tokens",
        "spaces_between_special_tokens", "truncate_prompt_tokens", "prompt_logprobs", "allowed_token_ids",
        "bad_words", "echo", "add_special_tokens", "guided_json", "guided_regex", "guided_choice", "guided_grammar",
        "structural_tag", "guided_decoding_backend", "guided_whitespace_pattern", "structured_outputs", "priority",
        "request_id", "logits_processors", "return_tokens_as_token_ids", "return_token_ids", "cache_salt",
        "kv_transfer_params", "vllm_xargs",
    ]
    static let chatFields: Set<String> = commonFields.union([
        "messages", "top_logprobs", "max_completion_tokens", "tools", "tool_choice", "reasoning_effort",
        "include_reasoning", "parallel_tool_calls", "add_generation_prompt", "continue_final_message", "documents",
        "chat_template", "chat_template_kwargs", "mm_processor_kwargs", "modalities", "audio", "metadata", "store",
        "service_tier", "prediction", "web_search_options", "function_call", "functions",
    ])
    static let completionFields: Set<String> = commonFields.union(["prompt", "prompt_embeds", "suffix"])

    /// Reads `body` as vLLM does.
    /// - Throws: ``OpenAIError`` with vLLM's status, type and text for the first problem found.
    init(kind: Kind, body: JSONObject) throws(OpenAIError) {
        self.kind = kind
        let schema = kind.schema
        let fields = kind == .chat ? OpenAIRequest.chatFields : OpenAIRequest.completionFields
        ignored = body.pairs.map(\.0).filter { !fields.contains($0) }
        let b = Reader(body: body, schema: schema)

        model = try b.string("model")
        stream = try b.bool("stream") ?? false
        if let options = body["stream_options"], !options.isNull {
            guard case .object(let o) = options else {
                throw .validation(schema, "stream_options", "Input should be a valid dictionary", type: "model_type")
            }
            let r = Reader(body: o, schema: schema)
            includeUsage = try r.bool("include_usage") ?? true
            continuousUsage = try r.bool("continuous_usage_stats") ?? false
            // The model validator: stream_options only with stream=True.
            if !o.pairs.isEmpty && !stream {
                throw .valueError(schema, "Stream options can only be defined when `stream=True`.")
            }
        }
        if let rf = body["response_format"], !rf.isNull {
            let type = rf["type"]?.stringValue
            guard let type, ["text", "json_object", "json_schema", "structural_tag"].contains(type) else {
                throw .validation(
                    schema, "response_format.type",
                    "Input should be 'text', 'json_object' or 'json_schema'", type: "literal_error")
            }
            if type == "json_schema", rf["json_schema"] == nil {
                throw .valueError(schema, "response_format.json_schema is required when type is json_schema")
            }
        }
        _ = try b.string("user")
        requestId = try b.string("request_id")
        echo = try b.bool("echo") ?? false

        let maxTokens = try b.int("max_tokens")
        let maxCompletionTokens = kind == .chat ? try b.int("max_completion_tokens") : nil
        self.maxTokens = maxCompletionTokens ?? maxTokens ?? (kind == .completion ? 16 : nil)

        // Log-probabilities: a boolean plus top_logprobs for chat, a count for completions.
        switch kind {
        case .chat:
            let wanted = try b.bool("logprobs") ?? false
            let top = try b.int("top_logprobs")
            if let top, top < 0 { throw .valueError(schema, "`top_logprobs` must be a positive value.") }
            if let top, top > 0, !wanted {
                throw .valueError(schema, "when using `top_logprobs`, `logprobs` must be set to true.")
            }
            logprobs = wanted ? (top ?? 0) : nil
        case .completion:
            logprobs = try b.int("logprobs")
        }
        if let prompt = try b.int("prompt_logprobs"), prompt < 0 {
            throw .valueError(schema, "`prompt_logprobs` must be a positive value.")
        }

        // The parameters SamplingParams takes, checked by its own _verify_args.
        var rest = JSONObject()
        for key in [
            "n", "presence_penalty", "frequency_penalty", "repetition_penalty", "temperature", "top_p", "top_k",
            "min_p", "seed", "stop", "ignore_eos", "min_tokens", "best_of", "stop_token_ids", "bad_words",
            "allowed_token_ids", "logit_bias",
        ] {
            if let v = body[key], !v.isNull { rest[key] = v }
        }
        for key in ["n", "top_k", "min_tokens", "seed"] { _ = try b.int(key) }
        for key in ["presence_penalty", "frequency_penalty", "repetition_penalty", "temperature", "top_p", "min_p"] {
            _ = try b.number(key)
        }
        _ = try b.bool("ignore_eos")
        if let stop = body["stop"], !stop.isNull, stop.stringValue == nil,
            stop.arrayValue?.allSatisfy({ $0.stringValue != nil }) != true
        {
            throw .validation(schema, "stop", "Input should be a valid string or list of strings", type: "string_type")
        }
        if let n = logprobs { rest["logprobs"] = .int(n) }
        if let m = self.maxTokens { rest["max_tokens"] = .int(m) } else { rest["max_tokens"] = .null }
        do { sampling = try SamplingParams(rest) } catch { throw .badRequest(error.text) }
        if let n = logprobs, n > 20 {
            throw .badRequest("Requested sample logprobs of \(n), which is greater than max allowed: 20")
        }

        switch kind {
        case .chat:
            guard let list = body["messages"] else {
                throw .validation(schema, "messages", "Field required", type: "missing")
            }
            guard case .array(let items) = list else {
                throw .validation(schema, "messages", "Input should be a valid list", type: "list_type")
            }
            for (i, m) in items.enumerated() {
                guard case .object(let o) = m, let role = o["role"]?.stringValue else {
                    throw .validation(schema, "messages.\(i).role", "Field required", type: "missing")
                }
                let content = o["content"] ?? .null
                guard let text = ChatContent.text(content) else {
                    throw .validation(
                        schema, "messages.\(i).content", "Input should be a valid string or a list of content parts",
                        type: "string_type")
                }
                messages.append((role, text))
            }
        case .completion:
            // A string, a list of strings, a list of token ids, or a list of token-id lists (vLLM batches them).
            let invalid = OpenAIError.validation(
                schema, "prompt", "Input should be a valid string or list of strings or token ids", type: "union_tag")
            switch body["prompt"] {
            case .string(let s)?: prompts = [.text(s)]
            case .array(let a)? where !a.isEmpty:
                if a.allSatisfy({ $0.stringValue != nil }) {
                    prompts = a.compactMap(\.stringValue).map { .text($0) }
                } else if a.allSatisfy({ $0.intValue != nil }) {
                    prompts = [.tokens(a.compactMap(\.intValue))]
                } else if a.allSatisfy({ $0.arrayValue?.allSatisfy({ $0.intValue != nil }) == true }) {
                    prompts = a.compactMap { $0.arrayValue?.compactMap(\.intValue) }.map { .tokens($0) }
                } else {
                    throw invalid
                }
            case nil, .null?, .array?:
                throw .badRequest("Either prompt or prompt_embeds must be provided and non-empty.")
            default:
                throw invalid
            }
        }
    }

    /// Typed reads of optional fields with pydantic's error texts.
    private struct Reader {
        let body: JSONObject
        let schema: String

        func string(_ key: String) throws(OpenAIError) -> String? {
            guard let v = body[key], !v.isNull else { return nil }
            guard let s = v.stringValue else {
                throw .validation(schema, key, "Input should be a valid string", type: "string_type")
            }
            return s
        }

        func bool(_ key: String) throws(OpenAIError) -> Bool? {
            guard let v = body[key], !v.isNull else { return nil }
            guard let b = v.boolValue else {
                throw .validation(schema, key, "Input should be a valid boolean", type: "bool_type")
            }
            return b
        }

        func int(_ key: String) throws(OpenAIError) -> Int? {
            guard let v = body[key], !v.isNull else { return nil }
            if case .bool = v {
                throw .validation(schema, key, "Input should be a valid integer", type: "int_type")
            }
            guard let d = v.doubleValue, d.rounded() == d, abs(d) < 9.2e18 else {
                throw .validation(schema, key, "Input should be a valid integer", type: "int_type")
            }
            return Int(d)
        }

        func number(_ key: String) throws(OpenAIError) -> Double? {
            guard let v = body[key], !v.isNull else { return nil }
            if case .bool = v { return nil }
            guard let d = v.doubleValue else {
                throw .validation(schema, key, "Input should be a valid number", type: "float_type")
            }
            return d
        }
    }
}
