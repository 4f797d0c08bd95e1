import MoECore
import Testing

@Suite struct DatasetPromptStyleTests {
    func dataset(_ kind: DatasetKind) throws -> Dataset {
        let row: JSONValue
        switch kind {
        case .gsm8k: row = ["question": "What is 2+2?", "answer": "#### 4"]
        case .numinamath: row = ["messages": [["role": "user", "content": "What is 2+2?"]]]
        case .longbenchV2:
            row = [
                "question": "q", "choice_A": "a", "choice_B": "b", "choice_C": "c", "choice_D": "d", "answer": "A",
                "context": "c",
            ]
        }
        return try Dataset(kind: kind, rows: DatasetRows(origin: "t", values: [row]))
    }

    @Test func sllmStyleIsServerlessLLMs() throws {
        let gsm8k = try dataset(.gsm8k)
        let messages = PromptStyle.sllm.messages(for: gsm8k.items[0], in: gsm8k)
        #expect(
            messages.serialized()
                == #"[{"role": "system", "content": "You are a helpful assistant."}, "#
                + #"{"role": "user", "content": "What is 2+2?"}]"#)
    }

    @Test func moecapStyleUsesTheLoaderSystemPrompt() throws {
        let gsm8k = try dataset(.gsm8k)
        #expect(
            PromptStyle.moecap.systemPrompt(for: gsm8k)
                == "Solve the math problem. End your response with a line of the form '#### <number>' containing "
                + "only the final numeric answer (no units, no commas, no currency symbols).")
        for kind in [DatasetKind.numinamath, .longbenchV2] {
            let other = try dataset(kind)
            #expect(PromptStyle.moecap.systemPrompt(for: other) == "Output the answer directly without description.")
            let messages = PromptStyle.moecap.messages(for: other.items[0], in: other)
            #expect(messages.arrayValue?[1]["content"]?.stringValue == other.items[0].input)
        }
    }

    @Test func fixedLengthModeUsesTheDefaultSystemPromptEvenOnGSM8K() throws {
        let fixed = try Dataset(fixedLength: FixedLengthSpec(inputTokens: 20, numSamples: 1), base: dataset(.gsm8k))
        #expect(PromptStyle.moecap.systemPrompt(for: fixed) == PromptStyle.moecapDefaultSystemPrompt)
        #expect(PromptStyle.sllm.systemPrompt(for: fixed) == PromptStyle.sllmSystemPrompt)
    }

    @Test func parsesStyleNames() throws {
        #expect(try PromptStyle(parsing: "SLLM") == .sllm)
        #expect(try PromptStyle(parsing: "moecap") == .moecap)
        #expect(throws: DatasetError.unknownPromptStyle("chatml")) { try PromptStyle(parsing: "chatml") }
        #expect(
            DatasetError.unknownPromptStyle("chatml").description
                == "unknown prompt style 'chatml'; valid styles: sllm, moecap")
    }
}
