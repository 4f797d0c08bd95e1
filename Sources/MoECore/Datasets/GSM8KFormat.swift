/// GSM8K rows: `{"question", "answer"}`, where `answer` is a worked solution ending `#### <number>`
/// (docs/moecap-metrics.md §10, `gsm8k_data_loader.py`).
package enum GSM8KFormat {
    /// The target MoE-CAP takes from an answer:
    /// `re.search(r"####\s*([0-9,.-]+)", answer).group(1).replace(',', '')`, or `""` without a match.
    package static func target(fromAnswer answer: String) -> String {
        let s = Array(answer.unicodeScalars)
        let hashes = 4
        var start = 0
        // re.search tries every start position, so a "####" not followed by a number does not end the search.
        while start + hashes <= s.count {
            defer { start += 1 }
            guard s[start..<start + hashes].allSatisfy({ $0 == "#" }) else { continue }
            var i = start + hashes
            while i < s.count, PythonText.isSpace(s[i]) { i += 1 }
            let numberStart = i
            var number = String.UnicodeScalarView()
            while i < s.count, isNumberCharacter(s[i]) {
                if s[i] != "," { number.append(s[i]) }
                i += 1
            }
            if i > numberStart { return String(number) }
        }
        return ""
    }

    /// `[0-9,.-]`
    private static func isNumberCharacter(_ c: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(c) || c == "," || c == "." || c == "-"
    }

    static func parse(_ row: JSONObject) -> RowOutcome {
        let question: String
        switch requiredString(row, "question") {
        case .success(let s): question = s
        case .failure(let problem): return .skip(problem.message + ", row skipped")
        }
        switch requiredString(row, "answer") {
        case .success(let answer):
            let target = target(fromAnswer: answer)
            let note = target.isEmpty ? ["answer has no '#### <number>', target is empty"] : []
            return .item(input: question, target: target, id: nil, notes: note)
        case .failure(let problem):
            return .item(input: question, target: "", id: nil, notes: [problem.message + ", target is empty"])
        }
    }
}
