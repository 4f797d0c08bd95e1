/// Builds fixed-length prompts from base texts (moecap_metrics.md §10, `fixed_length_loader.py`), counting and
/// cutting tokens with ``TokenEstimator`` where MoE-CAP uses the model's tokenizer.
public enum FixedLengthPrompts {
    /// Appended to every prompt.
    public static let suffix = "\n\nPlease continue writing:"

    /// The base text when there is no dataset to take texts from (MoE-CAP uses a fixed English paragraph for
    /// an unknown dataset name; its wording is not in the notes, so this one is the project's own).
    public static let syntheticParagraph =
        "The old lighthouse stood at the edge of the harbour, its white paint worn thin by a century of salt "
        + "wind. Every evening the keeper climbed the spiral stairs, trimmed the wick, and watched the fishing "
        + "boats come home one by one. Traders from the southern islands brought spices, cloth and news of "
        + "distant cities, and the children of the village gathered on the pier to hear their stories. In winter "
        + "the storms rolled in from the west, the waves broke over the sea wall, and the light turned through "
        + "the long nights so that no ship would be lost on the rocks below."

    /// The prompt made from `text`: the text repeated end to end until it holds at least `tokens` tokens, cut to
    /// its first `tokens` tokens (never splitting a piece, so at most `tokens`), then ``suffix``.
    /// - Precondition: `tokens >= 1` and `text` has at least one token.
    public static func prompt(from text: String, tokens: Int) -> String {
        let perCopy = TokenEstimator.count(text)
        precondition(tokens >= 1 && perCopy >= 1, "a fixed-length prompt needs a token budget and a non-empty text")
        var copies = (tokens + perCopy - 1) / perCopy
        var repeated = String(repeating: text, count: copies)
        // Joining copies can merge the pieces at their seams (a word running into the next copy's first word).
        while TokenEstimator.count(repeated) < tokens {
            copies += 1
            repeated += text
        }
        return TokenEstimator.prefix(repeated, tokens: tokens) + suffix
    }

    /// `spec.numSamples` items: item `i` is made from `baseTexts[i % count]`; targets are empty. Texts without
    /// tokens are passed over; with none left, ``syntheticParagraph`` is the only base text.
    public static func items(baseTexts: [String], spec: FixedLengthSpec) -> [DatasetItem] {
        let usable = baseTexts.filter { TokenEstimator.count($0) > 0 }
        let texts = usable.isEmpty ? [syntheticParagraph] : usable
        return (0..<spec.numSamples).map { i in
            DatasetItem(index: i, input: prompt(from: texts[i % texts.count], tokens: spec.inputTokens), target: "")
        }
    }
}
