import Foundation
import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// The rules of ServerlessLLM's router that follow its code to the letter (docs/serving.md): failed requests,
/// busy scale-down, missing keys, `n > 1`, recording calls at the actor, the FCFS scheduler and cold start.
@Suite struct ServingRulesTests {
    static let qwen3 = ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!

    static func config(maxModelLen: Int = 4096) -> EngineConfig {
        var c = EngineConfig(model: qwen3, gpu: HardwareCatalog.gpu(named: "H100")!)
        c.maxModelLen = maxModelLen
        return c
    }

    static func cluster(
        _ scaling: AutoScalingConfig, coldStart: Double = 5, leak: Bool = false, pool: GPUPool? = GPUPool(total: 8)
    ) throws -> ServingCluster {
        var settings = ServingCluster.Settings(
            mode: .sllm, autoScaling: scaling, coldStartSeconds: coldStart, gpusPerInstance: 1)
        settings.leakFailedRequests = leak
        var n = 0
        return try ServingCluster(
            settings: settings, engineConfig: config(), gpuPool: pool,
            makeInstanceID: {
                n += 1
                return "i\(n)"
            },
            makeRecorder: { BatchRecorder(gpuNum: 1, gpuRawType: "NVIDIA-H100-HBM3-80GB", duplicatePerRank: false) })
    }

    static func scaling(target: Int? = 2, metric: String? = "concurrency", max: Int = 1, keepAlive: Double = 0)
        -> AutoScalingConfig
    {
        var a = AutoScalingConfig()
        a.target = target
        a.metric = metric
        a.maxInstances = max
        a.keepAlive = keepAlive
        return a
    }

    static func request(_ id: UInt64, prompt: Int = 150, output: Int = 50) -> EngineRequest {
        EngineRequest(id: id, promptTokens: prompt, maxTokens: output, outputTokens: output)
    }

    /// Runs until `limit`, collecting every event with its simulated time.
    static func drain(_ c: ServingCluster, until limit: Double = 10_000) -> [(Double, ServingCluster.Event)] {
        var out: [(Double, ServingCluster.Event)] = []
        while let t = c.nextEventTime, t <= limit {
            for e in c.advance() { out.append((c.now, e)) }
        }
        return out
    }

    static func finishTime(_ id: UInt64, in events: [(Double, ServingCluster.Event)]) -> Double? {
        events.first {
            if case .tokens(let d) = $0.1 { return d.id == id && d.finished != nil } else { return false }
        }?.0
    }

    // MARK: Failed requests

    @Test func anEngineFailurePassesTheRouterAndGivesItsSlotBackByDefault() throws {
        let c = try Self.cluster(Self.scaling())
        c.arrive(Self.request(1, prompt: 5000), at: 0)
        let events = Self.drain(c)
        let failed = events.first { if case .failed(1, _, true) = $0.1 { return true } else { return false } }
        let kept = events.compactMap { e -> Bool? in
            if case .slotKeptByRealRouter(1, _, let leaked) = e.1 { return leaked } else { return nil }
        }
        // It waited for the instance and the balancer, as any request does, before vLLM refused it.
        #expect((failed?.0 ?? 0) >= 5.5)
        #expect(kept == [false])
        #expect(
            DeploymentHost.failedRequestWarning(model: "m", instance: "i1", leaked: false).contains(
                "on a real ServerlessLLM this request would keep its slot forever"))
        #expect(c.requestCount == 0)
        // Nothing holds the deployment: it scales back to zero.
        #expect(c.liveHandles.isEmpty)
    }

    @Test func theLeakQuirkKeepsFailedRequestsSlotsForGood() throws {
        // target 2: two refused prompts fill the instance for good.
        let c = try Self.cluster(Self.scaling(), leak: true)
        c.arrive(Self.request(1, prompt: 5000), at: 0)
        c.arrive(Self.request(2, prompt: 5000), at: 0)
        c.arrive(Self.request(3), at: 0)
        let events = Self.drain(c, until: 500)
        let leaked = events.compactMap { e -> Bool? in
            if case .slotKeptByRealRouter(_, _, let leaked) = e.1 { return leaked } else { return nil }
        }
        #expect(leaked == [true, true])
        let dispatched3 = events.contains { if case .dispatched(3) = $0.1 { return true } else { return false } }
        #expect(!dispatched3, "a full instance never takes the next request")
        #expect(c.requestCount == 3)
        #expect(c.liveHandles.count == 1, "the deployment never scales to zero")
    }

    // MARK: Scale-down

    @Test func scaleDownStopsTheNewestReadyInstanceEvenWhenBusy() throws {
        let c = try Self.cluster(Self.scaling(target: 1, max: 2))
        c.arrive(Self.request(1, output: 20), at: 0)
        c.arrive(Self.request(2, output: 3000), at: 0)
        let events = Self.drain(c)
        let ready = events.compactMap { e -> (Double, String)? in
            if case .instanceReady(let h) = e.1 { return (e.0, h.id) } else { return nil }
        }
        // The FCFS scheduler grants GPUs half a second after each tick (0, 1): ready 5 s later.
        #expect(ready.map(\.0) == [5.5, 6.5])
        let draining = events.compactMap { e -> (Double, String)? in
            if case .instanceDraining(let h) = e.1 { return (e.0, h.id) } else { return nil }
        }
        let stopped = events.compactMap { e -> (Double, String)? in
            if case .instanceStopped(let h) = e.1 { return (e.0, h.id) } else { return nil }
        }
        let done1 = try #require(Self.finishTime(1, in: events))
        let done2 = try #require(Self.finishTime(2, in: events))
        // Request 1 ends first; the autoscaler then pops the newest ready instance (i2), busy with request 2.
        #expect(draining.count == 1 && draining[0].1 == "i2")
        #expect(draining[0].0 > done1 && draining[0].0 < done2)
        // It finishes request 2, then its stop call's one-second poll finds it empty and the GPUs go back.
        let i2Stop = try #require(stopped.first { $0.1 == "i2" })
        #expect(i2Stop.0 >= done2 && i2Stop.0 < done2 + 1 + 1e-9)
    }

    @Test func withNoInstanceReadyTheAutoscalerWaitsToStopOne() throws {
        var a = Self.scaling(target: 1, max: 1)
        a.minInstances = 1
        let c = try Self.cluster(a)
        _ = Self.drain(c, until: 1)  // tick 0 created the instance; it loads until 5.5
        a.minInstances = 0
        c.update(autoScaling: a)  // desired 0 < 1: `_stop_instance` waits for a ready instance
        let events = Self.drain(c)
        let ready = events.compactMap { e -> Double? in if case .instanceReady = e.1 { return e.0 } else { return nil }
        }
        let stopped = events.compactMap { e -> Double? in
            if case .instanceStopped = e.1 { return e.0 } else { return nil }
        }
        // The loading instance is not stopped; once ready, the autoscaler's next poll (t = 6) stops it.
        #expect(ready == [5.5])
        #expect(stopped == [6])
    }

    // MARK: Missing keys

    @Test func missingKeysTakeTheRealDefaults() throws {
        let empty = try AutoScalingConfig(json: .object([:]))
        #expect(empty.perInstanceCap == 1 && empty.scalingTarget == 2 && empty.present)
        let metricOnly = try AutoScalingConfig(json: ["metric": "concurrency"])
        #expect(metricOnly.perInstanceCap == 1 && metricOnly.scalingTarget == 2)
        let targetOnly = try AutoScalingConfig(json: ["target": 5])
        #expect(targetOnly.perInstanceCap == 1 && targetOnly.scalingTarget == 5)
        let none = try AutoScalingConfig(json: nil)
        #expect(!none.present && none.missingKeys == ["auto_scaling_config"])
        #expect(metricOnly.missingKeys == ["target"])

        // `{}`: one request per instance, two instances for three requests.
        var a = empty
        a.maxInstances = 10
        let c = try Self.cluster(a)
        for id in 1...3 { c.arrive(Self.request(UInt64(id), output: 2000), at: 0) }
        let events = Self.drain(c)
        let steps = events.compactMap { e -> StepOutcome? in
            if case .step(_, let o) = e.1 { return o } else { return nil }
        }
        #expect(steps.map(\.numRequests).max() == 1)
        let created = events.filter { if case .instanceReady = $0.1 { return true } else { return false } }
        #expect(created.count == 2)
    }

    @Test func withoutAutoScalingConfigTheHangQuirkNeverStartsAnInstance() async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.coldStart.overrideSeconds = 1
        try s.quirks.set("no_autoscaling_config_hang", true)
        let h = APIHarness(extra: ["auto_scaling_config": .null], settings: s)
        let d = try #require(h.api.registry.all.first)
        let warning = try #require(Deployment.missingKeysWarning(d.config))
        #expect(warning.contains("never creates an instance"))
        let reply = h.api.handle(
            HTTPRequest(
                method: "POST", path: "/v1/chat/completions",
                json: ["model": .string(APIHarness.model), "messages": [["role": "user", "content": "hi"]]]))
        try await Task.sleep(for: .milliseconds(200))
        #expect(d.host.liveInstances.isEmpty)
        #expect(d.host.inFlight == 1)
        if case .later(let p) = reply { #expect(p.response == nil) }
        d.shutdownAndWait()

        // Without the quirk the router's defaults serve it.
        var plain = SimulatorSettings()
        plain.speedup = nil
        plain.coldStart.overrideSeconds = 1
        let h2 = APIHarness(extra: ["auto_scaling_config": .null], settings: plain)
        let answer = await h2.chat(["max_tokens": 5])
        #expect(answer.status == 200)
    }

    // MARK: n > 1, the cap, the actor

    @Test func nGreaterThanOneIsOneRouterRequestAndOneSlot() throws {
        // Cap 1: three choices of one request enter together; three separate requests one by one.
        let grouped = try Self.cluster(Self.scaling(target: 1))
        grouped.arrive(group: (1...3).map { Self.request(UInt64($0), output: 200) }, at: 0)
        #expect(grouped.requestCount == 1)
        let g = Self.drain(grouped)
        let gDispatch = g.compactMap { e -> Double? in if case .dispatched = e.1 { return e.0 } else { return nil } }
        #expect(gDispatch.count == 3 && Set(gDispatch).count == 1)
        let maxInStep = g.compactMap { e -> Int? in
            if case .step(_, let o) = e.1 { return o.numRequests } else { return nil }
        }
        #expect(maxInStep.max() == 3)

        let separate = try Self.cluster(Self.scaling(target: 1))
        for id in 1...3 { separate.arrive(Self.request(UInt64(id), output: 200), at: 0) }
        let s = Self.drain(separate)
        let sDispatch = s.compactMap { e -> Double? in if case .dispatched = e.1 { return e.0 } else { return nil } }
        #expect(Set(sDispatch).count == 3)
    }

    @Test func aChatRequestWithNChoicesTakesOneSlot() async throws {
        var s = SimulatorSettings()
        s.speedup = nil
        s.coldStart.overrideSeconds = 1
        let scaling: JSONValue = ["metric": "concurrency", "target": 1, "min_instances": 1, "max_instances": 1]
        let h = APIHarness(extra: ["auto_scaling_config": scaling], settings: s)
        let d = try #require(h.api.registry.all.first)
        while d.readyInstance == nil { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await h.recording("start").status == 200)
        let r = await h.chat(["n": 3, "max_tokens": 20, "ignore_eos": true, "temperature": 0.7])
        #expect(r.status == 200)
        #expect(r.json["choices"]?.arrayValue?.count == 3)
        // Cap 1, yet the three sequences ran together: one router request.
        let steps = try #require(d.readyInstance).recorder.steps
        #expect(steps.map(\.numRequests).max() == 3)
        d.shutdownAndWait()
    }

    @Test func anInstancesCapIsFixedWhenItIsCreated() throws {
        let c = try Self.cluster(Self.scaling(target: 4))
        c.arrive(Self.request(1, output: 4000), at: 0)
        _ = Self.drain(c, until: 6)  // the instance exists (cap 4)
        c.update(autoScaling: Self.scaling(target: 1))
        for id in 2...4 { c.arrive(Self.request(UInt64(id), output: 4000), at: c.now) }
        let events = Self.drain(c, until: 40)
        let steps = events.compactMap { e -> Int? in
            if case .step(_, let o) = e.1 { return o.numRequests } else { return nil }
        }
        #expect(steps.max() == 4)
    }

    @Test func recordingCallsQueueBehindTheActorsGenerations() throws {
        let c = try Self.cluster(Self.scaling(target: 20))
        for id in 1...12 { c.arrive(Self.request(UInt64(id), output: 3000 + id * 50), at: 0) }
        // All twelve are allocated by t ≈ 18 (one a second from 6.5): ten run, two wait at the actor.
        var events = Self.drain(c, until: 20)
        let handle = try #require(c.readyHandles.first)
        let token = try #require(c.control(on: handle, at: c.now))
        #expect(c.takeControlsRan().isEmpty, "ten generations hold every slot")
        var finishes = 0
        var ranAfter: Int?
        while let t = c.nextEventTime, t < 10_000, ranAfter == nil {
            for e in c.advance() {
                events.append((c.now, e))
                if case .tokens(let d) = e, d.finished != nil { finishes += 1 }
            }
            if c.takeControlsRan().contains(token) { ranAfter = finishes }
        }
        // FIFO: the two queued generations take the first two free slots, the call the third.
        #expect(ranAfter == 3)

        // With a free slot it runs at once.
        let idle = try Self.cluster(Self.scaling(target: 20))
        idle.arrive(Self.request(1, output: 3000), at: 0)
        _ = Self.drain(idle, until: 7)
        let h = try #require(idle.readyHandles.first)
        let t = try #require(idle.control(on: h, at: idle.now))
        #expect(idle.takeControlsRan() == [t])
    }

    // MARK: Client hang-ups

    @Test func aHungUpRequestRunsToItsEndAndIsRecorded() async throws {
        var s = SimulatorSettings()
        s.speedup = 20
        s.coldStart.overrideSeconds = 1
        let scaling: JSONValue = ["metric": "concurrency", "target": 4, "min_instances": 1, "max_instances": 1]
        let h = APIHarness(extra: ["auto_scaling_config": scaling], settings: s)
        let d = try #require(h.api.registry.all.first)
        while d.readyInstance == nil { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await h.recording("start").status == 200)
        let reply = h.api.handle(
            HTTPRequest(
                method: "POST", path: "/v1/chat/completions",
                json: [
                    "model": .string(APIHarness.model), "messages": [["role": "user", "content": "hi"]],
                    "max_tokens": 200, "ignore_eos": true,
                ]))
        guard case .later(let pending) = reply else {
            Issue.record("expected a later answer")
            return
        }
        pending.cancel()  // the client hangs up at once
        #expect(pending.response == nil)
        // The host takes it in (and keeps it: nothing aborts it), then it runs to its end.
        var deadline = Date().addingTimeInterval(10)
        while d.host.inFlight == 0, d.readyInstance?.forwardPassCount == 0, Date() < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        deadline = Date().addingTimeInterval(20)
        while d.host.inFlight > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(d.host.inFlight == 0)
        let steps = try #require(d.readyInstance).recorder.steps
        // Its prefill and 199 decode steps were recorded.
        #expect(steps.count >= 200)
        d.shutdownAndWait()
    }

    // MARK: Cold start

    @Test func coldStartIsASumOfNamedTermsAndTheTierFollowsTheNode() {
        let config = EngineConfig(model: Self.qwen3, gpu: HardwareCatalog.gpu(named: "H100")!)
        let model = ColdStartModel()
        let bytes = ColdStartModel.checkpointBytes(config)
        #expect(bytes > 55e9 && bytes < 65e9)  // ~30.5B parameters in bf16
        let nvme = model.breakdown(for: config, tier: .nvme)
        #expect(abs(nvme.checkpointLoad - bytes / 21e9) < 1e-9)
        #expect(nvme.processStart == 10 && nvme.distributedInit == 0)
        #expect(abs(nvme.torchCompile - (4 + 0.135 * 48)) < 1e-9)
        #expect(abs(nvme.graphCapture - 0.09 * 48) < 1e-9)
        let total =
            nvme.processStart + nvme.checkpointLoad + nvme.torchCompile + nvme.kvProfiling + nvme.graphCapture
        #expect(abs(nvme.total - total) < 1e-9)
        let host = model.breakdown(for: config, tier: .hostMemory)
        #expect(abs(host.checkpointLoad - bytes / 54e9) < 1e-9)
        var eager = config
        eager.enforceEager = true
        let e = model.breakdown(for: eager, tier: .nvme)
        #expect(e.torchCompile == 0 && e.graphCapture == 0)
        var tp = config
        tp.tensorParallelSize = 4
        #expect(model.breakdown(for: tp, tier: .nvme).distributedInit == 2)

        // The node remembers: the first start reads NVMe, later ones the host-memory pool.
        let node = GPUPool(total: 8)
        let first = model.start(config, model: "m", on: node)
        let second = model.start(config, model: "m", on: node)
        #expect(abs(first - nvme.total) < 1e-9 && abs(second - host.total) < 1e-9)
        #expect(abs(model.start(config, model: "other", on: node) - nvme.total) < 1e-9)
        // Without a warm compile cache the first start compiles from scratch.
        var cold = model
        cold.compileCacheWarm = false
        let fresh = GPUPool(total: 8)
        let c1 = cold.start(config, model: "m", on: fresh)
        #expect(abs(c1 - (nvme.total + 2 * nvme.torchCompile)) < 1e-9)
        // --engine-startup replaces every term but the load; --cold-start the whole sum.
        var fixedEngine = model
        fixedEngine.engineStartupOverride = 4
        #expect(abs(fixedEngine.seconds(for: config) - (bytes / 21e9 + 4)) < 1e-9)
        #expect(ColdStartModel.fixed(3).start(config, model: "m", on: node) == 3)
    }

    /// The public loader figures of docs/serving.md's table, against the simulated load term.
    @Test(arguments: [
        (65.5e9, ColdStartModel.Tier.nvme, 3.216, 0.05),  // Qwen3-32B, random (NVMe)
        (65.5e9, .hostMemory, 1.253, 0.05),  // Qwen3-32B, cached (host memory)
        (65.5e9, .nvme, 3.220, 0.05),  // DeepSeek-R1-Distill-Qwen-32B, random
        (65.5e9, .hostMemory, 1.184, 0.05),  // DeepSeek-R1-Distill-Qwen-32B, cached
        (16.06e9, .nvme, 0.678, 0.15),  // Llama-3.1-8B, random
    ])
    func loaderFiguresHold(bytes: Double, tier: ColdStartModel.Tier, measured: Double, tolerance: Double) {
        let m = ColdStartModel()
        let simulated = bytes / (tier == .nvme ? m.storageBandwidth : m.hostMemoryBandwidth)
        #expect(abs(simulated - measured) / measured < tolerance)
    }
}
