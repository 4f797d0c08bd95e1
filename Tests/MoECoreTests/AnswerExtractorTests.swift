import Testing

@testable import MoECore

/// docs/moecap-metrics.md §11. Strings are the *runtime* strings of MoE-CAP's tests (`⏎` = "\n"; a Python raw string
/// `\\` stays two backslashes, written here with Swift raw strings).
@Suite struct AnswerExtractorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let input: String
        let expected: String
        init(_ input: String, _ expected: String) {
            self.input = input
            self.expected = expected
        }
        var testDescription: String { "\(input.debugDescription) → \(expected.debugDescription)" }
    }

    /// `tests/test_gsm8k_answer_extraction.py`, all 16 cases.
    static let gsm8kTable: [Case] = [
        Case("Josh made a profit of $70,000.", "70000"),
        Case("So the profit is $70,000.", "70000"),
        Case("Answer: Marie ordered **2 boxes of pizza**.", "2"),
        Case("### ✅ Answer: **20 cups** of feed in the final meal.", "20"),
        Case("Answer: **$57,500**", "57500"),
        Case(#"The percentage is \\boxed{60\\%}."#, "60"),
        Case("#### 42", "42"),
        Case("#### 106.12", "106"),
        Case("Answer: $26.00", "26"),
        Case("She makes $2 * 16 = $32 per day.", "32"),
        Case("Total cost = $130,000.\nSelling price = $200,000.\nJosh made a profit of **$70,000**.", "70000"),
        Case("2200 - 1980 = \\boxed{220}\nSo, Janeth's remaining balance after 12 months is $220.", "220"),
        Case("Final Answer:\nCharlie has 17 stickers left.", "17"),
        Case("Final Answer:\n**\\$140**", "140"),
        Case("We have 3 apples and buy 4 more, but the response stops before answering.", ""),
        Case(#"The final result is \\boxed{42}. To answer the follow-up, 5 is prime."#, "42"),
    ]

    /// "Extra behaviour observed by running HEAD".
    static let gsm8kExtra: [Case] = [
        Case("The answer is 42.", "42"),
        Case("Total = 1,234.56", "1234"),
        Case("\\boxed{\\frac{1}{2}}", ""),
        Case("\\boxed{3.5}", "3"),
        Case("<think>the answer is 7</think>\nThe answer is 9", "9"),
        Case("I think it's 12 or 13", ""),
    ]

    @Test(arguments: gsm8kTable)
    func gsm8kTableCases(c: Case) {
        #expect(AnswerExtractor.extract(c.input, dataset: "gsm8k") == c.expected)
    }

    @Test(arguments: gsm8kExtra)
    func gsm8kExtraBehaviour(c: Case) {
        #expect(AnswerExtractor.extract(c.input, dataset: "gsm8k") == c.expected)
    }

    @Test(arguments: ["gsm8k", "GSM8K", "math", "numinamath", "NuminaMath"])
    func numericDatasetsShareTheExtractor(dataset: String) {
        #expect(AnswerExtractor.extract("so x = 5\n#### -1,024", dataset: dataset) == "-1024")
        #expect(AnswerExtractor.extract("   \n\t", dataset: dataset) == "")
        #expect(AnswerExtractor.extract("", dataset: dataset) == "")
    }

    @Test func latestOffsetWinsAcrossPatternFamilies() {
        // An earlier #### loses to a later bold answer, regardless of pattern order.
        #expect(AnswerExtractor.extract("#### 5\nafter checking, **7 apples**", dataset: "gsm8k") == "7")
        // A later `= intermediate` at a line end beats an earlier boxed value.
        #expect(AnswerExtractor.extract("\\boxed{3}\nso 2 + 2 = 4", dataset: "gsm8k") == "4")
        // Candidates exist ⇒ the cue-word fallback never runs (18 is not chosen).
        #expect(AnswerExtractor.extract("The answer is 12.\nShe ends up buying 18 flowers", dataset: "gsm8k") == "12")
    }

    @Test func eqPatternNeedsLineEndWithOptionalUnitOrPercent() {
        #expect(AnswerExtractor.extract("rate = 45%", dataset: "gsm8k") == "45")
        #expect(AnswerExtractor.extract("speed = 60 miles per hour.", dataset: "gsm8k") == "60")
        // Something else follows on the line: no E4 candidate, and no cue word in the line.
        #expect(AnswerExtractor.extract("x = 60 + y", dataset: "gsm8k") == "")
    }

    @Test func lookBehindRejectsDigitsAfterADot() {
        // "####.5": the number may not start right after a dot.
        #expect(AnswerExtractor.extract("#### .5", dataset: "gsm8k") == "")
        #expect(AnswerExtractor.extract("#### $ 1,000", dataset: "gsm8k") == "1000")
    }

    @Test func fallbackLooksOnlyAtTheLastThreeNonEmptyLines() {
        let text = "The total is 99\n\nline a\nline b\nline c"
        #expect(AnswerExtractor.extract(text, dataset: "gsm8k") == "")
        #expect(AnswerExtractor.extract("first\n\n  $ 15 .  \n\n", dataset: "gsm8k") == "15")
        #expect(AnswerExtractor.extract("The cost was 3 then 4\nbye", dataset: "gsm8k") == "4")
    }

    @Test func answerLabelUsesOnlyTheNextLine() {
        #expect(AnswerExtractor.extract("**Answer**\n> 3 and 8", dataset: "gsm8k") == "8")
        // The label must be the whole (decorated) line.
        #expect(AnswerExtractor.extract("The answer\n12 cookies", dataset: "gsm8k") == "")
    }

    @Test func multilineDollarIsNewlineOnly() {
        // Python's MULTILINE `$` matches before "\n" only, not before "\r" (ICU's default would).
        #expect(AnswerExtractor.extract("x = 7\r5", dataset: "gsm8k") == "")
        #expect(AnswerExtractor.extract("x = 7\n5", dataset: "gsm8k") == "7")
        // `\s*` may run over the line break into a unit word that ends the text.
        #expect(AnswerExtractor.extract("x = 7\r\nok", dataset: "gsm8k") == "7")
    }

    @Test func pythonWhitespaceIncludesFileSeparators() {
        // "\u{1C}" is whitespace for Python's `\s` and str.strip(), not for ICU's `\s`.
        #expect(AnswerExtractor.extract("####\u{1C}42", dataset: "gsm8k") == "42")
        #expect(AnswerExtractor.extract("\u{1C}\u{1F}", dataset: "generic") == "")
    }

    // MARK: longbench_v2

    @Test(arguments: [
        Case("**The correct answer is C**", "C"),
        Case("A good answer would be D", "A"),
        Case("I choose d", ""),
        Case("the correct answer is (c).", "C"),
        Case("Reasoning... The correct answer is (B)", "B"),
        Case("The correct answer is d", "D"),
        Case("no letters here", ""),
    ])
    func longBenchV2(c: Case) {
        #expect(AnswerExtractor.extract(c.input, dataset: "longbench_v2") == c.expected)
        #expect(AnswerExtractor.extract(c.input, dataset: "LongBench_V2") == c.expected)
    }

    // MARK: mmlu-pro

    @Test(arguments: [
        Case("The answer is (J).", "J"),
        Case("the answer is e", "E"),
        Case("So the answer is E", "E"),
        Case("My option: (h)", "H"),
        Case("Answer is g", "G"),
        Case("I'd go with F here", "I"),
        Case("we'd go with F here", "F"),
        Case("**The answer is (C)**", "C"),
        Case("nothing", ""),
    ])
    func mmluPro(c: Case) {
        #expect(AnswerExtractor.extract(c.input, dataset: "mmlu-pro") == c.expected)
        #expect(AnswerExtractor.extract(c.input, dataset: "mmlu_pro") == c.expected)
    }

    // MARK: generic branch

    @Test(arguments: [
        Case("analysis: thinking...assistantfinal  Paris \n", "Paris"),
        Case("a</think>b</think> final </reasoning> x", "final </reasoning> x"),
        Case("<reasoning>hmm</reasoning>\n42", "42"),
        Case("analysis without a final part", ""),
        Case("  Unanswerable ", "None"),
        Case("NOT ANSWERABLE", "None"),
        Case("<think>...</think>cannot be answered", "None"),
        Case("It cannot be answered", "It cannot be answered"),
        Case("  plain text  ", "plain text"),
    ])
    func genericBranch(c: Case) {
        #expect(AnswerExtractor.extract(c.input, dataset: "ruler") == c.expected)
    }

    @Test func concurrentUseIsSafe() async {
        let inputs = Self.gsm8kTable + Self.gsm8kExtra
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    inputs.allSatisfy { AnswerExtractor.extract($0.input, dataset: "gsm8k") == $0.expected }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
