import MoECore
import SimEngine

extension SLLMAPI {
    /// The deployment a generation body is for, in the OpenAI mode; nil when ServerlessLLM's handler answers.
    func openAITarget(_ body: JSONObject?) -> Result<Deployment, OpenAIError>? {
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
    func openAIGeneration(_ r: HTTPRequest, kind: OpenAIRequest.Kind) -> Reply? {
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
        if request.toolUse.choice == .auto, !deployment.settings.enableAutoToolChoice {
            return .now(OpenAIError.badRequest(OpenAIToolUse.autoNeedsFlag).response)
        }
        if !request.ignored.isEmpty {
            let keys = request.ignored.map { "'\($0)'" }.joined(separator: ", ")
            serverLog.warning("The following fields were present in the request but ignored: {\(keys)}")
        }

        // The prompts as the engine sees them: one for chat, one or more for completions.
        let spec = deployment.engineConfig.model
        var prompts: [(text: String, tokens: Int, ids: [Int]?)] = []
        switch kind {
        case .chat:
            let turns = request.messages.filter { !$0.content.isEmpty || $0.role != "user" }
            let text = ChatTemplate.forModel(spec).render(
                turns.isEmpty ? request.messages : turns,
                defaultSystem: ChatTemplate.addsDefaultSystem(spec) ? "You are a helpful assistant." : nil)
            prompts = [(text, TokenEstimator.count(text), nil)]
        case .completion:
            prompts = request.prompts.map { p in
                switch p {
                case .text(let t): return (t, TokenEstimator.count(t), nil)
                case .tokens(let ids): return ("", ids.count, ids)
                }
            }
        }
        // prompts × n choices, each an engine request (docs/http.md, "Answer budget").
        let choiceCount = prompts.count.multipliedReportingOverflow(by: request.sampling.n)
        if choiceCount.overflow || choiceCount.partialValue > budget.maxChoices {
            return .now(
                OpenAIError.badRequest(
                    "prompts × n must be at most \(budget.maxChoices), got \(prompts.count) × \(request.sampling.n)."
                ).response)
        }
        let maxModelLen = deployment.engineConfig.maxModelLen ?? spec.maxPositionEmbeddings
        var inputs: [GenerationInput] = []
        let toolUse = request.toolUse
        var shaped: (@Sendable (Int, UInt64) -> String?)?
        if toolUse.shapesAnswer { shaped = { @Sendable tokens, seed in toolUse.text(tokens: tokens, seed: seed) } }
        for p in prompts {
            guard p.tokens > 0 else {
                return .now(OpenAIError.badRequest("The decoder prompt cannot be empty").response)
            }
            if p.tokens >= maxModelLen {
                return .now(
                    OpenAIError.badRequest(
                        "This model's maximum context length is \(maxModelLen) tokens. However, your request has "
                            + "\(p.tokens) input tokens. Please reduce the length of the input messages."
                    ).response)
            }
            if let m = request.maxTokens, p.tokens + m > maxModelLen {
                return .now(
                    OpenAIError.badRequest(
                        "'max_tokens' or 'max_completion_tokens' is too large: \(m). This model's maximum context "
                            + "length is \(maxModelLen) tokens and your request has \(p.tokens) input tokens "
                            + "(\(m) > \(maxModelLen) - \(p.tokens))."
                    ).response)
            }
            inputs.append(
                GenerationInput(
                    prompt: p.ids.map { ids in ids.map { "\($0)" }.joined(separator: " ") } ?? p.text,
                    promptTokens: p.tokens, tokenIds: p.ids,
                    userText: kind == .chat ? request.messages.last(where: { $0.role == "user" })?.content : p.text,
                    sampling: request.sampling, maxTokens: max(1, request.maxTokens ?? (maxModelLen - p.tokens)),
                    shaped: shaped))
        }

        if !request.stream {
            let echoed = kind == .completion && request.echo ? prompts.reduce(0) { $0 + $1.text.utf8.count * 2 } : 0
            let bytes = AnswerBudget.generationBytes(
                choices: choiceCount.partialValue, tokens: inputs.map(\.maxTokens).max() ?? 0,
                bytesPerToken: OpenAIJob.maxBytesPerToken(kind: kind, logprobs: request.logprobs),
                extra: echoed.multipliedReportingOverflow(by: request.sampling.n).partialValue)
            if let refusal = budget.refusal(bytes: bytes) { return .now(OpenAIError.badRequest(refusal).response) }
        }
        let options = OpenAIJob.Options(
            kind: kind, includeUsage: request.stream && request.includeUsage,
            continuousUsage: request.stream && request.includeUsage && request.continuousUsage,
            logprobs: request.logprobs, echo: kind == .completion && request.echo,
            toolUse: kind == .chat && request.toolUse.choice != .none ? request.toolUse : nil,
            sseComments: deployment.settings.sseComments)
        let id =
            (kind == .chat ? "chatcmpl-" : "cmpl-")
            + (request.requestId ?? uuid4().replacingOccurrences(of: "-", with: ""))
        let model = request.model ?? deployment.name
        let target: ChatJob.Target = request.stream ? .stream(EventStream()) : .response(PendingResponse())
        // Choice i·n + j answers prompt i.
        let perChoice = prompts.flatMap { p in
            Array(repeating: OpenAIJob.PromptInfo(tokens: p.tokens, text: p.text), count: request.sampling.n)
        }
        let promptTokens = prompts.reduce(0) { $0 + $1.tokens }
        return submit(deployment, inputs, plan: ClosedLoopPlan.declared(in: r.headers)) { choices in
            OpenAIJob(
                requestId: id, model: model, prompts: perChoice, promptTokens: promptTokens, choices: choices,
                options: options, target: target)
        }
    }
}
