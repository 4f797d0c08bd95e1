import MoECore
import Testing

@testable import FakeSLLM

/// Issue 18: every request's answer is bounded before work starts (docs/http.md, "Answer budget"), in the error
/// shape of each API mode.
@Suite struct AnswerBudgetTests {
    let model = APIHarness.model

    /// The harness with a smaller answer budget.
    func harness(maxAnswerBytes: Int, settings: SimulatorSettings? = nil) -> (APIHarness, SLLMAPI) {
        let h = APIHarness(settings: settings)
        var api = h.api
        api.budget.maxAnswerBytes = maxAnswerBytes
        return (h, api)
    }

    func send(_ api: SLLMAPI, _ path: String, _ body: JSONValue) async -> HTTPResponse {
        await APIHarness.resolve(api.handle(HTTPRequest(method: "POST", path: path, json: body)))
    }

    @Test func embeddingsAreBoundedInInputsAndBytes() async throws {
        let h = APIHarness()
        let many: JSONValue = .array((0..<3_000).map { _ in "a" })
        let r = await h.send("POST", "/v1/embeddings", ["model": .string(model), "input": many])
        let error = try #require(r.json["error"]?.stringValue)
        #expect(error.contains("at most 2048"), "\(error)")
        // 1,000 vectors of 2,048 dimensions pass the input bound but not the 32 MiB budget.
        let big: JSONValue = .array((0..<1_000).map { _ in "a" })
        let b = await h.send("POST", "/v1/embeddings", ["model": .string(model), "input": big])
        #expect(b.json["error"]?.stringValue?.contains("--max-answer-bytes") == true, "\(b.text.prefix(200))")
    }

    /// The body is written a few vectors at a time, byte-identical to the whole object.
    @Test func embeddingsAreStreamedAsOneValidObject() async throws {
        let h = APIHarness()
        let inputs: [JSONValue] = (0..<10).map { .string("input number \($0)") }
        let reply = h.api.handle(
            HTTPRequest(
                method: "POST", path: "/v1/embeddings", json: ["model": .string(model), "input": .array(inputs)]))
        guard case .stream(let s) = reply else {
            Issue.record("embeddings should be a pulled stream")
            return
        }
        #expect(s.contentType == "application/json")
        let body = try JSONValue.parse(s.drain().bytes)
        let data = try #require(body["data"]?.arrayValue)
        #expect(data.count == 10)
        #expect(data[9]["index"] == 9)
        #expect(data[0]["embedding"]?.arrayValue?.count == 2048)
        #expect(body["model"] == .string(model))
        #expect(body.objectValue?.pairs.map(\.0) == ["object", "data", "model", "usage"])
    }

    @Test func wholeAnswersPastTheBudgetAreRefusedInTheServerlessLLMShape() async throws {
        let (_, api) = harness(maxAnswerBytes: 1 << 20)
        let body: JSONObject = [
            "model": .string(model), "messages": [["role": "user", "content": "Hi"]], "n": 128, "max_tokens": 1_000,
        ]
        let r = await send(api, "/v1/chat/completions", .object(body))
        #expect(r.status == 200)
        let error = try #require(r.json["error"]?.stringValue)
        #expect(error.hasPrefix("Invalid sampling parameters: the answer would take up to"), "\(error)")
        // A small answer passes.
        var small = body
        small["n"] = 1
        small["max_tokens"] = 8
        #expect((await send(api, "/v1/chat/completions", .object(small))).json["choices"] != nil)
    }

    @Test func openAIModeRefusesLogprobBombsAndPromptFanOut() async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.api = .openai
        let h = APIHarness(settings: s)
        // The issue's 152-byte request: 16 choices × 32,000 tokens × 20 alternatives.
        let bomb: JSONObject = [
            "model": .string(model), "messages": [["role": "user", "content": "Hi"]], "logprobs": true,
            "top_logprobs": 20, "n": 16, "max_tokens": 32_000, "ignore_eos": true,
        ]
        var long = SimulatorSettings()
        long.speedup = nil
        long.api = .openai
        let r = await h.send("POST", "/v1/chat/completions", .object(bomb))
        #expect(r.status == 400)
        let message = try #require(r.json["error"]?["message"]?.stringValue)
        #expect(message.contains("max_tokens") || message.contains("--max-answer-bytes"), "\(message)")
        // Within the context length, log-probabilities still count: 16 × 4,000 tokens × 20 alternatives.
        var fits = bomb
        fits["max_tokens"] = 4_000
        let b = await h.send("POST", "/v1/chat/completions", .object(fits))
        #expect(b.status == 400)
        #expect(b.json["error"]?["message"]?.stringValue?.contains("--max-answer-bytes") == true, "\(b.text)")
        #expect(b.json["error"]?["type"] == "BadRequestError")

        let fanOut: JSONObject = [
            "model": .string(model), "prompt": .array((0..<1_000).map { _ in "a" }), "n": 128, "ignore_eos": true,
        ]
        let f = await h.send("POST", "/v1/completions", .object(fanOut))
        #expect(f.status == 400)
        #expect(f.json["error"]?["message"]?.stringValue?.contains("prompts × n must be at most 1024") == true)
    }

    @Test(arguments: [
        (["best_of": 1_000] as JSONObject, "best_of must be at most 128"),
        (["stop_token_ids": .array((0..<5_000).map { .int($0) })] as JSONObject, "stop_token_ids must have at most"),
        (["bad_words": .array((0..<5_000).map { _ in "x" })] as JSONObject, "bad_words must have at most"),
        (
            ["logit_bias": .object(JSONObject((0..<5_000).map { ("\($0)", JSONValue.int(1)) }))] as JSONObject,
            "logit_bias must have at most 4096"
        ),
    ])
    func openAIModeAppliesTheDocumentedListBounds(extra: JSONObject, message: String) async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.api = .openai
        let h = APIHarness(settings: s)
        var body: JSONObject = ["model": .string(model), "messages": [["role": "user", "content": "Hi"]]]
        for (k, v) in extra.pairs { body[k] = v }
        let r = await h.send("POST", "/v1/chat/completions", .object(body))
        #expect(r.status == 400)
        #expect(r.json["error"]?["message"]?.stringValue?.contains(message) == true, "\(r.text)")
    }

    @Test func estimatesAreUpperBoundsOfWhatIsRendered() {
        // One rendered token with 20 alternatives is within the per-token estimate.
        let chat = OpenAIJob.chatLogprobs([" because"], top: 20).serializedBytes(compact: true).count
        #expect(chat <= OpenAIJob.maxBytesPerToken(kind: .chat, logprobs: 20))
        #expect(AnswerBudget.generationBytes(choices: .max, tokens: .max, bytesPerToken: 10) == .max)
        #expect(AnswerBudget.embeddingBytes(inputs: 3, dimensions: 4) == 3 * (4 * 24 + 512))
    }
}

/// Issue 18 (lower items): an OpenAI-mode stream cut by shutdown ends as vLLM ends an aborted request.
@Suite struct OpenAIShutdownTests {
    @Test func aStreamCutByShutdownEndsWithAbortAndDone() async throws {
        var s = SimulatorSettings()
        s.speedup = 0.05  // 2,000 tokens take minutes: the stream is still open when the server stops, even under load
        s.api = .openai
        let h = APIHarness(settings: s)
        let reply = h.api.handle(
            HTTPRequest(
                method: "POST", path: "/v1/chat/completions",
                json: [
                    "model": .string(APIHarness.model), "messages": [["role": "user", "content": "Hi"]],
                    "max_tokens": 2_000, "ignore_eos": true, "stream": true,
                ]))
        guard case .stream(let stream) = reply else {
            Issue.record("expected a stream")
            return
        }
        var text = ""
        for _ in 0..<3_000 where !text.contains("\"content\":\"") {
            text += String(decoding: stream.drain().bytes, as: UTF8.self)
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        h.api.registry.shutdownAll()
        for _ in 0..<6_000 where !stream.isFinished { try await Task.sleep(nanoseconds: 10_000_000) }
        text += String(decoding: stream.drain().bytes, as: UTF8.self)
        #expect(text.contains(#""finish_reason":"abort""#), "\(text.suffix(400))")
        #expect(text.hasSuffix("data: [DONE]\n\n"))
        #expect(!text.contains(#""error""#))
    }
}
