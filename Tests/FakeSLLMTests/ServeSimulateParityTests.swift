import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// The server and the in-process simulation drive the same engine driver and serving layer: the same arrivals
/// give the same batch records.
@Suite struct ServeSimulateParityTests {
    static let promptTokens = 120

    /// Distinct token ids per request, so no two prompts share a prefix block.
    static func ids(_ i: Int) -> [Int] { (0..<promptTokens).map { i * 100_000 + $0 } }

    /// Sends `count` requests at once and returns the recorded batch records and the arrival times the server
    /// stated.
    static func serve(_ h: APIHarness, count: Int, output: Int) async throws -> (
        records: [JSONValue], arrivals: [Double]
    ) {
        let started = await h.recording("start")
        #expect(started.json["status"] == "success")
        let arrivals = await withTaskGroup(of: Double?.self) { group in
            for i in 0..<count {
                group.addTask {
                    let r = await h.chat([
                        "input_tokens": .array(ids(i).map { .int($0) }), "max_tokens": .int(output),
                        "ignore_eos": true,
                    ])
                    return r.headers.first { $0.0 == "X-Fake-SLLM-Arrival-S" }.flatMap { Double($0.1) }
                }
            }
            var out: [Double] = []
            for await a in group { if let a { out.append(a) } }
            return out
        }
        let dump = await h.recording("dump")
        return (try #require(dump.json["records"]?.arrayValue), arrivals)
    }

    static func workload(count: Int, output: Int, at arrival: Double) -> Workload {
        Workload(
            requests: (0..<count).map { i in
                WorkloadRequest(
                    arrival: arrival, promptTokens: promptTokens, outputTokens: output, ignoreEOS: true,
                    prefixBlockHashes: BlockHasher.hashes(tokens: ids(i), blockSize: 16))
            })
    }

    @Test func directServerRecordsWhatSimulateRecords() async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.serving = .direct
        // A wide burst window: the whole burst shares one instant even on a loaded machine.
        s.burstWindowSeconds = 0.2
        let h = APIHarness(settings: s)
        let (records, arrivals) = try await Self.serve(h, count: 16, output: 40)
        #expect(arrivals.count == 16 && Set(arrivals).count == 1)
        let d = try #require(h.api.registry.all.first)
        let simulated = try Simulation.run(
            config: d.engineConfig, workload: Self.workload(count: 16, output: 40, at: arrivals[0]))
        #expect(records.count == simulated.steps.count)
        let same = records == simulated.recordsJSON().arrayValue
        #expect(same, "serve and simulate recorded different steps")
    }

    @Test func sllmServerRecordsWhatSimulateDeployRecords() async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.coldStart.overrideSeconds = 3
        s.burstWindowSeconds = 0.2
        let scaling: JSONValue = ["metric": "concurrency", "target": 4, "min_instances": 1, "max_instances": 1]
        let h = APIHarness(extra: ["auto_scaling_config": scaling], settings: s)
        let d = try #require(h.api.registry.all.first)
        // min_instances 1: the autoscaler's first tick (t = 0) creates the instance, the FCFS scheduler's next pass
        // (t = 0.5) grants its GPUs, and it is ready after the cold start.
        while d.readyInstance == nil { try await Task.sleep(for: .milliseconds(5)) }
        let (records, arrivals) = try await Self.serve(h, count: 12, output: 1500)
        #expect(arrivals.count == 12 && Set(arrivals) == [3.5])
        let simulated = try ServedSimulation.run(
            deploy: d.config, settings: d.settings, engineConfig: d.engineConfig,
            workload: Self.workload(count: 12, output: 1500, at: 3.5))
        #expect(records.count == simulated.steps.count)
        let same = records == simulated.recordsJSON().arrayValue
        #expect(same, "serve and simulate --deploy recorded different steps")
        // The router let at most `target` requests into the engine at once.
        let steps = h.api.registry.all.first?.readyInstance?.recorder.steps ?? []
        #expect(steps.map(\.numRequests).max() == 4)
    }
}
