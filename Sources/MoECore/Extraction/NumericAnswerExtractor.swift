import Foundation

/// MoE-CAP's integer answer extractor for `gsm8k`, `math` and `numinamath` (docs/moecap-metrics.md §11; HEAD's
/// "latest offset" version).
///
/// Candidates come from the explicit patterns E1–E4, bold spans, and a `Final Answer:` label line; the answer is
/// the candidate whose number **ends latest** in the text (first one in list order on ties). Numbers are
/// `(?<![\d.])(-?\d[\d,]*)` with commas removed, so decimals truncate (`106.12` → `106`). Without any candidate,
/// only the last three non-empty lines are inspected (a conclusion cue word, or a standalone number); there is no
/// "last number anywhere" fallback. No `<think>` stripping.
enum NumericAnswerExtractor {
    /// `number`: an integer not preceded by a digit or a dot.
    static let number = #"(?<![\d.])(-?\d[\d,]*)"#

    /// E1–E4, searched with `IGNORECASE | MULTILINE`, in this order (§11, expanded form).
    static let explicit: [PythonRegex] = [
        PythonRegex(#"####\s*\$?\s*"# + number, [.ignoreCase, .multiline]),
        PythonRegex(#"\\boxed\{\s*\\?\$?\s*"# + number + #"(?:\s*\\?%)?[^}]*\}"#, [.ignoreCase, .multiline]),
        PythonRegex(
            #"(?:the\s+)?(?:final\s+)?answer\s*(?:is|=|:)[^\n\d-]{0,100}?\\?\$?\s*"# + number,
            [.ignoreCase, .multiline]),
        PythonRegex(
            #"=\s*\*?\*?\\?\$?\s*"# + number + #"(?:\.\d+)?\$?\*?\*?"#
                + #"(?:\s*(?:\\?%|[A-Za-z][A-Za-z /-]{0,40}))?\s*\.?\s*$"#,
            [.ignoreCase, .multiline]),
    ]

    /// B: a bold span starting with the number (a unit may follow inside the span); `IGNORECASE` only.
    static let bold = PythonRegex(#"\*\*\s*\\?\$?\s*"# + number + #"(?:\s+[^*\n]{1,80})?\*\*"#, [.ignoreCase])

    /// Decoration removed from a line before testing it as an answer label.
    static let labelDecoration = PythonRegex(#"[*#✅>]+"#)
    /// A line that is only an answer label.
    static let label = PythonRegex(#"(?:final\s+)?answer\s*:?"#, [.ignoreCase], fullMatch: true)
    /// `number` on its own (no flags).
    static let bareNumber = PythonRegex(number)
    /// Conclusion cue words of the no-candidate fallback.
    static let conclusionCue = PythonRegex(
        #"\b(?:answer|result|total|profit|earnings?|salary|cost|price|value|"#
            + #"amount|time|distance|speed|rate|age|percentage|percent|remaining|"#
            + #"left|required|needed)\b"#,
        [.ignoreCase])
    /// S: a line that is a lone number, optionally with `$` and a final dot.
    static let standalone = PythonRegex(#"\$?\s*"# + number + #"\s*\$?\s*\.?"#, fullMatch: true)

    /// Extracts the answer, or `""`. `text` is known not to be blank. Pure-ASCII text (what models nearly always
    /// write for GSM8K) goes through ``ASCIINumericExtractor``'s hand-written scans, anything else through the
    /// regular expressions; both give the same answer.
    static func extract(_ text: String) -> String {
        ASCIINumericExtractor.extract(text) ?? extractWithRegularExpressions(text)
    }

    /// The extraction with ICU regular expressions (any text); the reference ``ASCIINumericExtractor`` is tested
    /// against.
    static func extractWithRegularExpressions(_ text: String) -> String {
        let ns = text as NSString
        // (end offset of group 1, normalised value), in MoE-CAP's list order.
        var candidates: [(end: Int, value: String)] = []
        func add(_ m: PythonRegex.Match, in s: NSString, offset: Int = 0) {
            let g = m.groups[1]
            candidates.append((offset + g.location + g.length, normalize(s.substring(with: g))))
        }
        for pattern in explicit {
            for m in pattern.allMatches(in: ns) { add(m, in: ns) }
        }
        for m in bold.allMatches(in: ns) { add(m, in: ns) }

        // Lines = maximal runs without "\n" whose content is not blank.
        let lines = nonBlankLines(ns)
        let tail = lines.suffix(3)
        for i in tail.indices {
            let line = NSString(string: PythonText.strip(ns.substring(with: lines[i])))
            let cleaned = PythonText.strip(labelDecoration.replacingMatches(in: line, with: " "))
            guard label.firstMatch(in: cleaned as NSString) != nil, i + 1 < lines.count else { continue }
            let next = lines[i + 1]
            let nextText = ns.substring(with: next) as NSString
            if let last = bareNumber.allMatches(in: nextText).last {
                add(last, in: nextText, offset: next.location)
            }
        }

        if let first = candidates.first {
            var best = first
            for c in candidates.dropFirst() where c.end > best.end { best = c }
            return best.value
        }

        // No candidate: conclusion cue or standalone number, last three non-empty lines from the bottom.
        for range in tail.reversed() {
            let line = PythonText.strip(ns.substring(with: range)) as NSString
            if conclusionCue.firstMatch(in: line) != nil, let last = bareNumber.allMatches(in: line).last {
                return normalize(line.substring(with: last.groups[1]))
            }
            if let m = standalone.firstMatch(in: line) {
                return normalize(line.substring(with: m.groups[1]))
            }
        }
        return ""
    }

    /// `value.replace(",", "").strip()`.
    static func normalize(_ value: String) -> String {
        PythonText.strip(PythonText.removing(",", from: value))
    }

    /// `[m for m in re.finditer(r"[^\n]+", text) if m.group().strip()]`, as UTF-16 ranges. Reads the code units
    /// once: a line is blank when every unit is Python whitespace (all of it lies in the BMP, so a surrogate
    /// never is).
    static func nonBlankLines(_ ns: NSString) -> [NSRange] {
        var out: [NSRange] = []
        let n = ns.length
        guard n > 0 else { return out }
        var units = [UInt16](repeating: 0, count: n)
        units.withUnsafeMutableBufferPointer {
            ns.getCharacters($0.baseAddress!, range: NSRange(location: 0, length: n))
        }
        var start = 0
        var blank = true
        for i in 0...n {
            if i == n || units[i] == 0x0A {
                if i > start, !blank { out.append(NSRange(location: start, length: i - start)) }
                start = i + 1
                blank = true
            } else if blank, !(Unicode.Scalar(units[i]).map(PythonText.isSpace) ?? false) {
                blank = false
            }
        }
        return out
    }
}
