import Foundation
import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// An API with one no-wait deployment, driven without sockets.
struct APIHarness {
    let api: SLLMAPI
    static let model = "Qwen/Qwen3-30B-A3B"

    init(backend: String = "vllm_moecap", extra: JSONObject = [:], settings: SimulatorSettings? = nil) {
        var s = settings ?? SimulatorSettings()
        if settings == nil { s.speedup = nil }
        api = SLLMAPI(registry: DeploymentRegistry(defaults: s))
        var config: JSONObject = [
            "model": .string(APIHarness.model), "backend": .string(backend), "num_gpus": 1,
            "backend_config": ["tensor_parallel_size": 1, "max_model_len": 4096],
            "auto_scaling_config": ["metric": "concurrency", "target": 10, "min_instances": 0, "max_instances": 1],
        ]
        for (k, v) in extra.pairs { config[k] = v }
        let r = api.handle(HTTPRequest(method: "POST", path: "/register", json: .object(config)))
        guard case .now(let resp) = r, resp.status == 200 else { fatalError("register failed") }
    }

    /// Sends a request and waits for its (possibly later) answer; streams are read to the end.
    func send(_ method: String, _ path: String, _ body: JSONValue? = nil, query: [(String, String)] = [])
        async -> HTTPResponse
    {
        var req = HTTPRequest(method: method, path: path, query: query)
        if let body { req.body = body.serializedBytes() }
        return await APIHarness.resolve(api.handle(req))
    }

    func sendRaw(_ method: String, _ path: String, body: String) async -> HTTPResponse {
        await APIHarness.resolve(api.handle(HTTPRequest(method: method, path: path, body: Array(body.utf8))))
    }

    static func resolve(_ reply: Reply) async -> HTTPResponse {
        switch reply {
        case .now(let r): return r
        case .later(let p):
            return await withCheckedContinuation { c in p.onReady { c.resume(returning: p.response!) } }
        case .stream(let s):
            var bytes: [UInt8] = []
            while true {
                let (chunk, finished) = s.drain()
                bytes += chunk
                if finished {
                    bytes += s.drain().bytes
                    break
                }
                try? await Task.sleep(nanoseconds: 1_000_000)
            }
            return HTTPResponse(status: s.status, contentType: s.contentType, body: bytes)
        }
    }

    func chat(_ extra: JSONObject = [:], content: String = "What is 2 + 2?") async -> HTTPResponse {
        var body: JSONObject = [
            "model": .string(APIHarness.model),
            "messages": [
                ["role": "system", "content": "You are a helpful assistant."],
                ["role": "user", "content": .string(content)],
            ],
        ]
        for (k, v) in extra.pairs { body[k] = v }
        return await send("POST", "/v1/chat/completions", .object(body))
    }

    func recording(_ action: String) async -> HTTPResponse {
        await send("POST", "/\(action)_batch_recording", ["model": .string(APIHarness.model)])
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The JSON body; fails the test when it is not JSON.
    var json: JSONValue {
        guard let v = jsonBody else {
            Issue.record("not JSON: \(text)")
            return .null
        }
        return v
    }
}
