import Foundation
import Glibc
import MoECore
import SimEngine
import Synchronization
import Testing

@testable import FakeSLLM

/// Issue 13's server defects that live above the HTTP layer: request size bounds, files named over HTTP,
/// recording memory and the dump body, engine-thread lifetime.
@Suite struct ReliabilityTests {
    @Test(arguments: [
        (["n": 100_000] as JSONObject, "n must be at most 128"),
        (["n": 2, "best_of": 1] as JSONObject, "best_of must be greater than or equal to n"),
        (["best_of": 1_000] as JSONObject, "best_of must be at most 128"),
        (["n": 128, "max_tokens": 1_000_000] as JSONObject, "n × max_tokens must be at most"),
        (["logprobs": 21] as JSONObject, "greater than max allowed: 20"),
        (["stop": .array((0..<65).map { .string("s\($0)") })] as JSONObject, "stop must have at most 64"),
        (["stop": .string(String(repeating: "x", count: 2_000))] as JSONObject, "at most 1024 bytes"),
        (
            ["logit_bias": .object(JSONObject((0..<5_000).map { ("\($0)", JSONValue.int(1)) }))] as JSONObject,
            "logit_bias must have at most 4096"
        ),
        (["logit_bias": ["abc": 1]] as JSONObject, "logit_bias must map token ids to numbers"),
        (["stop_token_ids": .array((0..<5_000).map { .int($0) })] as JSONObject, "stop_token_ids must have at most"),
    ])
    func oversizedRequestsAreRefused(extra: JSONObject, message: String) async throws {
        let h = APIHarness()
        let r = await h.chat(extra)
        #expect(r.status == 200)
        let error = try #require(r.json["error"]?.stringValue)
        #expect(error.hasPrefix("Invalid sampling parameters: "))
        #expect(error.contains(message), "\(error)")
    }

    @Test func boundsLeaveOrdinaryRequestsAlone() async throws {
        let h = APIHarness()
        let r = await h.chat(["n": 4, "best_of": 4, "max_tokens": 8, "stop": ["\n\n"], "logit_bias": ["42": -100]])
        #expect(r.status == 200)
        #expect(r.json["choices"]?.arrayValue?.count == 4)
    }

    /// The dump is written piece by piece, byte-identical to the whole-body JSON.
    @Test func streamedDumpIsByteIdenticalToTheWholeBody() async throws {
        let h = APIHarness()
        _ = await h.chat(["max_tokens": 4])  // warm-up cold-starts the instance
        _ = await h.recording("start")
        for _ in 0..<3 { _ = await h.chat(["max_tokens": 900, "ignore_eos": true]) }
        _ = await h.recording("stop")
        let d = try #require(h.api.registry.all.first)
        let instance = try #require(d.readyInstance)
        #expect(instance.recorder.steps.count > RecordingDump.stepsPerPiece)
        let dump = await h.recording("dump")
        let records = instance.recorder.records()
        let whole: JSONValue = .object(
            JSONObject([
                ("status", "success"), ("model", .string(d.name)), ("instance_id", .string(instance.id)),
                ("records", .array(records)), ("total_records", .int(records.count)),
            ]))
        #expect(dump.body == whole.serializedBytes(compact: true))
        #expect(dump.contentType == "application/json")
    }

    /// Past its limit a recording keeps the first steps and says how many it dropped.
    @Test func recordingPastItsLimitKeepsTheFirstStepsAndSaysSo() async throws {
        let h = APIHarness()
        _ = await h.chat(["max_tokens": 4])  // warm-up cold-starts the instance
        let recorder = try #require(h.api.registry.all.first?.readyInstance).recorder
        recorder.limit = 5
        _ = await h.recording("start")
        _ = await h.chat(["max_tokens": 20, "ignore_eos": true])
        _ = await h.recording("stop")
        let status = await h.send(
            "GET", "/batch_recording_status", query: [("model", .init(APIHarness.model))])
        #expect(status.json["total_records"] == 5)
        #expect((status.json["records_dropped"]?.intValue ?? 0) > 0)
        let dump = await h.recording("dump")
        #expect(dump.json["records"]?.arrayValue?.count == 5)
        #expect((dump.json["records_dropped"]?.intValue ?? 0) > 0)
        _ = await h.recording("clear")
        let cleared = await h.send("GET", "/batch_recording_status", query: [("model", .init(APIHarness.model))])
        #expect(cleared.json["records_dropped"] == nil)
    }

    /// Over HTTP, a deploy config may name files only under the operator's directory; errors never show content.
    @Test func filePathsOverHTTPNeedAnAllowedDirectory() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)")
        let allowed = dir.appendingPathComponent("allowed")
        try FileManager.default.createDirectory(at: allowed, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = dir.appendingPathComponent("secret.json")
        try Data(#"{"secret-content": 1}"#.utf8).write(to: secret)
        let counts = allowed.appendingPathComponent("counts.json")
        try Data("[[1,2,3]]".utf8).write(to: counts)
        try FileManager.default.createSymbolicLink(
            at: allowed.appendingPathComponent("link.json"), withDestinationURL: secret)

        func register(_ api: SLLMAPI, _ fake: JSONObject, model: String = "m/\(UUID().uuidString)") -> HTTPResponse {
            let body: JSONValue = [
                "model": .string(model), "backend": "vllm_moecap", "fake_sllm": .object(fake),
            ]
            guard case .now(let r) = api.handle(HTTPRequest(method: "POST", path: "/register", json: body)) else {
                return .detail("not immediate", status: 0)
            }
            return r
        }
        var s = SimulatorSettings()
        s.speedup = nil
        let closed = SLLMAPI(registry: DeploymentRegistry(defaults: s))
        let refused = register(closed, ["model_config": .string(secret.path)])
        #expect(refused.status == 403)
        #expect(refused.text.contains("--allow-config-dir"))
        #expect(register(closed, ["routing": .string("file:" + counts.path)]).status == 403)
        #expect(register(closed, ["oracle": ["dataset_file": .string(counts.path)]]).status == 403)
        #expect(register(closed, [:], model: secret.path).status == 403)

        var open = SLLMAPI(registry: DeploymentRegistry(defaults: s))
        open.configFiles = try ConfigFilePolicy(allowing: allowed.path)
        for path in [secret.path, allowed.path + "/../secret.json", allowed.path + "/link.json", "/etc/passwd"] {
            let r = register(open, ["model_config": .string(path)])
            #expect(r.status == 403, "\(path)")
            #expect(!r.text.contains("secret-content"))
        }
        #expect(register(open, ["routing": ["counts_file": .string(allowed.path + "/missing.json")]]).status == 403)
        // Allowed: passes the policy (the counts file does not fit the model, which the controller reports).
        let inside = register(open, ["routing": .string("file:" + counts.path)])
        #expect(inside.status != 403)
        #expect(throws: SettingsError.self) { try ConfigFilePolicy(allowing: secret.path) }
    }

    /// Files are read once, into the array, whole.
    @Test func readFileBytesReadsWholeFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bytes-\(UUID().uuidString)")
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(readFileBytes(url.path) == bytes)
        #expect(readFileBytes(url.path + ".missing") == nil)
        #expect(readFileBytes(FileManager.default.temporaryDirectory.path) == nil)
    }

    /// A registry dropped without shutdownAll stops its engine threads.
    @Test func droppedRegistryStopsItsEngines() async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.serving = .direct
        var registry: DeploymentRegistry? = DeploymentRegistry(defaults: s)
        _ = try registry!.register(
            DeployConfig(json: ["model": "Qwen/Qwen3-30B-A3B", "backend": "vllm_moecap"]))
        let deployment = try #require(registry!.all.first)
        let probe = EngineRequest(id: 1, promptTokens: 8, maxTokens: 1, outputTokens: 1)
        #expect(deployment.host.submit(probe, sink: ProbeSink(), orderKey: 1) != nil)
        registry = nil
        let after = EngineRequest(id: 2, promptTokens: 8, maxTokens: 1, outputTokens: 1)
        #expect(
            deployment.host.submit(after, sink: ProbeSink(), orderKey: 2) == nil,
            "the engine thread of a dropped registry still runs")
    }
}

/// A sink that ignores what it hears.
private final class ProbeSink: RequestSink {
    func deliver(newTokens: Int, finished: FinishReason?, simTime: Double) {}
    func fail(_ message: String, engineError: Bool) {}
}

/// A hang-up must not leave the waiting connection reachable from its reply (the memory creep per disconnected
/// stream of issue 13).
@Suite struct ReplyCycleTests {
    private final class Waiter: Sendable {}

    @Test func cancellingAStreamReleasesItsWaker() {
        let stream = EventStream()
        weak var weakWaiter: Waiter?
        do {
            let waiter = Waiter()
            weakWaiter = waiter
            var buf = [UInt8](repeating: 0, count: 16)
            let r = buf.withUnsafeMutableBytes { stream.read(into: $0, waker: { _ = waiter }) }
            #expect(r == .wouldBlock)
        }
        #expect(weakWaiter != nil, "the waker holds the waiter while the stream waits")
        stream.cancel()
        #expect(weakWaiter == nil)
    }

    @Test func cancellingAPendingResponseReleasesItsWaker() {
        let pending = PendingResponse()
        weak var weakWaiter: Waiter?
        do {
            let waiter = Waiter()
            weakWaiter = waiter
            pending.onReady { _ = waiter }
        }
        #expect(weakWaiter != nil)
        pending.cancel()
        #expect(weakWaiter == nil)
    }
}
