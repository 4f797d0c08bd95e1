import Testing

@testable import FakeSLLM
@testable import MoECore

/// `ChatCompletionJSON` writes its shapes by hand; these hold every shape to the bytes `JSONValue`'s compact
/// serialisation gives for the same tree (the tree the bodies were built from before, key order included).
@Suite struct ChatCompletionJSONTests {
    /// Texts with every escape the writer knows, non-ASCII, a long run and the empty string.
    static let texts = [
        "", "Hi", "line\nbreak\ttab\r\u{8}\u{c}", "\"quoted\" \\ back", "\u{0}\u{1}\u{1f}\u{7f}", "ünïcödé 数学 🙂",
        String(repeating: "word ", count: 300), "</s><|im_end|>",
    ]
    static let ids = ["chatcmpl-0123456789abcdef", "id with \"quote\"", "ü"]
    static let models = ["Qwen/Qwen3-30B-A3B", "m\\odel", ""]

    func head(_ json: ChatCompletionJSON, object: String) -> [(String, JSONValue)] {
        [
            ("id", .string(json.requestId)), ("object", .string(object)), ("created", .int(json.created)),
            ("model", .string(json.model)),
        ]
    }

    func usage(prompt: Int, completion: Int) -> JSONValue {
        [
            "prompt_tokens": .int(prompt), "completion_tokens": .int(completion),
            "total_tokens": .int(prompt + completion),
        ]
    }

    func written(_ write: (inout CompactJSONBytes) -> Void) -> String {
        var b = CompactJSONBytes()
        write(&b)
        return String(decoding: b.take(), as: UTF8.self)
    }

    @Test func answerMatchesTheTree() {
        for (k, id) in Self.ids.enumerated() {
            let json = ChatCompletionJSON(requestId: id, model: Self.models[k], created: 1_765_000_000 + k)
            for n in 1...3 {
                let choices = (0..<n).map { i in
                    (text: Self.texts[(i + k * 3) % Self.texts.count], finish: i % 2 == 0 ? "stop" : "length")
                }
                let prompt = 17 * n + k
                let completion = 5 * n
                let tree = JSONValue.object(
                    JSONObject(
                        head(json, object: "chat.completion") + [
                            (
                                "choices",
                                .array(
                                    choices.enumerated().map { i, c in
                                        [
                                            "index": .int(i),
                                            "message": ["role": "assistant", "content": .string(c.text)],
                                            "logprobs": nil, "finish_reason": .string(c.finish),
                                        ]
                                    })
                            ),
                            ("usage", usage(prompt: prompt, completion: completion)),
                        ]))
                let bytes = json.answer(choices: choices, promptTokens: prompt, completionTokens: completion)
                #expect(bytes == tree.serializedBytes(compact: true), "\(id) n=\(n)")
            }
        }
    }

    @Test func chunksMatchTheTree() {
        for (k, id) in Self.ids.enumerated() {
            let json = ChatCompletionJSON(requestId: id, model: Self.models[k], created: k)
            var deltas: [(ChatCompletionJSON.Delta, JSONObject)] = [
                (.role, ["role": "assistant", "content": ""]), (.empty, [:]),
            ]
            deltas += Self.texts.map { (.content($0), ["content": .string($0)]) }
            for (delta, object) in deltas {
                for finish in [nil, "stop", "length", "abort"] as [String?] {
                    for index in [0, 1, 12] {
                        let tree = JSONValue.object(
                            JSONObject(
                                head(json, object: "chat.completion.chunk") + [
                                    (
                                        "choices",
                                        [
                                            [
                                                "index": .int(index), "delta": .object(object), "logprobs": nil,
                                                "finish_reason": finish.map { .string($0) } ?? .null,
                                            ]
                                        ]
                                    )
                                ]))
                        let text = written { json.writeChunk(index: index, delta: delta, finish: finish, into: &$0) }
                        #expect(text == "data: \(tree.serialized(compact: true))\n\n")
                    }
                }
            }
        }
    }

    @Test func usageChunkMatchesTheTree() {
        for (k, id) in Self.ids.enumerated() {
            let json = ChatCompletionJSON(requestId: id, model: Self.models[k], created: 42)
            for (prompt, completion) in [(0, 0), (9, 8), (123_456, 7_890)] {
                let tree = JSONValue.object(
                    JSONObject(
                        head(json, object: "chat.completion.chunk") + [
                            ("choices", []), ("usage", usage(prompt: prompt, completion: completion)),
                        ]))
                let text = written {
                    json.writeUsageChunk(promptTokens: prompt, completionTokens: completion, into: &$0)
                }
                #expect(text == "data: \(tree.serialized(compact: true))\n\n")
            }
        }
    }

    /// The stamp line before each streamed event: Python's float text, as the header values use.
    @Test func stampLineUsesPythonFloatText() {
        for t in [0.0, 0.1, 1.5, 12.000_1, 1e-7, 3e16, 123_456.789] {
            let text = written { SimulatedTimes.writeStamp(t, into: &$0) }
            #expect(text == ": fake-sllm sim_t=\(JSONValue.pythonFloatText(t))\n")
        }
    }
}
