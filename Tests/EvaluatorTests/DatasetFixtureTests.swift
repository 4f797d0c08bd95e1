import Foundation
import MoECore
import Testing

@testable import Evaluator

@Suite struct DatasetFixtureTests {
    func fixture(_ name: String) -> String { datasetFixturesDirectory + "/" + name }

    func load(_ kind: DatasetKind, _ name: String, subset: String? = nil) throws -> Dataset {
        try DatasetLoader.load(kind: kind, source: .file(fixture(name)), subset: subset)
    }

    @Test func gsm8kSample() throws {
        let dataset = try load(.gsm8k, "gsm8k_sample.jsonl")
        #expect(dataset.items.count == 50)
        #expect(dataset.warnings.isEmpty)
        #expect(
            dataset.items.map(\.target) == [
                "54", "38", "22", "560", "5", "39", "13", "46", "75", "69", "25", "12", "6000", "423", "13", "660",
                "288",
                "360", "12", "8", "2705", "405", "7", "92", "195", "54", "335", "67", "300", "756", "410", "16", "755",
                "186", "24", "39", "35", "90", "1410", "21", "2205", "24", "320", "37", "196", "72", "4", "540", "89",
                "147",
            ])
        #expect(dataset.items[0].input.hasPrefix("Mara picks 18 apples on Monday"))
    }

    /// Every `<<expr=result>>` annotation is right, and the last one is the `####` answer.
    @Test func gsm8kCalculatorAnnotationsAreCorrect() throws {
        let rows = try DatasetFile.rows(atPath: fixture("gsm8k_sample.jsonl"))
        var checked = 0
        for row in rows.values {
            let answer = try #require(row["answer"]?.stringValue)
            var last: Double?
            var rest = Substring(answer)
            while let open = rest.range(of: "<<"),
                let close = rest.range(of: ">>", range: open.upperBound..<rest.endIndex)
            {
                let annotation = rest[open.upperBound..<close.lowerBound]
                let parts = annotation.split(separator: "=")
                try #require(parts.count == 2)
                let value = try #require(ArithmeticExpression.evaluate(String(parts[0])))
                let result = try #require(Double(parts[1]))
                #expect(abs(value - result) < 1e-9, "\(annotation)")
                last = result
                checked += 1
                rest = rest[close.upperBound...]
            }
            let target = GSM8KFormat.target(fromAnswer: answer)
            #expect(last == Double(target), "\(answer)")
        }
        #expect(checked >= 100)
    }

    @Test func numinaMathSample() throws {
        let dataset = try load(.numinamath, "numinamath_sample.jsonl")
        #expect(dataset.items.count == 20)
        #expect(dataset.warnings.isEmpty)
        #expect(
            dataset.items.map(\.target) == [
                "91", "10", "54", #"\frac{1}{2}"#, "47", #"3\sqrt{2}"#, #"\frac{\sqrt{3}}{2}"#, "48",
                #"\textbf{(C)}\ 9"#,
                "18", "1", "13", "360", "-2", #"\frac{19}{12}"#, "26", "100", "16", "82.5", "(2, 3)",
            ])
        let rows = try DatasetFile.rows(atPath: fixture("numinamath_sample.jsonl"))
        #expect(dataset.items.map(\.input) == rows.values.map { $0["problem"]?.stringValue ?? "" })
        #expect(rows.values.allSatisfy { $0["solution"] == $0["messages"]?.arrayValue?.last?["content"] })
    }

    @Test func longBenchV2Sample() throws {
        let dataset = try load(.longbenchV2, "longbench_v2_sample.jsonl")
        #expect(dataset.items.count == 10)
        #expect(dataset.warnings.isEmpty)
        #expect(dataset.items.map(\.target) == ["C", "B", "A", "D", "A", "C", "D", "B", "B", "A"])
        let rows = try DatasetFile.rows(atPath: fixture("longbench_v2_sample.jsonl"))
        for (item, row) in zip(dataset.items, rows.values) {
            let id = try #require(item.id)
            #expect(id.count == 24 && id.allSatisfy(\.isHexDigit))
            #expect(item.input.hasPrefix("Please read the following document and answer the multiple-choice question."))
            #expect(
                item.input.hasSuffix("Format your response as follows: \"The correct answer is (insert answer here)\".")
            )
            let context = try #require(row["context"]?.stringValue)
            #expect(context.split(whereSeparator: \.isWhitespace).count >= 2000)
            let choices = ["A", "B", "C", "D"].compactMap { row["choice_\($0)"]?.stringValue }
            #expect(Set(choices).count == 4)
        }
        let legal = try load(.longbenchV2, "longbench_v2_sample.jsonl", subset: "Legal")
        #expect(legal.items.count == 1 && legal.items[0].target == "B")
    }

    @Test func fixedLengthPresetsOnTheFixtures() throws {
        for (preset, name) in [
            (FixedLengthPreset.fourKOneK, "gsm8k_sample.jsonl"), (.thirteenKOneK, "longbench_v2_sample.jsonl"),
        ] {
            let dataset = try DatasetLoader.load(
                kind: preset.base, source: .file(fixture(name)), fixedLength: preset.spec)
            #expect(dataset.items.count == 100)
            #expect(dataset.maxTokens == 1000 && dataset.ignoreEOS)
            let body = dataset.items[1].input.dropLast(FixedLengthPrompts.suffix.count)
            let tokens = TokenEstimator.count(String(body))
            #expect(tokens <= preset.spec.inputTokens && tokens >= preset.spec.inputTokens - 2)
        }
    }

    @Test func fixturesStaySmall() throws {
        var total = 0
        for name in ["gsm8k_sample.jsonl", "numinamath_sample.jsonl", "longbench_v2_sample.jsonl"] {
            total += try #require(FileManager.default.attributesOfItem(atPath: fixture(name))[.size] as? Int)
        }
        #expect(total < 1_000_000)
    }
}

/// A tiny evaluator for GSM8K calculator annotations: numbers, + - * /, parentheses.
enum ArithmeticExpression {
    static func evaluate(_ text: String) -> Double? {
        var parser = Parser(chars: Array(text.filter { $0 != " " }))
        guard let value = parser.sum(), parser.i == parser.chars.count else { return nil }
        return value
    }

    struct Parser {
        let chars: [Character]
        var i = 0

        mutating func sum() -> Double? {
            guard var value = product() else { return nil }
            while i < chars.count, chars[i] == "+" || chars[i] == "-" {
                let op = chars[i]
                i += 1
                guard let rhs = product() else { return nil }
                value = op == "+" ? value + rhs : value - rhs
            }
            return value
        }

        mutating func product() -> Double? {
            guard var value = atom() else { return nil }
            while i < chars.count, chars[i] == "*" || chars[i] == "/" {
                let op = chars[i]
                i += 1
                guard let rhs = atom() else { return nil }
                value = op == "*" ? value * rhs : value / rhs
            }
            return value
        }

        mutating func atom() -> Double? {
            guard i < chars.count else { return nil }
            if chars[i] == "(" {
                i += 1
                let value = sum()
                guard i < chars.count, chars[i] == ")" else { return nil }
                i += 1
                return value
            }
            let start = i
            while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
            return Double(String(chars[start..<i]))
        }
    }
}
