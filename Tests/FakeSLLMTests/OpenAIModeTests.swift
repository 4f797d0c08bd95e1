import Foundation
import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// `--api openai` answers as vLLM 0.11's OpenAI server; the ServerlessLLM mode stays as it was
/// (docs/openai-mode.md).
@Suite struct OpenAIModeTests {
    static func openAISettings() -> SimulatorSettings {
        var s = SimulatorSettings()
        s.speedup = nil
        s.api = .openai
        return s
    }
    let h = APIHarness(settings: OpenAIModeTests.openAISettings())
    let model = APIHarness.model

    func chat(_ extra: JSONObject) async -> HTTPResponse {
        var body: JSONObject = ["model": .string(model), "messages": [["role": "user", "content": "Hello there"]]]
        for (k, v) in extra.pairs { body[k] = v }
        return await h.send("POST", "/v1/chat/completions", .object(body))
    }

    /// The `data:` payloads of an SSE body, `[DONE]` excluded.
    func events(_ r: HTTPResponse) -> [JSONValue] {
        r.text.split(separator: "\n").filter { $0.hasPrefix("data: ") && $0 != "data: [DONE]" }.compactMap {
            try? JSONValue.parse(String($0.dropFirst(6)))
        }
    }

    @Test func settingsDefaultServingFollowsAPI() throws {
        var s = SimulatorSettings()
        #expect(s.serving == .sllm)
        s.api = .openai
        #expect(s.serving == .direct)
        let perDeployment = try SimulatorSettings().applying(["api": "openai"])
        #expect(perDeployment.api == .openai && perDeployment.serving == .direct)
        let explicit = try SimulatorSettings().applying(["serving": "sllm", "api": "openai"])
        #expect(explicit.serving == .sllm)
        #expect(throws: SettingsError.self) { try SimulatorSettings().applying(["api": "grpc"]) }
    }

    @Test func openAIParametersAreAccepted() async {
        let r = await chat([
            "max_completion_tokens": 7, "user": "u-1", "seed": 3, "n": 2, "stop": ["\n\n"], "temperature": 0.7,
            "response_format": ["type": "text"], "top_k": 20, "min_p": 0.05, "repetition_penalty": 1.1,
            "presence_penalty": 0.5, "frequency_penalty": 0.1, "ignore_eos": true, "min_tokens": 2,
            "unknown_key": "ignored",
        ])
        #expect(r.status == 200, "\(r.text)")
        let j = r.json
        #expect(j["object"] == "chat.completion")
        #expect(j["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
        let choices = j["choices"]?.arrayValue ?? []
        #expect(choices.count == 2)
        #expect(choices.first?["message"]?["role"] == "assistant")
        #expect(choices.first?["finish_reason"] == "length")
        #expect(j["usage"]?["completion_tokens"] == 14)
        #expect(r.headers.contains { $0.0 == "X-Fake-SLLM-TTFT-S" })
    }

    @Test func streamedChatWithUsageOptions() async {
        let r = await chat([
            "max_tokens": 4, "stream": true, "stream_options": ["include_usage": true, "continuous_usage_stats": true],
        ])
        #expect(r.status == 200)
        #expect(r.text.hasSuffix("data: [DONE]\n\n"))
        let e = events(r)
        #expect(e.first?["choices"]?.arrayValue?.first?["delta"]?["role"] == "assistant")
        #expect(e.allSatisfy { $0["usage"] != nil }, "continuous usage on every chunk")
        let content = e.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
        #expect(!content.isEmpty)
        #expect(e.contains { $0["choices"]?.arrayValue?.first?["finish_reason"] == "length" })
        #expect(e.last?["choices"]?.arrayValue?.isEmpty == true)
        #expect(e.last?["usage"]?["completion_tokens"] == 4)
    }

    @Test func textCompletionsWholeStreamedAndLogprobs() async {
        let r = await h.send(
            "POST", "/v1/completions", ["model": .string(model), "prompt": "Once upon a time", "max_tokens": 5])
        #expect(r.status == 200)
        #expect(r.json["object"] == "text_completion")
        #expect(r.json["choices"]?.arrayValue?.first?["text"]?.stringValue?.isEmpty == false)
        #expect(r.json["usage"]?["completion_tokens"] == 5)

        let lp = await h.send(
            "POST", "/v1/completions",
            ["model": .string(model), "prompt": "Once upon a time", "max_tokens": 3, "logprobs": 2, "echo": true])
        let choice = lp.json["choices"]?.arrayValue?.first
        #expect(choice?["text"]?.stringValue?.hasPrefix("Once upon a time") == true)
        #expect(choice?["logprobs"]?["tokens"]?.arrayValue?.count == 3)
        #expect(choice?["logprobs"]?["top_logprobs"]?.arrayValue?.first?.objectValue?.count == 2)

        let s = await h.send(
            "POST", "/v1/completions",
            ["model": .string(model), "prompt": "Once", "max_tokens": 3, "stream": true])
        let e = events(s)
        #expect(e.count == 3)
        #expect(e.allSatisfy { $0["object"] == "text_completion" && $0["choices"]?.arrayValue?.first?["text"] != nil })
    }

    @Test func batchedCompletionPrompts() async {
        // Several prompts in one request, as vLLM batches them: choice i·n + j answers prompt i.
        let r = await h.send(
            "POST", "/v1/completions",
            ["model": .string(model), "prompt": ["One", "Two more words"], "max_tokens": 2, "n": 2, "echo": true])
        #expect(r.status == 200, "\(r.text)")
        let choices = r.json["choices"]?.arrayValue ?? []
        #expect(choices.map { $0["index"]?.intValue } == [0, 1, 2, 3])
        #expect(choices[0]["text"]?.stringValue?.hasPrefix("One") == true)
        #expect(choices[2]["text"]?.stringValue?.hasPrefix("Two more words") == true)
        let promptTokens = TokenEstimator.count("One") + TokenEstimator.count("Two more words")
        #expect(r.json["usage"]?["prompt_tokens"] == .int(promptTokens))
        #expect(r.json["usage"]?["completion_tokens"] == 8)

        let ids = await h.send(
            "POST", "/v1/completions", ["model": .string(model), "prompt": [[1, 2, 3], [4, 5]], "max_tokens": 1])
        #expect(ids.json["choices"]?.arrayValue?.count == 2)
        #expect(ids.json["usage"]?["prompt_tokens"] == 5)
        let bad = await h.send("POST", "/v1/completions", ["model": .string(model), "prompt": [1, "x"]])
        #expect(bad.status == 400 && bad.json["error"]?["type"] == "Bad Request")
        let empty = await h.send("POST", "/v1/completions", ["model": .string(model), "prompt": []])
        #expect(empty.status == 400)
    }

    @Test func chatLogprobs() async {
        let r = await chat(["max_tokens": 3, "logprobs": true, "top_logprobs": 3])
        let content = r.json["choices"]?.arrayValue?.first?["logprobs"]?["content"]?.arrayValue ?? []
        #expect(content.count == 3)
        #expect(content.first?["top_logprobs"]?.arrayValue?.count == 3)
        #expect((content.first?["logprob"]?.doubleValue ?? 1) <= 0)
    }

    @Test func invalidValuesGetVLLMErrorBodies() async {
        func error(_ r: HTTPResponse) -> (Int, String, String) {
            (r.status, r.json["error"]?["type"]?.stringValue ?? "", r.json["error"]?["message"]?.stringValue ?? "")
        }
        let temp = error(await chat(["temperature": -1]))
        #expect(temp == (400, "BadRequestError", "temperature must be non-negative, got -1."))
        let top = error(await chat(["top_logprobs": 2]))
        #expect(top.0 == 400 && top.1 == "Bad Request")
        #expect(top.2.contains("Value error, when using `top_logprobs`, `logprobs` must be set to true."))
        let opts = error(await chat(["stream_options": ["include_usage": true]]))
        #expect(opts.2.hasPrefix("1 validation error for ChatCompletionRequest\n"))
        #expect(opts.2.contains("Stream options can only be defined when `stream=True`."))
        let type = error(await chat(["max_tokens": "many"]))
        #expect(type.0 == 400 && type.1 == "Bad Request")
        #expect(type.2.contains("max_tokens") && type.2.contains("valid integer"))
        let long = error(await chat(["max_tokens": 5000]))
        #expect(long.0 == 400 && long.2.hasPrefix("'max_tokens' or 'max_completion_tokens' is too large: 5000."))
        let missing = error(
            await h.send(
                "POST", "/v1/chat/completions", ["model": "nope", "messages": [["role": "user", "content": "x"]]]))
        #expect(missing == (404, "NotFoundError", "The model `nope` does not exist."))
        let r = await chat(["n": 0])
        #expect(r.json.objectValue?.keys == ["error"])
        #expect(r.json["error"]?.objectValue?.keys == ["message", "type", "param", "code"])
        #expect(r.json["error"]?["code"] == 400)
    }

    @Test func vLLMRoutes() async {
        let models = await h.send("GET", "/v1/models")
        #expect(models.json["object"] == "list")
        #expect(models.json["data"]?.arrayValue?.first?["id"] == .string(model))
        #expect(models.json["data"]?.arrayValue?.first?["owned_by"] == "vllm")
        #expect(models.json["data"]?.arrayValue?.first?["max_model_len"] == 4096)
        let health = await h.send("GET", "/health")
        #expect(health.status == 200 && health.body.isEmpty)
        #expect((await h.send("GET", "/version")).json["version"] == "0.11.0")
        let tok = await h.send("POST", "/tokenize", ["prompt": "Hello world, 123", "return_token_strs": true])
        #expect(tok.json["count"]?.intValue == tok.json["tokens"]?.arrayValue?.count)
        #expect((tok.json["count"]?.intValue ?? 0) > 3)
        #expect(tok.json["max_model_len"] == 4096)
        // The ServerlessLLM routes stay: recording works on the same server.
        #expect((await h.recording("start")).json["status"] == "success")
        _ = await chat(["max_tokens": 2])
        let dump = await h.recording("dump")
        #expect((dump.json["records"]?.arrayValue?.count ?? 0) > 0)
    }

    @Test func sllmModeIsUnchangedAndPerDeploymentModeWorks() async {
        // Default mode: ServerlessLLM's answers.
        let sllm = APIHarness()
        let bad = await sllm.chat(["max_completion_tokens": 5])
        #expect(bad.status == 200)
        #expect(
            bad.json == ["error": "Invalid sampling parameters: Unexpected keyword argument 'max_completion_tokens'"])
        #expect((await sllm.send("GET", "/v1/models")).json["models"] != nil)
        #expect((await sllm.send("GET", "/version")).status == 404)
        #expect((await sllm.send("GET", "/health")).json == ["status": "ok"])

        // A deployment asking for the OpenAI mode on a ServerlessLLM server.
        let mixed = APIHarness(extra: ["fake_sllm": ["api": "openai"]])
        let ok = await mixed.chat(["max_completion_tokens": 5, "user": "u"])
        #expect(ok.status == 200 && ok.json["choices"]?.arrayValue?.first?["message"] != nil)
        #expect((await mixed.send("GET", "/v1/models")).json["models"] != nil, "server-wide routes stay sllm")
    }

    @Test func metricsCountRequestsInBothModes() async {
        for harness in [h, APIHarness()] {
            _ = await harness.chat(["max_tokens": 3])
            let r = await harness.send("GET", "/metrics")
            #expect(r.status == 200 && r.contentType.hasPrefix("text/plain; version=0.0.4"))
            let labels = "{model_name=\"\(model)\",engine=\"0\"}"
            #expect(r.text.contains("vllm:generation_tokens_total\(labels) 3.0"), "\(r.text.prefix(600))")
            #expect(r.text.contains("vllm:time_to_first_token_seconds_count\(labels) 1.0"))
            #expect(r.text.contains("vllm:e2e_request_latency_seconds_count\(labels) 1.0"))
        }
    }

    static let weatherTool: JSONValue = [
        "type": "function",
        "function": [
            "name": "get_weather",
            "parameters": [
                "type": "object",
                "properties": ["city": ["type": "string"], "days": ["type": "integer", "minimum": 1, "maximum": 7]],
                "required": ["city", "days"], "additionalProperties": false,
            ],
        ],
    ]

    @Test func jsonSchemaAnswerConformsAndHasAboutTheSampledLength() async throws {
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                "steps": ["type": "array", "items": ["$ref": "#/$defs/Step"]], "final_answer": ["type": "integer"],
                "unit": ["enum": ["apples", "pears"]], "note": ["anyOf": [["type": "string"], ["type": "null"]]],
            ],
            "required": ["steps", "final_answer", "unit", "note"],
            "$defs": ["Step": ["type": "object", "properties": ["text": ["type": "string"]], "required": ["text"]]],
        ]
        var lengths: [Int] = []
        for seed in 0..<4 {
            let r = await chat([
                "seed": .int(seed), "temperature": 1,
                "response_format": ["type": "json_schema", "json_schema": ["name": "Answer", "schema": schema]],
            ])
            #expect(r.status == 200)
            let message = try #require(r.json["choices"]?.arrayValue?.first?["message"])
            let doc = try JSONValue.parse(try #require(message["content"]?.stringValue))
            #expect(doc["final_answer"]?.intValue != nil)
            #expect(["apples", "pears"].contains(doc["unit"]?.stringValue ?? ""))
            #expect((doc["steps"]?.arrayValue?.count ?? 0) >= 1)
            #expect(doc["steps"]?.arrayValue?.allSatisfy { $0["text"]?.stringValue != nil } == true)
            let tokens = try #require(r.json["usage"]?["completion_tokens"]?.intValue)
            lengths.append(tokens)
        }
        // The default mean length is 256: documents come near it, not at a minimal size.
        #expect(lengths.allSatisfy { $0 > 40 }, "\(lengths)")
        let obj = await chat(["response_format": ["type": "json_object"], "max_tokens": 300])
        let text = obj.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue ?? ""
        #expect((try? JSONValue.parse(text))?.objectValue != nil, "\(text)")
    }

    @Test func toolChoicesAsVLLMHandlesThem() async throws {
        // Named function: a tool call, arguments valid for the schema, content "", finish_reason as generated.
        let named = await chat([
            "tools": [Self.weatherTool], "tool_choice": ["type": "function", "function": ["name": "get_weather"]],
        ])
        #expect(named.status == 200)
        let choice = try #require(named.json["choices"]?.arrayValue?.first)
        let call = try #require(choice["message"]?["tool_calls"]?.arrayValue?.first)
        #expect(call["type"] == "function" && call["function"]?["name"] == "get_weather")
        #expect(call["id"]?.stringValue?.hasPrefix("chatcmpl-tool-") == true)
        let args = try JSONValue.parse(try #require(call["function"]?["arguments"]?.stringValue))
        #expect(args["city"]?.stringValue != nil && (1...7).contains(args["days"]?.intValue ?? 0))
        #expect(choice["message"]?["content"] == "" && choice["finish_reason"] == "stop")

        let required = await chat(["tools": [Self.weatherTool], "tool_choice": "required"])
        let calls = required.json["choices"]?.arrayValue?.first?["message"]?["tool_calls"]?.arrayValue ?? []
        #expect(calls.count == 1 && calls[0]["function"]?["name"] == "get_weather")
        #expect((try? JSONValue.parse(calls[0]["function"]?["arguments"]?.stringValue ?? ""))?["city"] != nil)

        // auto (also tools without tool_choice): vLLM's 400 without --enable-auto-tool-choice.
        for extra: JSONObject in [["tools": [Self.weatherTool]], ["tools": [Self.weatherTool], "tool_choice": "auto"]] {
            let r = await chat(extra)
            #expect(r.status == 400)
            #expect(r.json["error"]?["message"]?.stringValue == OpenAIToolUse.autoNeedsFlag)
            #expect(r.json["error"]?["type"] == "BadRequestError")
        }
        let none = await chat(["tools": [Self.weatherTool], "tool_choice": "none", "max_tokens": 5])
        #expect(none.json["choices"]?.arrayValue?.first?["message"]?["tool_calls"] == [])
        // The validator's texts.
        let missing = await chat(["tool_choice": "required"])
        #expect(missing.status == 400)
        #expect(
            missing.json["error"]?["message"]?.stringValue?.contains("When using `tool_choice`, `tools` must be set.")
                == true)
        let wrong = await chat([
            "tools": [Self.weatherTool], "tool_choice": ["type": "function", "function": ["name": "nope"]],
        ])
        #expect(
            wrong.json["error"]?["message"]?.stringValue?.contains("does not match any of the specified `tools`")
                == true)

        // With --enable-auto-tool-choice: a seeded mix of tool calls and text.
        var settings = Self.openAISettings()
        settings.enableAutoToolChoice = true
        let auto = APIHarness(settings: settings)
        var kinds: Set<String> = []
        for seed in 0..<8 {
            var body: JSONObject = ["model": .string(model), "messages": [["role": "user", "content": "Weather?"]]]
            body["tools"] = [Self.weatherTool]
            body["seed"] = .int(seed)
            body["temperature"] = 1
            let r = await auto.send("POST", "/v1/chat/completions", .object(body))
            let c = r.json["choices"]?.arrayValue?.first
            if let calls = c?["message"]?["tool_calls"]?.arrayValue, !calls.isEmpty {
                kinds.insert("tool")
                #expect(c?["finish_reason"] == "tool_calls" && c?["message"]?["content"] == .null)
            } else {
                kinds.insert("text")
            }
        }
        #expect(kinds == ["tool", "text"])
    }

    @Test func streamedToolCallArgumentsJoinOneChunkPerToken() async throws {
        let r = await chat([
            "tools": [Self.weatherTool], "tool_choice": ["type": "function", "function": ["name": "get_weather"]],
            "stream": true, "stream_options": ["include_usage": true],
        ])
        let e = events(r)
        let deltas = e.compactMap { $0["choices"]?.arrayValue?.first?["delta"] }
        let tokens = try #require(e.last?["usage"]?["completion_tokens"]?.intValue)
        #expect(deltas.count == tokens + 1, "role chunk + one per token")
        let pieces = deltas.compactMap { $0["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]?.stringValue }
        #expect(deltas.compactMap { $0["tool_calls"]?.arrayValue?.first?["id"] }.count == 1)
        let args = try JSONValue.parse(pieces.joined())
        #expect(args["city"]?.stringValue != nil)
        #expect(!r.text.contains(": fake-sllm sim_t="), "no SSE comments unless asked")
    }

    @Test func sseCommentsOnlyWhenAskedAndEmbeddingsRefused() async {
        var settings = Self.openAISettings()
        settings.sseComments = true
        let commented = APIHarness(settings: settings)
        var body: JSONObject = ["model": .string(model), "messages": [["role": "user", "content": "Hi"]]]
        body["stream"] = true
        body["max_tokens"] = 3
        let withComments = await commented.send("POST", "/v1/chat/completions", .object(body))
        #expect(withComments.text.contains(": fake-sllm sim_t="))
        let plain = await chat(["stream": true, "max_tokens": 3])
        #expect(!plain.text.contains(": fake-sllm sim_t=") && plain.text.hasPrefix("data: "))

        let emb = await h.send("POST", "/v1/embeddings", ["model": .string(model), "input": "hello"])
        #expect(emb.status == 400)
        #expect(emb.json["error"]?["message"] == "The model does not support Embeddings API")
        #expect(emb.json["error"]?["type"] == "BadRequestError")
    }
}
