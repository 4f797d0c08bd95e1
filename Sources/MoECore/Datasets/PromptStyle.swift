/// How an item becomes the chat `messages` of a request.
package enum PromptStyle: String, CaseIterable, Sendable {
    /// ServerlessLLM's `evaluate_moecap.py`: system "You are a helpful assistant." then the user input
    /// (docs/sllm-api.md §5.1 step 6). The default.
    case sllm
    /// MoE-CAP's runner: the loader's system prompt (gsm8k has its own) else the default one, then the user input
    /// (docs/moecap-metrics.md §10).
    case moecap

    /// The style named `name`, case-insensitively.
    /// - Throws: ``DatasetError/unknownPromptStyle(_:)``, whose description lists the valid names.
    package init(parsing name: String) throws(DatasetError) {
        guard let style = PromptStyle(rawValue: PythonText.strip(name).lowercased()) else {
            throw .unknownPromptStyle(name)
        }
        self = style
    }

    /// The valid names, comma-separated.
    package static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// ServerlessLLM's system prompt (docs/sllm-api.md §5.1 step 6).
    package static let sllmSystemPrompt = "You are a helpful assistant."
    /// MoE-CAP's system prompt for loaders without their own (docs/moecap-metrics.md §10).
    package static let moecapDefaultSystemPrompt = "Output the answer directly without description."
    /// MoE-CAP's GSM8K loader's system prompt (docs/moecap-metrics.md §10).
    package static let moecapGSM8KSystemPrompt =
        "Solve the math problem. End your response with a line of the form '#### <number>' containing only the "
        + "final numeric answer (no units, no commas, no currency symbols)."

    /// The system prompt for the items of `dataset`. In MoE-CAP only the GSM8K loader defines its own; the
    /// fixed-length loader does not, whatever its base dataset (docs/moecap-metrics.md §10).
    package func systemPrompt(for dataset: Dataset) -> String {
        switch self {
        case .sllm:
            return Self.sllmSystemPrompt
        case .moecap:
            let ownPrompt = dataset.fixedLength == nil && dataset.kind == .gsm8k
            return ownPrompt ? Self.moecapGSM8KSystemPrompt : Self.moecapDefaultSystemPrompt
        }
    }

    /// The chat `messages` array for `item`: `[{"role": "system", …}, {"role": "user", "content": item.input}]`.
    package func messages(for item: DatasetItem, in dataset: Dataset) -> JSONValue {
        [
            ["role": "system", "content": .string(systemPrompt(for: dataset))],
            ["role": "user", "content": .string(item.input)],
        ]
    }
}
