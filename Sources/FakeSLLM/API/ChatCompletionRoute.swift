import MoECore
import SimEngine

extension SLLMAPI {
    /// `POST /v1/chat/completions` (docs/sllm-api.md §3.6): gateway checks, router checks, then the `vllm_moecap`
    /// backend's `generate`.
    func chatCompletions(_ r: HTTPRequest) -> Reply {
        switch inferenceTarget(r) {
        case .failure(let e): return .now(e.response)
        case .success(let (body, deployment)):
            return generate(deployment, body, plan: ClosedLoopPlan.declared(in: r.headers))
        }
    }

    /// The gateway's `inference_handler` checks (§3.6): the JSON body, its `model`, and the model's router.
    func inferenceTarget(_ r: HTTPRequest) -> Result<(JSONObject, Deployment), ReplyError> {
        // `await request.json()` failing is an uncaught exception → 500 text.
        guard let body = objectBody(r) else { return .failure(ReplyError(.internalServerError)) }
        guard let model = body["model"], model.isTruthy else {
            return .failure(ReplyError(.detail("Missing model_name in request body", status: 400)))
        }
        // `ray.get_actor` on an unknown (or non-string) name raises ValueError, uncaught → 500 text.
        guard let name = model.stringValue, let deployment = registry.deployment(named: name) else {
            return .failure(ReplyError(.internalServerError))
        }
        return .success((body, deployment))
    }

    /// `POST /v1/completions` (§3.7): rewritten into a chat request with one user message. The real branch
    /// always inserts `"stream"`, so every call fails there; that is the `reject_stream` quirk.
    func completions(_ r: HTTPRequest) -> Reply {
        guard let body = objectBody(r) else { return .now(.internalServerError) }
        guard let model = body["model"], model.isTruthy else {
            return .now(.detail("Missing model_name in request body", status: 400))
        }
        var prompt = body["prompt"] ?? .string("")
        if case .array(let list) = prompt {
            if list.isEmpty { return .now(.detail("Empty prompt list", status: 400)) }
            if list.count > 1 {
                return .now(
                    .detail(
                        "Multiple prompts in single request not supported. Please send separate requests for each prompt.",
                        status: 400))
            }
            prompt = list[0]
        }
        guard let name = model.stringValue, let deployment = registry.deployment(named: name) else {
            return .now(.internalServerError)
        }
        var chat = JSONObject([
            ("model", model), ("messages", [["role": "user", "content": prompt]]),
            ("max_tokens", body["max_tokens"] ?? 100), ("temperature", body["temperature"] ?? 0.0),
            ("stream", body["stream"] ?? false),
        ])
        for key in ["top_p", "frequency_penalty", "presence_penalty"] where body[key] != nil { chat[key] = body[key] }
        return generate(deployment, chat, plan: ClosedLoopPlan.declared(in: r.headers))
    }

    /// The backend's `generate` (§3.6 steps 1–6) for a body whose `model` names `deployment`.
    /// `plan`: what the client declared about itself (docs/serving.md "Reproducible arrivals").
    func generate(_ deployment: Deployment, _ body: JSONObject, plan: ClosedLoopPlan? = nil) -> Reply {
        if deployment.isDeleted { return .now(.json(["error": "Instance stopped"])) }
        var rest = body
        let model = rest.removeValue(forKey: "model") ?? "vllm-model"
        let messages = rest.removeValue(forKey: "messages") ?? .array([])
        let promptOverride = rest.removeValue(forKey: "prompt")
        let inputTokens = rest.removeValue(forKey: "input_tokens")
        let requestIdValue = rest.removeValue(forKey: "request_id")

        // Extension: `stream` selects SSE, unless the real backend's rejection is switched on.
        var stream = false
        var includeUsage = false
        if !deployment.settings.quirks.rejectStream, let s = rest.removeValue(forKey: "stream") {
            stream = s.isTruthy
            if let options = rest.removeValue(forKey: "stream_options") {
                includeUsage = options["include_usage"]?.isTruthy ?? false
            }
        }

        // Messages lacking "content" are dropped; the rest go through the chat template.
        guard case .array(let list) = messages else {
            return .now(.detail("'messages' must be a list of message objects", status: 400))
        }
        var turns: [(role: String, content: String)] = []
        for m in list {
            guard case .object(let o) = m else {
                return .now(.detail("each message must be an object with 'role' and 'content'", status: 400))
            }
            guard let content = o["content"] else { continue }
            guard let text = ChatContent.text(content) else {
                return .now(.detail("message 'content' must be a string or a list of text parts", status: 400))
            }
            turns.append((o["role"]?.stringValue ?? "user", text))
        }
        let spec = deployment.engineConfig.model
        let template = ChatTemplate.forModel(spec)
        var prompt: String
        if let p = promptOverride?.stringValue {
            prompt = p
        } else {
            guard !turns.isEmpty else { return .now(.detail("No user query found in messages.", status: 400)) }
            prompt = template.render(
                turns, defaultSystem: ChatTemplate.addsDefaultSystem(spec) ? "You are a helpful assistant." : nil)
        }
        var promptTokens = TokenEstimator.count(prompt)
        // Token ids given: the engine sees exactly them (their count, and their blocks for the prefix cache).
        var tokenIds: [Int]?
        if let tokens = inputTokens, !tokens.isNull {
            guard let ids = tokens.arrayValue else {
                return .now(.detail("'input_tokens' must be a list of token ids", status: 400))
            }
            promptTokens = ids.count
            tokenIds = ids.map { $0.intValue ?? Int(truncatingIfNeeded: stableHash(Array($0.serialized().utf8))) }
        }
        let requestId = requestIdValue?.stringValue ?? "chatcmpl-\(uuid4())"

        let sampling: SamplingParams
        do { sampling = try SamplingParams(rest) } catch {
            OpenAIOnlyKeyWarning.note(error)
            return .now(.json(["error": .string("Invalid sampling parameters: \(error.text)")]))
        }
        guard promptTokens > 0 else { return .now(.detail("The decoder prompt cannot be empty", status: 400)) }
        let maxModelLen = deployment.engineConfig.maxModelLen ?? spec.maxPositionEmbeddings
        // In `sllm` mode the prompt goes through the router first: vLLM's input processor raises only when the
        // instance's actor runs the request, and the router keeps the request's slot (docs/serving.md "Failed
        // requests"). A bare engine refuses it at once.
        if promptTokens > maxModelLen, deployment.settings.serving == .direct {
            // vLLM's input processor raises this ValueError; the real server turns it into a 500.
            return .now(
                .detail(
                    "The decoder prompt (length \(promptTokens)) is longer than the maximum model length of "
                        + "\(maxModelLen). Make sure that `max_model_len` is no smaller than the number of text tokens.",
                    status: 400))
        }
        let maxTokens = max(1, min(sampling.maxTokens ?? .max, maxModelLen - promptTokens))
        // A whole answer is held until it is sent: refuse one larger than the budget before any work starts.
        if !stream,
            let refusal = budget.refusal(
                bytes: AnswerBudget.generationBytes(
                    choices: sampling.n, tokens: maxTokens, bytesPerToken: CompletionText.maxPieceBytes))
        {
            return .now(.json(["error": .string("Invalid sampling parameters: \(refusal)")]))
        }

        let input = GenerationInput(
            prompt: prompt, promptTokens: promptTokens, tokenIds: tokenIds,
            userText: turns.last(where: { $0.role == "user" })?.content, sampling: sampling, maxTokens: maxTokens)
        let target: ChatJob.Target = stream ? .stream(EventStream()) : .response(PendingResponse())
        return submit(deployment, input, plan: plan) { choices in
            ChatJob(
                requestId: requestId, model: model.stringValue ?? model.serialized(), created: Int(unixTime()),
                promptTokens: promptTokens, choices: choices, target: target, includeUsage: includeUsage)
        }
    }
}

/// Text of a message's `content`: a string, or a list of `{"type": "text", "text": …}` parts.
enum ChatContent {
    static func text(_ content: JSONValue) -> String? {
        switch content {
        case .string(let s): return s
        case .null: return ""
        case .array(let parts):
            var out = ""
            for p in parts {
                if let s = p.stringValue {
                    out += s
                } else if let t = p["text"]?.stringValue {
                    out += t
                } else {
                    return nil
                }
            }
            return out
        default: return nil
        }
    }
}

/// Content hashes of a prompt's full KV blocks (the key of vLLM's prefix cache): one pseudo token id per
/// estimated token, chained per block by the engine's ``BlockHasher``.
enum PrefixHashes {
    static func blocks(of prompt: String, blockSize: Int) -> [UInt64] {
        var ids: [Int64] = []
        TokenEstimator.scan(prompt) { range, tokens in
            let piece = stableHash(prompt[range].utf8)
            for k in 0..<tokens { ids.append(Int64(bitPattern: piece &+ UInt64(k))) }
        }
        return BlockHasher.hashes(tokens: ids, blockSize: blockSize)
    }
}
