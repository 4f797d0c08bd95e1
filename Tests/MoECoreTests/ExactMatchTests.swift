import Testing

@testable import MoECore

/// `compute_exact_match` and failure-as-zero (docs/moecap-metrics.md §11).
@Suite struct ExactMatchTests {
    @Test func docstringExample() throws {
        let r = try ExactMatch.compute(predictions: ["42", "100"], targets: ["42", "99"])
        #expect(r == ExactMatchResult(exactMatch: 0.5, correct: 1, total: 2, noAnswer: 0))
        #expect(r.json.serialized() == #"{"exact_match": 0.5, "correct": 1, "total": 2, "no_answer": 0}"#)
    }

    @Test func normalisationIsStripAndLowercaseOnly() throws {
        let r = try ExactMatch.compute(
            predictions: [" C\n", "70000", "70,000", "", "  ", "e\u{301}"],
            targets: ["c", "70000 ", "70000", "5", "5", "\u{E9}"])
        // "70,000" ≠ "70000" (pure string equality); "é" decomposed ≠ precomposed (code points, as Python).
        #expect(r.correct == 2)
        #expect(r.noAnswer == 2)
        #expect(r.total == 6)
        #expect(r.exactMatch == 2.0 / 6.0)
    }

    @Test func emptyInputScoresZero() throws {
        let r = try ExactMatch.compute(predictions: [], targets: [])
        #expect(r == ExactMatchResult(exactMatch: 0, correct: 0, total: 0, noAnswer: 0))
        #expect(r.json["exact_match"] == .double(0))
    }

    @Test func lengthMismatchThrows() {
        #expect(throws: ExactMatchLengthError(predictions: 1, targets: 2)) {
            try ExactMatch.compute(predictions: ["a"], targets: ["a", "b"])
        }
    }

    @Test func failedRequestsCountAsWrongNoAnswers() throws {
        let r = try ExactMatch.accuracy(
            responses: ["Step... #### 18", nil, "The answer is 3.", "no idea"], targets: ["18", "7", "4", "2"],
            dataset: "gsm8k")
        #expect(r.total == 4)
        #expect(r.correct == 1)
        #expect(r.noAnswer == 2)
        #expect(r.exactMatch == 0.25)
    }

    @Test func accuracyUsesTheDatasetExtractor() throws {
        let r = try ExactMatch.accuracy(
            responses: ["The correct answer is (B)", "**The correct answer is C**"], targets: ["B", "D"],
            dataset: "longbench_v2")
        #expect(r.correct == 1)
        #expect(r.noAnswer == 0)
    }
}
