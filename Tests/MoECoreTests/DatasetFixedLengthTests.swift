import MoECore
import Testing

@Suite struct DatasetFixedLengthTests {
    /// The prompt without the fixed suffix, checking the suffix is there.
    func body(_ prompt: String) -> String {
        #expect(prompt.hasSuffix("\n\nPlease continue writing:"))
        return String(prompt.dropLast(FixedLengthPrompts.suffix.count))
    }

    @Test func shortTextIsRepeatedThenCut() {
        let text = "Tom has 3 apples and buys 4 more. How many apples does he have?"
        let perCopy = TokenEstimator.count(text)
        #expect(perCopy == 18)
        let cut = body(FixedLengthPrompts.prompt(from: text, tokens: 500))
        // 27 whole copies (486 tokens), then the first 14 tokens of one more.
        #expect(cut == String(repeating: text, count: 27) + "Tom has 3 apples and buys 4 more. How many apples")
        #expect(TokenEstimator.count(cut) == 500)
    }

    @Test func longTextIsCut() {
        let text = String(repeating: "The river runs past the old mill and under the bridge. ", count: 400)
        let cut = body(FixedLengthPrompts.prompt(from: text, tokens: 1000))
        #expect(TokenEstimator.count(cut) == 1000)
        #expect(text.hasPrefix(cut))
    }

    /// Long texts are cut from a window at their start; the result must be the whole text's first tokens,
    /// whatever stands at the window's edge (a long word, a chat marker, a run of punctuation or spaces).
    @Test(arguments: [
        "The river runs past the old mill. ",
        "Pneumonoultramicroscopicsilicovolcanoconiosis and antidisestablishmentarianism! ",
        "<|im_start|>user 42 --- ?! <|im_end|>\n",
        "word                                                                                 ",
        "数字 1234567890 ... ",
    ])
    func longTextCutMatchesTheWholeTextScan(unit: String) {
        let text = String(repeating: unit, count: 3000) + "tail"
        for tokens in [1, 7, 100, 997] {
            let expected = String(TokenEstimator.prefix(text, tokens: tokens)) + FixedLengthPrompts.suffix
            #expect(FixedLengthPrompts.prompt(from: text, tokens: tokens) == expected)
        }
    }

    @Test func copiesAreCountedOneByOne() {
        // Joined, "ab" copies make one long word (fewer tokens); as token lists they are one token each.
        let cut = body(FixedLengthPrompts.prompt(from: "ab", tokens: 30))
        #expect(cut == String(repeating: "ab", count: 30))
        let spaces = body(FixedLengthPrompts.prompt(from: "  ", tokens: 5))
        #expect(spaces == String(repeating: " ", count: 10))
    }

    @Test func pieceLongerThanTheRemainderIsNotSplit() {
        // "a extraordinarily" is 4 tokens ("extraordinarily" has 15 letters: 3). A budget of 6 is one copy, then
        // "a" (1 token); " extraordinarily" would pass the budget, so it is left out.
        #expect(TokenEstimator.count("a extraordinarily") == 4)
        #expect(body(FixedLengthPrompts.prompt(from: "a extraordinarily", tokens: 6)) == "a extraordinarilya")
    }

    @Test func itemsCycleThroughBaseTexts() throws {
        let spec = FixedLengthSpec(inputTokens: 50, outputTokens: 20, numSamples: 5)
        let items = FixedLengthPrompts.items(baseTexts: ["alpha beta", "", "gamma delta"], spec: spec)
        #expect(items.map(\.index) == [0, 1, 2, 3, 4])
        #expect(items.map { $0.input.hasPrefix("alpha") } == [true, false, true, false, true])
        #expect(items.allSatisfy { $0.target.isEmpty && $0.id == nil })
        #expect(items[0].input == items[2].input)
        let few = FixedLengthPrompts.items(baseTexts: ["one", "two", "three"], spec: FixedLengthSpec(numSamples: 2))
        #expect(few.map { String($0.input.prefix(3)) } == ["one", "two"])
    }

    @Test func withoutBaseTextsTheSyntheticParagraphIsUsed() throws {
        let dataset = try Dataset(fixedLength: FixedLengthSpec(inputTokens: 300, outputTokens: 64), base: nil)
        #expect(dataset.kind == nil)
        #expect(dataset.items.count == 100)
        #expect(dataset.items[0].input.hasPrefix(FixedLengthPrompts.syntheticParagraph))
        #expect(TokenEstimator.count(body(dataset.items[99].input)) == 300)
        #expect(dataset.ignoreEOS)
        #expect(dataset.maxTokens == 64)
        let blank = FixedLengthPrompts.items(
            baseTexts: ["", ""], spec: FixedLengthSpec(inputTokens: 10, numSamples: 1))
        #expect(blank[0].input.hasPrefix("The old lighthouse stood at the edge"))
        #expect(FixedLengthPrompts.prompt(from: "", tokens: 10) == FixedLengthPrompts.suffix)
    }

    @Test func specDefaultsAndPresets() throws {
        #expect(FixedLengthSpec() == FixedLengthSpec(inputTokens: 4096, outputTokens: 1024, numSamples: 100))
        #expect(try FixedLengthPreset(parsing: "4k-1k") == .fourKOneK)
        #expect(FixedLengthPreset.fourKOneK.base == .gsm8k)
        #expect(FixedLengthPreset.fourKOneK.spec == FixedLengthSpec(inputTokens: 4000, outputTokens: 1000))
        #expect(try FixedLengthPreset(parsing: "13K-1K") == .thirteenKOneK)
        #expect(FixedLengthPreset.thirteenKOneK.base == .longbenchV2)
        #expect(FixedLengthPreset.thirteenKOneK.spec == FixedLengthSpec(inputTokens: 13000, outputTokens: 1000))
        #expect(throws: DatasetError.unknownFixedLengthPreset("8K-1K")) { try FixedLengthPreset(parsing: "8K-1K") }
        #expect(
            DatasetError.unknownFixedLengthPreset("8K-1K").description
                == "unknown fixed-length preset '8K-1K'; valid presets: 4K-1K, 13K-1K")
    }

    @Test func badCountsAreErrors() {
        #expect(throws: DatasetError.invalidTokenCount(what: "fixed-length input tokens", value: 0)) {
            try Dataset(fixedLength: FixedLengthSpec(inputTokens: 0), base: nil)
        }
        #expect(throws: DatasetError.invalidTokenCount(what: "fixed-length output tokens", value: -1)) {
            try Dataset(fixedLength: FixedLengthSpec(outputTokens: -1), base: nil)
        }
        #expect(throws: DatasetError.invalidSampleCount(0)) {
            try Dataset(fixedLength: FixedLengthSpec(numSamples: 0), base: nil)
        }
    }

    @Test func baseDatasetInputsAreTheBaseTexts() throws {
        let rows = DatasetRows(
            origin: "b", values: [["question": "Q one", "answer": "#### 1"], ["question": "Q two"]])
        let base = try Dataset(kind: .gsm8k, rows: rows)
        let dataset = try Dataset(
            fixedLength: FixedLengthSpec(inputTokens: 40, outputTokens: 8, numSamples: 3), base: base)
        #expect(dataset.kind == .gsm8k)
        #expect(dataset.items.map { String($0.input.prefix(5)) } == ["Q one", "Q two", "Q one"])
        #expect(dataset.items.allSatisfy { $0.target.isEmpty })
        #expect(dataset.warnings == base.warnings)
    }
}
