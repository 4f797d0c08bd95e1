import MoECore

/// The ServerlessLLM script's `detailed_results_<dataset>.jsonl` (docs/evaluator.md "Output files"): one line
/// per request, `{"index", "success", "is_correct", "prompt", "expected", "extracted_answer", "generated",
/// "error"}`, with the prompt cut to 200 characters plus `...` when longer and the generated text to 500.
enum DetailedResults {
    static func fileName(dataset: String) -> String { "detailed_results_\(dataset).jsonl" }

    /// One line per item, in dataset order; `texts[i]` is the response text ("" when the request failed) and
    /// `extracted[i]` the answer already extracted from it.
    static func lines(prompts: [String], targets: [String], texts: [String], extracted answers: [String])
        -> [JSONValue]
    {
        prompts.indices.map { i in
            let generated = texts[i]
            let extracted = generated.isEmpty ? "" : answers[i]
            let expected = targets[i]
            let correct = !extracted.isEmpty && extracted.lowercased() == expected.lowercased()
            let prompt = prompts[i]
            let shownPrompt =
                prompt.utf8.count > 200 && prompt.unicodeScalars.count > 200 ? prefix(prompt, 200) + "..." : prompt
            return .object(
                JSONObject([
                    ("index", .int(i)), ("success", .bool(!generated.isEmpty)), ("is_correct", .bool(correct)),
                    ("prompt", .string(shownPrompt)), ("expected", .string(expected)),
                    ("extracted_answer", .string(extracted)), ("generated", .string(prefix(generated, 500))),
                    ("error", .string(generated.isEmpty ? "No response" : "")),
                ]))
        }
    }

    /// The first `n` code points, as Python's `text[:n]`.
    static func prefix(_ text: String, _ n: Int) -> String {
        guard text.utf8.count > n else { return text }  // at most n code points
        let scalars = text.unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: n, limitedBy: scalars.endIndex) else { return text }
        return String(scalars[..<end])
    }
}
