import Evaluator
import Foundation
import MoECore

@testable import EvaluatorClient

/// An ``HTTPTransport`` test double: `answer` builds each response (or throws), no sockets. Counts requests per
/// path and the peak in flight.
final class FakeTransport: HTTPTransport {
    typealias Answer = @Sendable (HTTPRequest) async throws(HTTPClientError) -> HTTPResponse

    private let answer: Answer
    private let state = Locked((paths: [String](), inFlight: 0, peak: 0))

    init(_ answer: @escaping Answer) { self.answer = answer }

    /// The paths requested so far, in order (without query strings).
    var paths: [String] { state.withLock { $0.paths } }
    var peakInFlight: Int { state.withLock { $0.peak } }

    func send(
        _ request: HTTPRequest, onEvent: (@Sendable (SSEEvent, ContinuousClock.Instant) -> Void)?
    ) async throws(HTTPClientError) -> HTTPResponse {
        let path = FakeTransport.path(of: request.url)
        state.withLock {
            $0.paths.append(path)
            $0.inFlight += 1
            $0.peak = max($0.peak, $0.inFlight)
        }
        defer { state.withLock { $0.inFlight -= 1 } }
        if Task.isCancelled { throw HTTPClientError(kind: .cancelled, message: "cancelled", url: request.url) }
        return try await answer(request)
    }

    static func path(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let path = rest.drop { $0 != "/" }
        return String(path.prefix { $0 != "?" })
    }

    /// A response with `body` (JSON text) and `headers`.
    static func response(
        _ status: Int, _ body: String, headers: HTTPHeaders = ["Content-Type": "application/json"]
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8), startTime: .now, endTime: .now)
    }

    /// An SSE response whose events are the given blocks (each the text before the blank line).
    static func sse(_ blocks: [String], headers: HTTPHeaders = [:]) -> HTTPResponse {
        var h = headers
        h.add(name: "Content-Type", value: "text/event-stream")
        var parser = SSEParser()
        let text = blocks.map { $0 + "\n\n" }.joined()
        let events = parser.feed(Array(text.utf8)).map { TimedSSEEvent(event: $0, time: .now) }
        return HTTPResponse(
            status: 200, headers: h, body: Array(text.utf8), events: events, startTime: .now, endTime: .now)
    }
}

/// A scripted ServerlessLLM (`vllm_moecap` backend) for ``FakeTransport``: recording routes with the real
/// bodies, and a chat route given by `chat`.
struct ScriptedSLLM: Sendable {
    var model = "Qwen/Qwen3-30B-A3B"
    /// The answer to each chat request (warm-up included).
    var chat: @Sendable (JSONValue) async throws(HTTPClientError) -> HTTPResponse = { _ in
        ScriptedSLLM.completion("The answer is #### 42")
    }
    /// The records the dump returns.
    var records: [JSONValue] = [
        [
            "batch_size": 64, "latency": 0.02, "seq_lens_sum": 64, "forward_mode": "prefill", "expert_activation": 60.0,
            "forward_pass_id": 3, "gpu_num": 1, "gpu_raw_type": "NVIDIA-H100-HBM3-80GB",
        ],
        [
            "batch_size": 2, "latency": 0.008, "seq_lens_sum": 2, "forward_mode": "decode", "expert_activation": 14.0,
            "forward_pass_id": 4, "gpu_num": 1, "gpu_raw_type": "NVIDIA-H100-HBM3-80GB",
        ],
    ]
    /// The `worker_data` of the expert dump.
    var workerData: [JSONValue] = [
        [
            "rank": 0, "num_layers": 2, "num_experts": 4, "num_physical_experts": 4, "total_forward_passes": 10,
            "avg_activated_per_layer": [3.0, 4.0], "avg_expert_utilization": 0.875, "total_tokens_processed": 120,
            "recording_mode": "per_pass",
        ]
    ]

    func transport() -> FakeTransport {
        let me = self
        return FakeTransport { request throws(HTTPClientError) in try await me.answer(request) }
    }

    func answer(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        let path = FakeTransport.path(of: request.url)
        if path == "/v1/chat/completions" { return try await chat((try? JSONValue.parse(request.body ?? [])) ?? .null) }
        return control(path)
    }

    /// The answer of a recording route (404 for any other path).
    func control(_ path: String) -> HTTPResponse {
        let ok = #"{"status":"success","instance_id":"i-1"}"#
        switch path {
        case "/start_batch_recording", "/stop_batch_recording", "/clear_batch_recording",
            "/start_expert_distribution", "/stop_expert_distribution", "/clear_expert_distribution":
            return FakeTransport.response(200, ok)
        case "/batch_recording_status", "/expert_distribution_status":
            return FakeTransport.response(
                200, #"{"model":"m","instance_id":"i-1","is_recording":true,"total_records":0}"#)
        case "/dump_batch_recording":
            let dump: JSONValue = [
                "status": "success", "model": .string(model), "instance_id": "i-1", "records": .array(records),
                "total_records": .int(records.count),
            ]
            return FakeTransport.response(200, dump.serialized())
        case "/dump_expert_distribution":
            let dump: JSONValue = [
                "status": "success", "model": .string(model), "instance_id": "i-1", "worker_data": .array(workerData),
                "local_records": [], "total_local_records": 0,
            ]
            return FakeTransport.response(200, dump.serialized())
        default:
            return FakeTransport.response(404, #"{"detail":"Not Found"}"#)
        }
    }

    /// A `chat.completion` answer with `text`, optionally with simulated timing headers.
    static func completion(
        _ text: String, completionTokens: Int = 5, timing: (arrival: Double, first: Double, finish: Double)? = nil
    ) -> HTTPResponse {
        let body: JSONValue = [
            "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "m",
            "choices": [
                ["index": 0, "message": ["role": "assistant", "content": .string(text)], "finish_reason": "stop"]
            ],
            "usage": ["prompt_tokens": 10, "completion_tokens": .int(completionTokens), "total_tokens": 15],
        ]
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let t = timing {
            headers.add(name: "X-Fake-SLLM-Arrival-S", value: "\(t.arrival)")
            headers.add(name: "X-Fake-SLLM-First-Token-S", value: "\(t.first)")
            headers.add(name: "X-Fake-SLLM-Finish-S", value: "\(t.finish)")
        }
        return FakeTransport.response(200, body.serialized(), headers: headers)
    }
}

/// A GSM8K-shaped dataset of `n` items whose answers are all 42.
func sampleDataset(_ n: Int) throws -> Dataset {
    let rows = (0..<n).map { i -> JSONValue in ["question": .string("What is 6*7? (\(i))"), "answer": "#### 42"] }
    return try Dataset(kind: .gsm8k, rows: DatasetRows(origin: "test", values: rows))
}

/// An evaluation config writing to a fresh temporary directory.
func testConfig(_ out: String) -> EvaluationConfig {
    var c = EvaluationConfig(model: "Qwen/Qwen3-30B-A3B", dataset: .gsm8k)
    c.outputDir = out
    c.quiet = true
    c.retries = 0
    c.groundTruth = false
    c.serverURL = "http://sllm.test"
    return c
}
