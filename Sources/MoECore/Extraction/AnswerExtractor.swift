import Foundation

/// MoE-CAP's `extract_answer(text, dataset_name)` (`moe_cap/utils/acc_metrics.py`; docs/moecap-metrics.md §11).
///
/// Dispatch on the lower-cased dataset name: `gsm8k`/`math`/`numinamath` → the latest-offset integer extractor
/// (``NumericAnswerExtractor``); `longbench_v2` → a letter A–D; `mmlu-pro`/`mmlu_pro` → a letter A–J; anything
/// else → the generic branch (cut thinking, strip, map "unanswerable" phrases to `"None"`). Blank text gives `""`
/// for every dataset. Thread-safe; all patterns are compiled once.
package enum AnswerExtractor {
    /// The extracted answer, `""` when none is found.
    package static func extract(_ text: String, dataset: String) -> String {
        if PythonText.isBlank(text) { return "" }
        switch dataset.lowercased() {
        case "gsm8k", "math", "numinamath":
            return NumericAnswerExtractor.extract(text)
        case "longbench_v2":
            return longBenchV2(text)
        case "mmlu-pro", "mmlu_pro":
            return mmluPro(text)
        default:
            return generic(text)
        }
    }

    // longbench_v2 (§11): the official "The correct answer is (X)" forms, then the first standalone capital A–D
    // anywhere (case-sensitive, so an article "A" matches — a MoE-CAP quirk kept as is).
    private static let longBenchParenthesized = PythonRegex(#"The correct answer is \(([A-D])\)"#, [.ignoreCase])
    private static let longBenchPlain = PythonRegex(#"The correct answer is ([A-D])"#, [.ignoreCase])
    private static let longBenchLetter = PythonRegex(#"\b([A-D])\b"#)

    static func longBenchV2(_ text: String) -> String {
        let t = PythonText.removing("*", from: text) as NSString
        for pattern in [longBenchParenthesized, longBenchPlain, longBenchLetter] {
            if let m = pattern.firstMatch(in: t) { return t.substring(with: m.groups[1]).uppercased() }
        }
        return ""
    }

    // mmlu-pro (§11): "[Tt]he answer is (X)", then "answer/option is|: X" (case-insensitive), then a lone A–J.
    private static let mmluAnswerIs = PythonRegex(#"[Tt]he answer is \(?([A-J])\)?"#)
    private static let mmluAnswerOrOption = PythonRegex(#"(?:answer|option)\s*(?:is|:)\s*\(?([A-J])\)?"#, [.ignoreCase])
    private static let mmluLetter = PythonRegex(#"\b([A-J])\b"#)

    static func mmluPro(_ text: String) -> String {
        let t = PythonText.removing("*", from: text) as NSString
        for pattern in [mmluAnswerIs, mmluAnswerOrOption, mmluLetter] {
            if let m = pattern.firstMatch(in: t) { return t.substring(with: m.groups[1]).uppercased() }
        }
        return ""
    }

    /// Generic branch (§11): keep the text after the last `assistantfinal` (gpt-oss), else after the last
    /// `</think>`, else after the last `</reasoning>`; a text starting with `analysis` without `assistantfinal` is
    /// an unfinished gpt-oss answer ⇒ `""`. Then strip; `unanswerable`/`not answerable`/`cannot be answered`
    /// (any case) ⇒ `"None"`.
    static func generic(_ text: String) -> String {
        var t = text
        if PythonText.contains(t, "assistantfinal") {
            t = PythonText.afterLast("assistantfinal", in: t)
        } else if PythonText.contains(t, "</think>") {
            t = PythonText.afterLast("</think>", in: t)
        } else if PythonText.contains(t, "</reasoning>") {
            t = PythonText.afterLast("</reasoning>", in: t)
        } else if PythonText.startsWith(t, "analysis") {
            t = ""
        }
        t = PythonText.strip(t)
        let lower = t.lowercased()
        for phrase in ["unanswerable", "not answerable", "cannot be answered"] where PythonText.equal(lower, phrase) {
            return "None"
        }
        return t
    }
}
