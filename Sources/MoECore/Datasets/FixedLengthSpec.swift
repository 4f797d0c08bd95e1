/// MoE-CAP's fixed-length mode: every prompt cut to exactly `inputTokens` tokens, every response forced to
/// `outputTokens` tokens with `ignore_eos` (docs/moecap-metrics.md §10, `fixed_length_loader.py`).
package struct FixedLengthSpec: Sendable, Equatable {
    /// Tokens of each prompt before the chat template (MoE-CAP's `target_input_tokens`, default 4096).
    package var inputTokens: Int
    /// Tokens of each response, sent as `max_tokens` (`target_output_tokens`, default 1024).
    package var outputTokens: Int
    /// Prompts to make (`num_samples`, default 100).
    package var numSamples: Int

    package init(inputTokens: Int = 4096, outputTokens: Int = 1024, numSamples: Int = 100) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.numSamples = numSamples
    }

    /// Checks every count is at least 1.
    package func validated() throws(DatasetError) -> FixedLengthSpec {
        guard inputTokens >= 1 else { throw .invalidTokenCount(what: "fixed-length input tokens", value: inputTokens) }
        guard outputTokens >= 1 else {
            throw .invalidTokenCount(what: "fixed-length output tokens", value: outputTokens)
        }
        guard numSamples >= 1 else { throw .invalidSampleCount(numSamples) }
        return self
    }
}

/// MoE-CAP's shipped fixed-length configurations (docs/moecap-metrics.md §10).
package enum FixedLengthPreset: String, CaseIterable, Sendable {
    /// GSM8K questions stretched to 4000 tokens, 1000 output tokens.
    case fourKOneK = "4K-1K"
    /// LongBench-v2 prompts cut to 13000 tokens, 1000 output tokens.
    case thirteenKOneK = "13K-1K"

    /// The preset named `name`, case-insensitively (`4k-1k` works).
    /// - Throws: ``DatasetError/unknownFixedLengthPreset(_:)``, whose description lists the valid names.
    package init(parsing name: String) throws(DatasetError) {
        let upper = PythonText.strip(name).uppercased()
        guard let preset = FixedLengthPreset(rawValue: upper) else { throw .unknownFixedLengthPreset(name) }
        self = preset
    }

    /// The valid names, comma-separated.
    package static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The dataset whose inputs are the base texts.
    package var base: DatasetKind {
        switch self {
        case .fourKOneK: return .gsm8k
        case .thirteenKOneK: return .longbenchV2
        }
    }

    /// The token counts, with MoE-CAP's 100 samples.
    package var spec: FixedLengthSpec {
        switch self {
        case .fourKOneK: return FixedLengthSpec(inputTokens: 4000, outputTokens: 1000, numSamples: 100)
        case .thirteenKOneK: return FixedLengthSpec(inputTokens: 13000, outputTokens: 1000, numSamples: 100)
        }
    }
}
