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
        default: return nil
        }
    }

    /// The deployment a generation body is for, in the OpenAI mode; nil when ServerlessLLM's handler answers.
    private func openAITarget(_ body: JSONObject?) -> Result<Deployment, OpenAIError>? {
        let openai = serverAPI == .openai
        guard let body else { return openai ? .failure(.badRequest("Invalid JSON body: expected a JSON object")) : nil }
        let name = body["model"]?.stringValue
        if let name, !name.isEmpty {
            guard let d = registry.deployment(named: name) else { return openai ? .failure(.modelNotFound(name)) : nil }
            return d.settings.api == .openai ? .success(d) : nil
        }
        // vLLM serves its one model to requests that name none.
        guard openai else { return nil }
        guard let d = registry.all.first(where: { $0.settings.api == .openai }) ?? registry.all.first else {
            return .failure(.modelNotFound(body["model"]?.stringValue ?? ""))
        }
        return d.settings.api == .openai ? .success(d) : nil
    }

    /// `POST /v1/chat/completions` and `POST /v1/completions` as vLLM 0.11's `serving_chat` and
    /// `serving_completion` answer them.
    private func openAIGeneration(_ r: HTTPRequest, kind: OpenAIRequest.Kind) -> Reply? {
        // A ServerlessLLM server without OpenAI-mode deployments answers as before, without a second parse.
        guard serverAPI == .openai || registry.all.contains(where: { $0.settings.api == .openai }) else { return nil }
        let body = objectBody(r)
        guard let resolved = openAITarget(body) else { return nil }
        let deployment: Deployment
        switch resolved {
        case .failure(let e): return .now(e.response)
        case .success(let d): deployment = d
        }
        if deployment.isDeleted {
            return .now(OpenAIError(message: "Instance stopped", type: "InternalServerError", code: 500).response)
        }
        let request: OpenAIRequest
        do { request = try OpenAIRequest(kind: kind, body: body ?? JSONObject()) } catch {
            return .now(error.response)
        }
        if !request.ignored.isEmpty {
            let keys = request.ignored.map { "'\($0)'" }.joined(separator: ", ")
            serverLog.warning("The following fields were present in the request but ignored: {\(keys)}")
        }

        // The prompt as the engine sees it.
        let spec = deployment.engineConfig.model
        let prompt: String
        var promptTokens: Int
        switch kind {
        case .chat:
            let turns = request.messages.filter { !$0.content.isEmpty || $0.role != "user" }
            prompt = ChatTemplate.forModel(spec).render(
                turns.isEmpty ? request.messages : turns,
                defaultSystem: ChatTemplate.addsDefaultSystem(spec) ? "You are a helpful assistant." : nil)
            promptTokens = TokenEstimator.count(prompt)
        case .completion:
            prompt = request.promptText ?? ""
            promptTokens = request.promptTokenIds ?? TokenEstimator.count(prompt)
        }
        guard promptTokens > 0 else {
            return .now(OpenAIError.badRequest("The decoder prompt cannot be empty").response)
        }
        let maxModelLen = deployment.engineConfig.maxModelLen ?? spec.maxPositionEmbeddings
        if promptTokens >= maxModelLen {
            return .now(
                OpenAIError.badRequest(
                    "This model's maximum context length is \(maxModelLen) tokens. However, your request has "
                        + "\(promptTokens) input tokens. Please reduce the length of the input messages."
                ).response)
        }
        if let m = request.maxTokens, promptTokens + m > maxModelLen {
            return .now(
                OpenAIError.badRequest(
                    "'max_tokens' or 'max_completion_tokens' is too large: \(m). This model's maximum context "
                        + "length is \(maxModelLen) tokens and your request has \(promptTokens) input tokens "
                        + "(\(m) > \(maxModelLen) - \(promptTokens))."
                ).response)
        }
        let maxTokens = max(1, request.maxTokens ?? (maxModelLen - promptTokens))

        let input = GenerationInput(
            prompt: prompt, promptTokens: promptTokens,
            userText: kind == .chat ? request.messages.last(where: { $0.role == "user" })?.content : prompt,
            sampling: request.sampling, maxTokens: maxTokens)
        let options = OpenAIJob.Options(
            kind: kind, includeUsage: request.stream && request.includeUsage,
            continuousUsage: request.stream && request.includeUsage && request.continuousUsage,
            logprobs: request.logprobs, echo: kind == .completion && request.echo ? prompt : nil)
        let id =
            (kind == .chat ? "chatcmpl-" : "cmpl-")
            + (request.requestId ?? uuid4().replacingOccurrences(of: "-", with: ""))
        let model = request.model ?? deployment.name
        let target: ChatJob.Target = request.stream ? .stream(EventStream()) : .response(PendingResponse())
        return submit(deployment, input) { choices in
            OpenAIJob(
                requestId: id, model: model, promptTokens: promptTokens, choices: choices, options: options,
                target: target)
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

    /// `POST /tokenize` (`{"prompt"}` or `{"messages"}`): `count`, `max_model_len`, the token ids of this
    /// simulator's tokenizer approximation and, with `return_token_strs`, their texts.
    func tokenize(_ r: HTTPRequest) -> HTTPResponse {
        guard let body = objectBody(r) else { return OpenAIError.badRequest("Invalid JSON body").response }
        let deployment: Deployment?
        if let name = body["model"]?.stringValue, !name.isEmpty {
            guard let d = registry.deployment(named: name) else { return OpenAIError.modelNotFound(name).response }
            deployment = d
        } else {
            deployment = registry.all.first
        }
        guard let d = deployment else { return OpenAIError.modelNotFound("").response }
        let text: String
        if let p = body["prompt"]?.stringValue {
            text = p
        } else if case .array(let messages)? = body["messages"] {
            var turns: [(role: String, content: String)] = []
            for m in messages {
                guard let role = m["role"]?.stringValue, let content = ChatContent.text(m["content"] ?? .null) else {
                    return OpenAIError.badRequest("each message needs a 'role' and a text 'content'").response
                }
                turns.append((role, content))
            }
            let spec = d.engineConfig.model
            text = ChatTemplate.forModel(spec).render(
                turns, defaultSystem: ChatTemplate.addsDefaultSystem(spec) ? "You are a helpful assistant." : nil)
        } else {
            return OpenAIError.badRequest("Either 'prompt' or 'messages' must be given").response
        }
        let vocab = UInt64(max(d.engineConfig.model.vocabSize, 2))
        var ids: [JSONValue] = []
        var strings: [JSONValue] = []
        TokenEstimator.scan(text) { range, n in
            let piece = String(text[range])
            let h = stableHash(piece.utf8)
            for k in 0..<n {
                ids.append(.int(Int((h &+ UInt64(k)) % vocab)))
                strings.append(.string(k == 0 ? piece : ""))
            }
        }
        let returnStrings = body["return_token_strs"]?.boolValue ?? false
        return .json(
            .object(
                JSONObject([
                    ("count", .int(ids.count)),
                    ("max_model_len", .int(d.engineConfig.maxModelLen ?? d.engineConfig.model.maxPositionEmbeddings)),
                    ("tokens", .array(ids)), ("token_strs", returnStrings ? .array(strings) : .null),
                ])))
    }

    /// `GET /metrics` (both modes): the Prometheus text of every deployment (docs/metrics.md).
    func prometheusMetrics() -> Reply {
        .now(
            HTTPResponse(
                status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: Array(registry.metrics.render().utf8)))
    }
}
