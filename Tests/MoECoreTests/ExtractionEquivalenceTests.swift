import Foundation
import Testing

@testable import MoECore

/// The hand-written ASCII scans (``ASCIINumericExtractor``) give the answer the regular expressions give
/// (``NumericAnswerExtractor/extractWithRegularExpressions(_:)``, docs/evaluator.md "Judging answers"): on the
/// golden vectors, on texts built to hit each pattern's edges, and on many generated texts.
@Suite struct ExtractionEquivalenceTests {
    /// Both paths on one text; the fast path must take every ASCII text.
    static func check(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let fast = ASCIINumericExtractor.extract(text)
        let reference = NumericAnswerExtractor.extractWithRegularExpressions(text)
        #expect(fast == reference, "\(text.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test func goldenVectorsAgree() {
        for c in AnswerExtractorTests.gsm8kTable + AnswerExtractorTests.gsm8kExtra
        where c.input.utf8.allSatisfy({ $0 < 0x80 }) {
            Self.check(c.input)
            #expect(NumericAnswerExtractor.extract(c.input) == c.expected)
        }
    }

    @Test func nonASCIITextTakesTheRegularExpressions() {
        for text in ["### ✅ Answer: **20 cups**", "answer is ５", "ſo the anſwer is 4", "x = 7\u{85}", "#### 42 é"] {
            #expect(ASCIINumericExtractor.extract(text) == nil)
        }
    }

    @Test(arguments: [
        // E1
        "#####5", "#### -5", "####--5", "#### $ 1,2,3,", "####\n\n7", "#### $$5", "####.5", "#### 5 #### 6", "x####9",
        "####\u{1C}\u{1F} 3",
        // E2
        #"\boxed{5"#, #"\boxed{5 \boxed{6}"#, #"\BOXED{ \$ -12,000 \% }"#, #"\boxed{\frac{1}{2}}"#,
        #"\boxed{3}}\boxed{4}"#,
        #"\boxed {5}"#, #"\\boxed{7}"#, #"\boxed{$\5}"#,
        // E3
        "the answer is 5", "The Final Answer: -3", "answer is answer is 8", "ANSWER IS\n5", "answer = .5",
        "answer is -", "answer is - 5", "answer: $\\ 4", "answeris7", "final answer :\t$ 9 dollars",
        "answer is " + String(repeating: "x", count: 99) + "7", "answer is " + String(repeating: "x", count: 100) + "7",
        "answer is " + String(repeating: "x", count: 101) + "7", "answer is a.7", "answer is 1.5",
        // E4
        "x = 5", "x = 5.", "x = 5.25 apples", "x = 5\r\nok", "x = 7\r5", "= **$5**", "= *$-5* km/h", "=5%", "= 5 \\%",
        "= 5 apples and more", "= 5 a-b/c d", "= 5 " + String(repeating: "a", count: 41),
        "= 5 " + String(repeating: "a", count: 42),
        "= 5$", "= 5 $", "= 5.\n", "= 5. .", "= 5\n\n= 6", "a=b= 3 ", "= 1,000.5.", "= 5 ,", "= 5\t\u{0B}\u{0C}",
        // Bold
        "**5**", "**5 **", "**5  **", "***5**", "**5 apples**", "**5\n apples**", "** $ 7 miles per hour**", "**5**6**",
        "**5 " + String(repeating: "y", count: 80) + "**", "**5 " + String(repeating: "y", count: 81) + "**",
        "**5 *x**",
        // Labels and fallback
        "Final Answer:\n17 stickers", "**Answer**\n> 3 and 8", "answer\n-4,0", "final  answer :\n1.5", "finalanswer\n3",
        "> # Final Answer\n9", "The answer\n12 cookies", "a\nb\nc\nd\nThe total was 5\nbye", "left_ 5", "percentages 7",
        "the_total 3", "total_ 3", "time:4\nx", "$ 15 .", "15 $", "- 5", "--5", "5-3", "1.5", "$5.", "earning -2",
    ])
    func edgeCasesAgree(text: String) {
        Self.check(text)
    }

    /// Pieces chosen so random concatenations exercise every pattern: keywords in several cases, the lead and tail
    /// characters, numbers with signs, commas and decimals, Python-only whitespace, and long fillers for the
    /// `{0,100}`, `{0,40}` and `{1,80}` bounds.
    static let pieces: [String] = [
        "####", "#", "\\boxed{", "\\BOXED{", "{", "}", "answer", "Answer", "ANSWER", "the ", "The ", "final ",
        "Final Answer", "Answer:", "is", " is ", "IS", "=", " = ", ":", "**", "*", "$", "\\", "%", "\\%", "-", ",", ".",
        " ", "  ", "\n", "\n\n", "\t", "\r", "\r\n", "\u{1C}", "\u{1F}", "\u{0B}", "0", "1", "7", "42", "1,234",
        "3.5", "-7", "x", "apples", " miles per hour", "km/h", "a-b", "total", "Total", "percent", "percentage",
        "percentages", "left", "_", "result", "earnings", "earning", ">", "!", "(", ")", "So ", "we get ",
        String(repeating: "ab ", count: 20), String(repeating: "z", count: 39), String(repeating: "q ", count: 45),
    ]

    @Test(arguments: 0..<8)
    func generatedTextsAgree(stream: Int) {
        var rng = SimRandom(seed: 0x5EED_2026, stream: UInt64(stream))
        for _ in 0..<2_500 {
            var text = ""
            for _ in 0..<(1 + rng.below(30)) { text += Self.pieces[rng.below(Self.pieces.count)] }
            Self.check(text)
        }
    }

    /// Longer answers shaped like a model's working (several lines of arithmetic, a closing sentence).
    @Test func generatedWorkingsAgree() {
        var rng = SimRandom(seed: 20, stream: 3)
        let closings = [
            "The answer is %d.", "#### %d", "So she has **%d apples** left.", "Final Answer:\n%d", "\\boxed{%d}",
            "Total = $%d", "She earns %d dollars.", "%d", "Therefore the answer is: $%d.00", "= %d km/h",
        ]
        for _ in 0..<1_500 {
            var text = ""
            for _ in 0..<rng.below(6) {
                let a = rng.below(1000)
                let b = rng.below(100)
                text += "Step: \(a) * \(b) = \(a * b)\(rng.below(3) == 0 ? "." : "")\n"
                if rng.below(4) == 0 { text += "\n" }
            }
            let closing = closings[rng.below(closings.count)]
            let n = rng.below(3) == 0 ? -rng.below(50_000) : rng.below(50_000)
            text += closing.replacingOccurrences(of: "%d", with: rng.below(2) == 0 ? "\(n)" : grouped(n))
            Self.check(text)
        }
    }

    private func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
}
