import MoECore
import SimEngine

/// Renders chat messages into the prompt text the model's Hugging Face chat template would produce with
/// `add_generation_prompt=True` (docs/sllm-api.md §3.6 step 3: the `vllm_moecap` backend uses the tokenizer's chat
/// template, not "role: content" lines). Prompt tokens are then counted on this text with ``TokenEstimator``.
package enum ChatTemplate: String, Sendable {
    /// ChatML (Qwen1.5, Qwen3): `<|im_start|>role\ncontent<|im_end|>\n` … `<|im_start|>assistant\n`.
    case chatML
    /// Mistral/Mixtral instruct: `<s>[INST] user [/INST]assistant</s>`; a system message is folded into the first
    /// user turn (the v0.1 template has no system role).
    case mistral
    /// DeepSeek-V2 chat: `<｜begin▁of▁sentence｜>system\n\nUser: …\n\nAssistant:`.
    case deepSeek

    /// The template family of a model, from its config's `model_type` or its name.
    static func forModel(_ model: ModelSpec) -> ChatTemplate {
        // Asked on every generation request; Foundation's substring search is slow, so each model's answer is
        // kept (a handful of models per server).
        let type = model.raw["model_type"]?.stringValue ?? ""
        let key = ModelKey(name: model.name, type: type)
        if let known = known.withLock({ $0[key] }) { return known }
        let template = family(type: type, name: model.name)
        known.withLock { $0[key] = template }
        return template
    }

    private struct ModelKey: Hashable, Sendable {
        let name: String
        let type: String
    }
    private static let known = Locked<[ModelKey: ChatTemplate]>([:])

    private static func family(type: String, name: String) -> ChatTemplate {
        let type = type.lowercased()
        let name = name.lowercased()
        if type.hasPrefix("mixtral") || type.hasPrefix("mistral") || name.contains("mixtral")
            || name.contains("mistral")
        {
            return .mistral
        }
        if type.hasPrefix("deepseek") || name.contains("deepseek") { return .deepSeek }
        return .chatML
    }

    /// Whether the template adds Qwen1.5's default system prompt when none is given.
    static func addsDefaultSystem(_ model: ModelSpec) -> Bool {
        (model.raw["model_type"]?.stringValue ?? "") == "qwen2_moe"
    }

    /// The prompt for `messages` (pairs of role and content), ending with the assistant turn's opening.
    package func render(_ messages: [(role: String, content: String)], defaultSystem: String? = nil) -> String {
        var out = ""
        switch self {
        case .chatML:
            if let defaultSystem, messages.first?.role != "system" {
                out += "<|im_start|>system\n\(defaultSystem)<|im_end|>\n"
            }
            for m in messages { out += "<|im_start|>\(m.role)\n\(m.content)<|im_end|>\n" }
            out += "<|im_start|>assistant\n"
        case .mistral:
            out = "<s>"
            var pendingSystem = ""
            for m in messages {
                switch m.role {
                case "system": pendingSystem += m.content + "\n\n"
                case "assistant": out += "\(m.content)</s>"
                default:
                    out += "[INST] \(pendingSystem)\(m.content) [/INST]"
                    pendingSystem = ""
                }
            }
            if !pendingSystem.isEmpty { out += "[INST] \(pendingSystem) [/INST]" }
        case .deepSeek:
            out = "<｜begin▁of▁sentence｜>"
            for m in messages {
                switch m.role {
                case "system": out += "\(m.content)\n\n"
                case "assistant": out += "Assistant: \(m.content)<｜end▁of▁sentence｜>"
                default: out += "User: \(m.content)\n\n"
                }
            }
            out += "Assistant:"
        }
        return out
    }
}
