import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// Every route of docs/sllm-api.md §2 and the error rows of §3, through the pure API (no sockets).
@Suite struct RouteTests {
    let h = APIHarness()
    let model = JSONValue.string(APIHarness.model)

    @Test func healthAndUnknownPathsAndMethods() async {
        let health = await h.send("GET", "/health")
        #expect(health.status == 200 && health.json == ["status": "ok"])
        let missing = await h.send("GET", "/nope")
        #expect(missing.status == 404 && missing.json == ["detail": "Not Found"])
        let wrong = await h.send("GET", "/v1/chat/completions")
        #expect(wrong.status == 405 && wrong.json == ["detail": "Method Not Allowed"])
        let wrong2 = await h.send("POST", "/health")
        #expect(wrong2.status == 405)
        let slash = await h.send("GET", "/health/")
        #expect(slash.status == 307 && slash.headers.contains { $0 == ("Location", "/health") })
    }

    @Test func modelsListUsesSllmShape() async {
        let r = await h.send("GET", "/v1/models")
        #expect(r.status == 200)
        let list = r.json["models"]?.arrayValue ?? []
        #expect(list.count == 1)
        #expect(list.first?["id"] == model && list.first?["owned_by"] == "sllm" && list.first?["created"] == .null)
        #expect(list.first?["permission"]?.arrayValue?.first?["id"] == .string("modelperm-\(APIHarness.model)"))
        #expect(r.json["data"] == nil)
    }

    @Test func registerRules() async {
        // Already registered and missing backend: silent 200 ok (§3.2).
        let again = await h.send("POST", "/register", ["model": model, "backend": "vllm_moecap"])
        #expect(again.status == 200 && again.json == ["status": "ok"])
        let noBackend = await h.send("POST", "/register", ["model": "other/model"])
        #expect(noBackend.json == ["status": "ok"])
        #expect((await h.send("GET", "/v1/models")).json["models"]?.arrayValue?.count == 1)
        // Unknown model (no config to load): the controller raises → 500 detail.
        let unknown = await h.send("POST", "/register", ["model": "nobody/nothing", "backend": "vllm_moecap"])
        #expect(unknown.status == 500)
        #expect(unknown.json == ["detail": "Cannot register model, please contact the administrator"])
        // A model that does not fit its GPUs fails at registration (the reason goes to the log).
        let tooBig = await h.send("POST", "/register", ["model": "Qwen/Qwen3-235B-A22B", "backend": "vllm_moecap"])
        #expect(tooBig.status == 500)
        let fits = await h.send(
            "POST", "/register",
            ["model": "Qwen/Qwen3-235B-A22B", "backend": "vllm_moecap", "backend_config": ["tensor_parallel_size": 8]])
        #expect(fits.status == 200)
        let bad = await h.sendRaw("POST", "/register", body: "{oops")
        #expect(bad.status == 500 && bad.text == "Internal Server Error")
        let list = await h.sendRaw("POST", "/register", body: "[1, 2]")
        #expect(list.status == 500)
        #expect(list.json == ["detail": "Cannot register model, please contact the administrator"])
    }

    @Test func updateAndDelete() async {
        let noModel = await h.send("POST", "/update", ["auto_scaling_config": ["target": 3]])
        #expect(noModel.status == 400 && noModel.json == ["detail": "Missing model_name in request body"])
        let unknown = await h.send("POST", "/update", ["model": "x/y"])
        #expect(unknown.status == 400 && unknown.json == ["detail": "Model x/y not found, please register first"])
        let ok = await h.send("POST", "/update", ["model": model, "auto_scaling_config": ["target": 3]])
        #expect(ok.json == ["status": .string("updated model \(APIHarness.model)")])
        let delUnknown = await h.send("POST", "/delete", ["model": "x/y"])
        #expect(delUnknown.status == 200 && delUnknown.json == ["status": "deleted model x/y"])
        let delMissing = await h.send("POST", "/delete", [:])
        #expect(delMissing.status == 400 && delMissing.json == ["detail": "Missing model_name in request body"])
        let del = await h.send("POST", "/delete", ["model": model])
        #expect(del.json == ["status": .string("deleted model \(APIHarness.model)")])
        #expect((await h.send("GET", "/v1/models")).json["models"] == [])
    }

    @Test func chatCompletionShapeAndUsage() async throws {
        let r = await h.chat(["max_tokens": 20, "temperature": 0.0])
        #expect(r.status == 200)
        let j = r.json
        #expect(j.objectValue?.keys == ["id", "object", "created", "model", "choices", "usage"])
        #expect(j["object"] == "chat.completion" && j["model"] == model)
        #expect(j["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
        #expect(j["created"]?.intValue != nil)
        let choice = try #require(j["choices"]?.arrayValue?.first)
        #expect(choice.objectValue?.keys == ["index", "message", "logprobs", "finish_reason"])
        #expect(choice["logprobs"] == .null && choice["message"]?["role"] == "assistant")
        let content = try #require(choice["message"]?["content"]?.stringValue)
        let usage = try #require(j["usage"])
        let completion = try #require(usage["completion_tokens"]?.intValue)
        #expect(TokenEstimator.count(content) == completion)
        #expect(completion <= 20)
        #expect(choice["finish_reason"] == (completion == 20 ? "length" : "stop"))
        #expect(usage["total_tokens"]?.intValue == (usage["prompt_tokens"]?.intValue ?? 0) + completion)
        // The prompt is the ChatML rendering of both messages.
        let prompt =
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2 + 2?<|im_end|>\n<|im_start|>assistant\n"
        #expect(usage["prompt_tokens"]?.intValue == TokenEstimator.count(prompt))
    }

    @Test func chatDefaultsAndSamplingParameters() async throws {
        // max_tokens defaults to 16 (vLLM) and ignore_eos runs to it.
        let r = await h.chat(["ignore_eos": true])
        #expect(r.json["usage"]?["completion_tokens"] == 16)
        #expect(r.json["choices"]?.arrayValue?.first?["finish_reason"] == "length")
        // n choices; prompt counted once.
        let n = await h.chat(["n": 3, "max_tokens": 8, "ignore_eos": true])
        #expect(n.json["choices"]?.arrayValue?.count == 3)
        #expect(n.json["usage"]?["completion_tokens"] == 24)
        // Greedy decoding is deterministic; a seed makes sampling deterministic.
        let a = await h.chat(["max_tokens": 30, "temperature": 0])
        let b = await h.chat(["max_tokens": 30, "temperature": 0])
        #expect(a.json["choices"] == b.json["choices"])
        let s1 = await h.chat(["max_tokens": 30, "temperature": 0.8, "seed": 7])
        let s2 = await h.chat(["max_tokens": 30, "temperature": 0.8, "seed": 7])
        #expect(s1.json["choices"] == s2.json["choices"])
        // min_tokens forces a length.
        let m = await h.chat(["max_tokens": 40, "min_tokens": 40])
        #expect(m.json["usage"]?["completion_tokens"] == 40)
    }

    @Test func stopStringsCutTheText() async throws {
        let full = await h.chat(["max_tokens": 60, "ignore_eos": true, "temperature": 0])
        let text = try #require(full.json["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue)
        let words = text.split(separator: " ")
        let stopWord = String(words[words.count / 2])
        let cut = await h.chat(["max_tokens": 60, "ignore_eos": true, "temperature": 0, "stop": .string(stopWord)])
        let choice = try #require(cut.json["choices"]?.arrayValue?.first)
        let cutText = try #require(choice["message"]?["content"]?.stringValue)
        #expect(!cutText.contains(stopWord))
        #expect(text.hasPrefix(cutText))
        #expect(choice["finish_reason"] == "stop")
    }

    @Test(arguments: [
        ("stream_x", JSONValue.bool(true), "Unexpected keyword argument 'stream_x'"),
        ("user", "someone", "Unexpected keyword argument 'user'"),
        ("max_completion_tokens", 5, "Unexpected keyword argument 'max_completion_tokens'"),
        ("max_tokens", -1, "max_tokens must be at least 1, got -1."),
        ("max_tokens", 0, "max_tokens must be at least 1, got 0."),
        ("temperature", -0.5, "temperature must be non-negative, got -0.5."),
        ("top_p", 0, "top_p must be in (0, 1], got 0."),
        ("n", 0, "n must be at least 1, got 0."),
        ("max_tokens", "many", "'<' not supported between instances of 'str' and 'int'"),
        ("stop", "", "stop cannot contain an empty string."),
    ])
    func invalidSamplingParametersAre200Errors(key: String, value: JSONValue, text: String) async {
        let r = await h.chat([key: value])
        #expect(r.status == 200)
        #expect(r.json == ["error": .string("Invalid sampling parameters: \(text)")])
    }

    @Test func chatGatewayErrors() async {
        let bad = await h.sendRaw("POST", "/v1/chat/completions", body: "{not json")
        #expect(bad.status == 500 && bad.text == "Internal Server Error" && bad.contentType.hasPrefix("text/plain"))
        let empty = await h.sendRaw("POST", "/v1/chat/completions", body: "")
        #expect(empty.status == 500 && empty.text == "Internal Server Error")
        let noModel = await h.send("POST", "/v1/chat/completions", ["messages": []])
        #expect(noModel.status == 400 && noModel.json == ["detail": "Missing model_name in request body"])
        let emptyModel = await h.send("POST", "/v1/chat/completions", ["model": ""])
        #expect(emptyModel.status == 400)
        let unknown = await h.send("POST", "/v1/chat/completions", ["model": "x/y", "messages": []])
        #expect(unknown.status == 500 && unknown.text == "Internal Server Error")
        let wrongType = await h.send("POST", "/v1/chat/completions", ["model": 42])
        #expect(wrongType.status == 500)
        // Crashes of the real server become clear 4xx JSON errors here.
        let noMessages = await h.send("POST", "/v1/chat/completions", ["model": model, "messages": []])
        #expect(noMessages.status == 400 && noMessages.json["detail"] != nil)
        let badMessages = await h.send("POST", "/v1/chat/completions", ["model": model, "messages": "hi"])
        #expect(badMessages.status == 400)
        let long = String(repeating: "word ", count: 5000)
        let tooLong = await h.chat([:], content: long)
        #expect(tooLong.status == 400)
        #expect(tooLong.json["detail"]?.stringValue?.hasPrefix("The decoder prompt (length ") == true)
        #expect(tooLong.json["detail"]?.stringValue?.contains("maximum model length of 4096") == true)
    }

    @Test(arguments: [JSONValue.int(1_000_000), .null])
    func hugeOrNullMaxTokensStopsAtMaxModelLen(maxTokens: JSONValue) async throws {
        let r = await h.chat(["max_tokens": maxTokens, "ignore_eos": true])
        let usage = try #require(r.json["usage"])
        #expect(usage["total_tokens"]?.intValue == 4096)
        #expect(r.json["choices"]?.arrayValue?.first?["finish_reason"] == "length")
    }

    @Test func streamingChunksEndWithDone() async throws {
        let r = await h.chat([
            "max_tokens": 12, "ignore_eos": true, "stream": true, "stream_options": ["include_usage": true],
        ])
        #expect(r.contentType.hasPrefix("text/event-stream"))
        let blocks = r.text.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        // Each event carries its simulated time in an SSE comment line, then its data line.
        let stamps = blocks.map { b in
            b.split(separator: "\n").first { $0.hasPrefix(": fake-sllm sim_t=") }.flatMap { Double($0.dropFirst(18)) }
        }
        #expect(stamps.allSatisfy { $0 != nil })
        #expect(zip(stamps, stamps.dropFirst()).allSatisfy { $0! <= $1! })
        let events = blocks.map { b in b.split(separator: "\n").first { $0.hasPrefix("data: ") }.map(String.init) ?? ""
        }
        #expect(events.last == "data: [DONE]")
        let payloads = events.dropLast().map { try! JSONValue.parse(String($0.dropFirst(6))) }
        #expect(payloads.allSatisfy { $0["object"] == "chat.completion.chunk" })
        #expect(payloads.first?["choices"]?.arrayValue?.first?["delta"] == ["role": "assistant", "content": ""])
        let text = payloads.compactMap { $0["choices"]?.arrayValue?.first?["delta"]?["content"]?.stringValue }.joined()
        #expect(TokenEstimator.count(text) == 12)
        let finish = payloads.compactMap { $0["choices"]?.arrayValue?.first?["finish_reason"]?.stringValue }
        #expect(finish == ["length"])
        #expect(payloads.last?["usage"]?["completion_tokens"] == 12)
    }

    @Test func streamsCutShortByShutdownEndWithAbortAndDone() async throws {
        var settings = SimulatorSettings()
        // Slow enough that the stream is still open when a starved test gets to stop it (20 s of tokens here
        // take 400 s of wall time).
        settings.speedup = 0.05
        settings.serving = .direct
        let h = APIHarness(settings: settings)
        let body: JSONValue = [
            "model": .string(APIHarness.model), "messages": [["role": "user", "content": "Tell a long story"]],
            "max_tokens": 5000, "ignore_eos": true, "stream": true,
        ]
        guard
            case .stream(let stream) = h.api.handle(
                HTTPRequest(method: "POST", path: "/v1/chat/completions", json: body))
        else {
            Issue.record("not a stream")
            return
        }
        // Wait for the first tokens, then stop the server's engines.
        var text = ""
        while !text.contains("\"content\":\"") {
            try await Task.sleep(for: .milliseconds(20))
            text += String(decoding: stream.drain().bytes, as: UTF8.self)
        }
        h.api.registry.shutdownAll()
        text += String(decoding: stream.drain().bytes, as: UTF8.self)
        #expect(stream.isFinished)
        #expect(text.contains("\"finish_reason\":\"abort\""))
        #expect(text.hasSuffix("data: [DONE]\n\n"))
    }

    @Test func completionsRouteRewritesToChat() async {
        let r = await h.send("POST", "/v1/completions", ["model": model, "prompt": "Hello", "max_tokens": 5])
        #expect(r.json["object"] == "chat.completion")
        let empty = await h.send("POST", "/v1/completions", ["model": model, "prompt": []])
        #expect(empty.status == 400 && empty.json == ["detail": "Empty prompt list"])
        let many = await h.send("POST", "/v1/completions", ["model": model, "prompt": ["a", "b"]])
        #expect(many.status == 400)
    }

    @Test func rejectStreamQuirkMatchesTheRealBackend() async {
        var s = SimulatorSettings()
        s.speedup = nil
        s.quirks.rejectStream = true
        let q = APIHarness(settings: s)
        let r = await q.chat(["stream": false])
        #expect(r.json == ["error": "Invalid sampling parameters: Unexpected keyword argument 'stream'"])
        let c = await q.send("POST", "/v1/completions", ["model": model, "prompt": "Hi"])
        #expect(c.json == ["error": "Invalid sampling parameters: Unexpected keyword argument 'stream'"])
    }

    @Test func otherRoutes() async throws {
        let e = await h.send("POST", "/v1/embeddings", ["model": model, "input": ["a b c", "d"]])
        #expect(e.json["data"]?.arrayValue?.count == 2)
        #expect(e.json["usage"]?["query_tokens"]?.intValue == TokenEstimator.count("a b c") + 1)
        #expect(
            (await h.send("POST", "/v1/embeddings", ["model": model, "input": []])).json == [
                "error": "No inputs provided"
            ])
        let job = await h.send("POST", "/v1/fine-tuning/jobs", ["model": model])
        let id = try #require(job.json["job_id"]?.stringValue)
        let status = await h.send("GET", "/v1/fine_tuning/jobs/\(id)")
        #expect(status.json["object"] == "fine_tuning.job")
        let cancel = await h.send("POST", "/v1/fine_tuning/jobs/\(id)/cancel")
        #expect(cancel.json["status"] == "cancelled")
    }
}
