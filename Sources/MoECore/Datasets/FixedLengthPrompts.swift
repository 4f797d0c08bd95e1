/// Builds fixed-length prompts from base texts (docs/moecap-metrics.md §10, `fixed_length_loader.py`), counting and
/// cutting tokens with ``TokenEstimator`` where MoE-CAP uses the model's tokenizer.
package enum FixedLengthPrompts {
    /// Appended to every prompt.
    package static let suffix = "\n\nPlease continue writing:"

    /// The base text when there is no dataset to take texts from (MoE-CAP uses a fixed English paragraph for
    /// an unknown dataset name; its wording is not in the notes, so this one is the project's own).
    package static let syntheticParagraph =
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
    /// An empty `text` gives the suffix alone.
    /// - Precondition: `tokens >= 1`.
    package static func prompt(from text: String, tokens: Int) -> String {
        precondition(tokens >= 1, "a fixed-length prompt needs a token budget")
        if let head = leadingTokens(of: text, tokens: tokens) { return head + suffix }
        let perCopy = TokenEstimator.count(text)
        guard perCopy > 0 else { return suffix }
        let wholeCopies = tokens / perCopy
        let rest = tokens - wholeCopies * perCopy
        return String(repeating: text, count: wholeCopies) + TokenEstimator.prefix(text, tokens: rest) + suffix
    }

    /// `TokenEstimator.prefix(text, tokens:)` when `text` has more than `tokens` tokens, found by scanning a window
    /// at the start of the text rather than all of it (a LongBench-v2 context can run to megabytes); nil when the
    /// text is not longer than the window that would be needed.
    private static func leadingTokens(of text: String, tokens: Int) -> String? {
        let scalars = text.unicodeScalars
        var window = 8 * tokens + 256
        while let end = scalars.index(scalars.startIndex, offsetBy: window, limitedBy: scalars.endIndex),
            end < scalars.endIndex
        {
            let head = String(String.UnicodeScalarView(scalars[..<end]))
            let cut = TokenEstimator.prefix(head, tokens: tokens)
            // The scanner looks at most 34 scalars past a piece, so pieces ending further than that from the window's
            // edge are the whole text's pieces too; the piece that did not fit is no shorter in the whole text.
            if head.unicodeScalars.count - cut.unicodeScalars.count > 64 { return String(cut) }
            window *= 2
        }
        return nil
    }

    /// `spec.numSamples` items: item `i` is made from text `i % count` of the non-empty base texts (an empty text
    /// would never reach the budget); with none, from ``syntheticParagraph``. Targets are empty.
    package static func items(baseTexts: [String], spec: FixedLengthSpec) -> [DatasetItem] {
        let n = spec.numSamples
        // Item i uses text i % count, so only the first n texts are ever needed.
        var prompts: [String] = []
        for text in baseTexts where prompts.count < n && !text.isEmpty {
            prompts.append(prompt(from: text, tokens: spec.inputTokens))
        }
        if prompts.isEmpty { prompts = [prompt(from: syntheticParagraph, tokens: spec.inputTokens)] }
        return (0..<n).map { i in DatasetItem(index: i, input: prompts[i % prompts.count], target: "") }
    }
}
