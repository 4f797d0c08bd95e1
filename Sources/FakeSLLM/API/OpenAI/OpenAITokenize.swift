import MoECore
import SimEngine

extension SLLMAPI {
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
}
