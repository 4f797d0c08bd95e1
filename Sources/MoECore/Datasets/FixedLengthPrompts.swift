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

    /// The prompt made from `text`: MoE-CAP encodes the text, appends re-encodings of it until there are at least
    /// `tokens` tokens, keeps the first `tokens` and decodes them. Here that is every whole copy of the text that
    /// fits, then the first tokens of one more copy (never splitting a piece, so possibly a token short), then
    /// ``suffix``. Copies are counted one by one, as token lists are, so pieces merging at the seams do not matter.
    /// - Precondition: `tokens >= 1` and `text` has at least one token.
    public static func prompt(from text: String, tokens: Int) -> String {
        prompt(from: text, tokensPerCopy: TokenEstimator.count(text), tokens: tokens)
    }

    private static func prompt(from text: String, tokensPerCopy perCopy: Int, tokens: Int) -> String {
        precondition(tokens >= 1 && perCopy >= 1, "a fixed-length prompt needs a token budget and a non-empty text")
        let wholeCopies = tokens / perCopy
        let rest = tokens - wholeCopies * perCopy
        return String(repeating: text, count: wholeCopies) + TokenEstimator.prefix(text, tokens: rest) + suffix
    }

    /// `spec.numSamples` items: item `i` is made from text `i % count` of the base texts that have tokens (an
    /// empty text, which would never reach the budget, is passed over); with none, from ``syntheticParagraph``.
    /// Targets are empty.
    public static func items(baseTexts: [String], spec: FixedLengthSpec) -> [DatasetItem] {
        let n = spec.numSamples
        // Item i uses text i % count, so only the first n usable texts are ever needed.
        var prompts: [String] = []
        for text in baseTexts where prompts.count < n {
            let perCopy = TokenEstimator.count(text)
            if perCopy > 0 { prompts.append(prompt(from: text, tokensPerCopy: perCopy, tokens: spec.inputTokens)) }
        }
        if prompts.isEmpty { prompts = [prompt(from: syntheticParagraph, tokens: spec.inputTokens)] }
        return (0..<n).map { i in DatasetItem(index: i, input: prompts[i % prompts.count], target: "") }
    }
}
