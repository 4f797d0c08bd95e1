import MoECore
import Testing

@Suite struct DatasetRowParserTests {
    // MARK: GSM8K target: re.search(r"####\s*([0-9,.-]+)", answer).group(1).replace(',', '')

    @Test(arguments: [
        ("She has 3+4 = <<3+4=7>>7 apples.\n#### 7", "7"),
        ("#### 1,234", "1234"),
        ("####-5", "-5"),
        ("#### 3.50", "3.50"),
        ("####\n  42 apples", "42"),
        ("##### 8", "8"),
        ("#### none here #### 9", "9"),
        ("The answer is 12.", ""),
        ("#### ", ""),
        ("#### ,", ""),
        ("####\u{00A0}6", "6"),
    ])
    func gsm8kTarget(answer: String, expected: String) {
        #expect(GSM8KFormat.target(fromAnswer: answer) == expected)
    }

    @Test func gsm8kRows() throws {
        let rows = DatasetRows(
            origin: "g.jsonl",
            values: [
                ["question": "Q1", "answer": "work\n#### 72"],
                ["answer": "#### 3"],
                ["question": "Q3", "answer": "no marker"],
                ["question": 5, "answer": "#### 1"],
                ["question": "Q5"],
            ],
            lines: [1, 2, 4, 5, 6])
        let (items, warnings) = try DatasetRowParser.parse(rows, kind: .gsm8k)
        #expect(
            items == [
                DatasetItem(index: 0, input: "Q1", target: "72"),
                DatasetItem(index: 1, input: "Q3", target: ""),
                DatasetItem(index: 2, input: "Q5", target: ""),
            ])
        #expect(
            warnings.map(\.description) == [
                "g.jsonl:2: no 'question' field, row skipped",
                "g.jsonl:4: answer has no '#### <number>', target is empty",
                "g.jsonl:5: 'question' is int, expected str, row skipped",
                "g.jsonl:6: no 'answer' field, target is empty",
            ])
    }

    // MARK: NuminaMath target: last \boxed{…}, brace-balanced, stripped

    @Test(arguments: [
        (#"so $\boxed{42}$."#, "42"),
        (#"$\boxed{\frac{1}{2}}$"#, #"\frac{1}{2}"#),
        (#"$\boxed{\frac{\sqrt{3}}{2}}$ done"#, #"\frac{\sqrt{3}}{2}"#),
        (#"(1) $\boxed{4}$ (2) $\boxed{-2}$"#, "-2"),
        (#"\boxed{ 7 }"#, "7"),
        (#"$\boxed{\textbf{(C)}\ 9}$"#, #"\textbf{(C)}\ 9"#),
        ("é \\boxed{ü}", "ü"),
    ])
    func boxedContent(solution: String, expected: String) {
        #expect(NuminaMathFormat.lastBoxedContent(in: solution) == expected)
    }

    @Test func noBoxedContent() {
        #expect(NuminaMathFormat.lastBoxedContent(in: "the answer is 5") == nil)
        #expect(NuminaMathFormat.lastBoxedContent(in: #"\boxed{\frac{1}{2}"#) == nil)
        #expect(NuminaMathFormat.lastBoxedContent(in: "") == nil)
    }

    @Test func numinaMathRows() throws {
        let user: JSONValue = ["role": "user", "content": "P1"]
        let rows = DatasetRows(
            origin: "n.json",
            values: [
                ["messages": ["role": "system", "content": "s"], "problem": "ignored"],
                [
                    "messages": [
                        ["role": "system", "content": "s"], user, ["role": "assistant", "content": #"\boxed{3}"#],
                    ]
                ],
                ["messages": [user]],
                ["messages": [user, ["role": "assistant", "content": "no box"]]],
                ["problem": "P5", "solution": #"\boxed{1}"#],
                ["messages": [["role": "user", "content": 1]]],
            ])
        let (items, warnings) = try DatasetRowParser.parse(rows, kind: .numinamath)
        #expect(items.map(\.input) == ["P1", "P1", "P1"])
        #expect(items.map(\.target) == ["3", "", ""])
        #expect(
            warnings.map(\.description) == [
                "n.json row 0: 'messages' is dict, expected list, row skipped",
                "n.json row 2: no assistant message, target is empty",
                "n.json row 3: assistant message has no complete \\boxed{…}, target is empty",
                "n.json row 4: no 'messages' field, row skipped",
                "n.json row 5: user message: 'content' is int, expected str, row skipped",
            ])
    }

    // MARK: LongBench-v2

    static func longBenchRow(id: String, subDomain: String, answer: JSONValue = "B") -> JSONValue {
        [
            "_id": .string(id), "domain": "Single-Document QA", "sub_domain": .string(subDomain),
            "difficulty": "easy", "length": "short", "question": "Which one?", "choice_A": "one",
            "choice_B": "two", "choice_C": "three", "choice_D": "four", "answer": answer, "context": "Doc text.",
        ]
    }

    @Test func longBenchPromptIsMoECAPTemplate() throws {
        let rows = DatasetRows(origin: "lb", values: [Self.longBenchRow(id: "abc", subDomain: "Legal")])
        let (items, warnings) = try DatasetRowParser.parse(rows, kind: .longbenchV2)
        let expected = """
            Please read the following document and answer the multiple-choice question.

            --- Document ---
            Doc text.

            --- Question ---
            Which one?

            --- Options ---
            A. one
            B. two
            C. three
            D. four

            Format your response as follows: "The correct answer is (insert answer here)".
            """
        #expect(items == [DatasetItem(index: 0, id: "abc", input: expected, target: "B")])
        #expect(warnings.isEmpty)
    }

    @Test func longBenchSubDomainFilter() throws {
        let rows = DatasetRows(
            origin: "lb",
            values: [
                Self.longBenchRow(id: "a", subDomain: "Legal"), Self.longBenchRow(id: "b", subDomain: "Financial"),
                Self.longBenchRow(id: "c", subDomain: "Legal", answer: .null),
            ])
        let (items, warnings) = try DatasetRowParser.parse(rows, kind: .longbenchV2, subDomain: "Legal")
        #expect(items.map(\.id) == ["a", "c"])
        #expect(items.map(\.index) == [0, 1])
        #expect(items.map(\.target) == ["B", ""])
        #expect(warnings.map(\.description) == ["lb row 2: 'answer' is NoneType, expected str, target is empty"])
        #expect(
            throws: DatasetError.noRowsInSubDomain(origin: "lb", subDomain: "News", available: ["Legal", "Financial"])
        ) {
            try DatasetRowParser.parse(rows, kind: .longbenchV2, subDomain: "News")
        }
    }

    @Test func longBenchMissingChoiceSkipsTheRow() throws {
        var row = Self.longBenchRow(id: "a", subDomain: "Legal").objectValue!
        row["choice_C"] = nil
        let rows = DatasetRows(origin: "lb", values: [.object(row), Self.longBenchRow(id: "b", subDomain: "Legal")])
        let (items, warnings) = try DatasetRowParser.parse(rows, kind: .longbenchV2)
        #expect(items.map(\.id) == ["b"])
        #expect(warnings.map(\.description) == ["lb row 0: no 'choice_C' field, row skipped"])
    }

    // MARK: datasets-server entries, empty and unusable sources

    @Test func datasetsServerEntriesAreUnwrapped() throws {
        let rows = DatasetRows(
            origin: "openai/gsm8k (main, test)",
            values: [
                ["row_idx": 40, "row": ["question": "Q", "answer": "#### 2"], "truncated_cells": []],
                ["row_idx": 41, "row": ["question": "R", "answer": "#### 3"], "truncated_cells": ["answer"]],
                ["row_idx": 42, "row": ["answer": "#### 4"], "truncated_cells": []],
            ])
        let (items, warnings) = try DatasetRowParser.parse(rows, kind: .gsm8k)
        #expect(items.map(\.target) == ["2", "3"])
        #expect(
            warnings.map(\.description) == [
                "openai/gsm8k (main, test) row 41: cells cut short by the datasets-server: answer",
                "openai/gsm8k (main, test) row 42: no 'question' field, row skipped",
            ])
    }

    @Test func emptyAndUnusableSourcesAreErrors() {
        #expect(throws: DatasetError.noRows(origin: "e")) {
            try DatasetRowParser.parse(DatasetRows(origin: "e", values: []), kind: .gsm8k)
        }
        let rows = DatasetRows(origin: "u.jsonl", values: [["answer": "#### 1"], [1, 2]], lines: [3, 9])
        let expected = DatasetError.noUsableRows(
            origin: "u.jsonl", skipped: 2, firstProblem: "u.jsonl:3: no 'question' field, row skipped")
        #expect(throws: expected) { try DatasetRowParser.parse(rows, kind: .gsm8k) }
        #expect(
            expected.description
                == "u.jsonl: none of the 2 rows is usable (first: u.jsonl:3: no 'question' field, row skipped)")
    }

    // MARK: Dataset: sample count

    @Test func numSamplesTakesTheFirstItemsAfterParsing() throws {
        let values: [JSONValue] = (0..<10).map { i in
            i == 1 ? ["answer": "#### 0"] : ["question": .string("Q\(i)"), "answer": .string("#### \(i)")]
        }
        let rows = DatasetRows(origin: "s", values: values)
        let dataset = try Dataset(kind: .gsm8k, rows: rows, numSamples: 3)
        #expect(dataset.items.map(\.input) == ["Q0", "Q2", "Q3"])
        #expect(dataset.items.map(\.index) == [0, 1, 2])
        #expect(dataset.warnings.count == 1)
        #expect(!dataset.ignoreEOS && dataset.maxTokens == nil)
        #expect(try Dataset(kind: .gsm8k, rows: rows, numSamples: 100).items.count == 9)
        #expect(try Dataset(kind: .gsm8k, rows: rows).items.count == 9)
        #expect(throws: DatasetError.invalidSampleCount(0)) { try Dataset(kind: .gsm8k, rows: rows, numSamples: 0) }
    }
}
