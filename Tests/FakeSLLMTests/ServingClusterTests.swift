import MoECore
import Testing

@testable import FakeSLLM
@testable import SimEngine

/// ServerlessLLM's router, autoscaler and cold start on a simulated timeline, driven by hand.
@Suite struct ServingClusterTests {
    static let qwen3 = ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!

    static func cluster(
        mode: ServingMode = .sllm, target: Int = 10, min: Int = 0, max: Int = 1, keepAlive: Double = 60,
        coldStart: Double = 5, gpus: Int = 1, pool: GPUPool? = GPUPool(total: 8)
    ) throws -> ServingCluster {
        var scaling = AutoScalingConfig()
        scaling.target = target
        scaling.minInstances = min
        scaling.maxInstances = max
        scaling.keepAlive = keepAlive
        var n = 0
        return try ServingCluster(
            settings: .init(mode: mode, autoScaling: scaling, coldStartSeconds: coldStart, gpusPerInstance: gpus),
            engineConfig: EngineConfig(model: qwen3, gpu: HardwareCatalog.gpu(named: "H100")!), gpuPool: pool,
            makeInstanceID: {
                n += 1
                return "i\(n)"
            },
            makeRecorder: { BatchRecorder(gpuNum: 1, gpuRawType: "NVIDIA-H100-HBM3-80GB", duplicatePerRank: false) })
    }

    /// Runs until nothing is left, collecting every event with its simulated time.
    static func drain(_ c: ServingCluster, until limit: Double = 10_000) -> [(Double, ServingCluster.Event)] {
        var out: [(Double, ServingCluster.Event)] = []
        while let t = c.nextEventTime, t <= limit {
            for e in c.advance() { out.append((c.now, e)) }
        }
        return out
    }

    static func request(_ id: UInt64, output: Int = 400) -> EngineRequest {
        EngineRequest(id: id, promptTokens: 150, maxTokens: output, outputTokens: output)
    }

    @Test func seedConfigAdmitsAboutOneRequestASecondAndAtMostTargetAtOnce() throws {
        let c = try Self.cluster()
        for id in 0..<50 { c.arrive(Self.request(UInt64(id), output: 6000), at: 0) }
        let events = Self.drain(c, until: 100_000)
        let dispatches = events.compactMap { t, e -> Double? in if case .dispatched = e { return t } else { return nil }
        }
        #expect(dispatches.count == 50)
        // The instance cold-starts (first tick at 0, ready at 5); the load balancer dispatches at most one a second.
        #expect(dispatches[0] >= 5)
        #expect(zip(dispatches, dispatches.dropFirst()).allSatisfy { $1 - $0 >= 1 - 1e-9 })
        let steps = events.compactMap { _, e -> StepOutcome? in
            if case .step(_, let o) = e { return o } else { return nil }
        }
        #expect(steps.map(\.numRequests).max() == 10)
        let finished = events.filter {
            if case .tokens(let d) = $0.1 { return d.finished != nil } else { return false }
        }
        #expect(finished.count == 50)
    }

    @Test func directModeSendsEverythingStraightIn() throws {
        let c = try Self.cluster(mode: .direct)
        for id in 0..<50 { c.arrive(Self.request(UInt64(id)), at: 0) }
        let steps = Self.drain(c).compactMap { _, e -> StepOutcome? in
            if case .step(_, let o) = e { return o } else { return nil }
        }
        #expect(steps.map(\.numRequests).max() == 50)
        #expect(steps.first!.start < 1)
    }

    @Test func scalesUpToMaxInstancesAndBackToZeroAfterKeepAlive() throws {
        let c = try Self.cluster(target: 2, max: 3, keepAlive: 5, coldStart: 2)
        for id in 0..<12 { c.arrive(Self.request(UInt64(id), output: 3000), at: 0) }
        var peak = 0
        var stops: [Double] = []
        var lastFinish = 0.0
        while let t = c.nextEventTime, t < 10_000 {
            for e in c.advance() {
                if case .instanceStopped = e { stops.append(c.now) }
                if case .tokens(let d) = e, d.finished != nil { lastFinish = c.now }
            }
            peak = max(peak, c.liveHandles.count)
        }
        #expect(peak == 3)
        #expect(Set(c.liveHandles.map(\.id)).isEmpty)
        // Instances retire one at a time, each once the router has seen no new request for keep_alive ticks
        // (ServerlessLLM counts idle ticks from the last arrival), the last one after the last request.
        #expect(stops.count == 3)
        #expect(stops.first! >= 5)
        #expect(zip(stops, stops.dropFirst()).allSatisfy { $1 - $0 >= 5 })
        #expect(stops.last! >= lastFinish)
    }

    @Test func anInstanceThatDoesNotFitOnTheNodeWaits() throws {
        let pool = GPUPool(total: 8)
        let c = try Self.cluster(target: 1, max: 3, coldStart: 1, gpus: 4, pool: pool)
        for id in 0..<3 { c.arrive(Self.request(UInt64(id), output: 2000), at: 0) }
        var peakReady = 0
        // Bounded by simulated time (each step's tokens now come as separate delivery events, so a count of
        // events covers less time than it did).
        while let t = c.nextEventTime, t < 10 {
            _ = c.advance()
            peakReady = max(peakReady, c.readyHandles.count)
        }
        #expect(peakReady == 2)
        #expect(c.liveHandles.count == 3)
        #expect(pool.inUse == 8)
    }

    /// A host that runs late can hand the cluster an arrival after a step's end has passed: the step still ends
    /// and nothing starts in the past.
    @Test func anArrivalAfterAPendingStepEndDoesNotStallTheCluster() throws {
        let c = try Self.cluster(mode: .direct)
        c.arrive(Self.request(1, output: 20), at: 0)
        let engine = try #require(c.engine(of: c.readyHandles[0]))
        // Run until a step is in progress (started, its end not yet reached), then arrive after that end.
        while engine.stepsExecuted == 0, c.nextEventTime != nil { _ = c.advance() }
        c.arrive(Self.request(2, output: 20), at: c.now + 5)
        var finished = 0
        var iterations = 0
        while let t = c.nextEventTime, iterations < 10_000 {
            iterations += 1
            for e in c.advance() {
                if case .tokens(let d) = e, d.finished != nil { finished += 1 }
                if case .step(_, let o) = e { #expect(o.start >= 0 && o.end <= c.now + 1e-9 && t <= c.now + 1e-9) }
            }
        }
        #expect(finished == 2)
        #expect(iterations < 10_000)
    }

    @Test func arrivalHoldsGiveABurstOneInstant() {
        var hold = ArrivalHold(window: 0.005)
        let a = hold.arrival(atWall: 10.000, simNow: 4, idle: true)
        let b = hold.arrival(atWall: 10.004, simNow: 4.8, idle: false)
        let c = hold.arrival(atWall: 10.008, simNow: 5.6, idle: false)
        #expect(a == 4 && b == 4 && c == 4)
        #expect(hold.isHolding(atWall: 10.012))
        #expect(hold.release(atWall: 10.013) == 4)
        // After a step that finished two requests, their clients' next requests arrive at its end.
        hold.completions(2, atSim: 9, wall: 20, drained: false)
        #expect(hold.arrival(atWall: 20.001, simNow: 9.2, idle: false) == 9)
        #expect(hold.arrival(atWall: 20.002, simNow: 9.4, idle: false) == 9)
        #expect(!hold.isHolding(atWall: 20.002))  // both answered: the hold ends early
        #expect(hold.release(atWall: 20.002) == 9)
        // A request that reaches a busy deployment outside a hold takes the current time and starts none.
        #expect(hold.arrival(atWall: 21, simNow: 9.6, idle: false) == 9.6)
        #expect(!hold.isHolding(atWall: 21))
        // When the last requests in flight finished, the next arrivals may be a new burst: no early end.
        hold.completions(1, atSim: 12, wall: 30, drained: true)
        #expect(hold.arrival(atWall: 30.001, simNow: 12.2, idle: true) == 12)
        #expect(hold.isHolding(atWall: 30.002))
        #expect(hold.arrival(atWall: 30.004, simNow: 12.4, idle: false) == 12)
    }

    /// docs/serving.md "Reproducible arrivals", rule 3: a hold that nobody can fill any more ends at once.
    @Test func holdWithNobodyLeftToArriveEndsAtOnce() {
        var hold = ArrivalHold(window: 0.05, grace: 0.002)
        // Two requests finished; nothing is in transit and the answers were sent 3 ms ago: nobody can answer.
        hold.completions(2, atSim: 7, wall: 100, drained: false)
        #expect(hold.isHolding(atWall: 100.003))
        let ended1 = hold.endIfNobodyCanArrive(atWall: 100.003, inTransit: 0, lastEvent: 100.0)
        #expect(ended1)
        #expect(!hold.isHolding(atWall: 100.003))
        #expect(hold.release(atWall: 100.003) == 7)
        // The window would have kept it until 100.05.
        #expect(hold.deadline == nil)
    }

    @Test func holdWaitsWhileAnArrivalCanStillCome() {
        var hold = ArrivalHold(window: 0.05, grace: 0.002)
        hold.completions(2, atSim: 3, wall: 50, drained: false)
        // An answer is still being sent (in transit): the client has not even seen it.
        let ended2 = hold.endIfNobodyCanArrive(atWall: 50.010, inTransit: 1, lastEvent: 49)
        #expect(!ended2)
        // Sent 1 ms ago: the client is within its grace.
        let ended3 = hold.endIfNobodyCanArrive(atWall: 50.011, inTransit: 0, lastEvent: 50.010)
        #expect(!ended3)
        #expect(hold.quietMoment(lastEvent: 50.010) == 50.012)
        // A request line came in and the request is being received: still waiting.
        let ended4 = hold.endIfNobodyCanArrive(atWall: 50.020, inTransit: 1, lastEvent: 50.013)
        #expect(!ended4)
        #expect(hold.arrival(atWall: 50.021, simNow: 3.5, idle: false) == 3)
        // Submitted; the other client does not answer within the grace: the hold ends, the arrival kept at the
        // held instant.
        let ended5 = hold.endIfNobodyCanArrive(atWall: 50.024, inTransit: 0, lastEvent: 50.013)
        #expect(ended5)
        #expect(hold.release(atWall: 50.024) == 3)
        // No hold, nothing to end.
        let ended6 = hold.endIfNobodyCanArrive(atWall: 60, inTransit: 0, lastEvent: 0)
        #expect(!ended6)
        // A burst hold (or one after a step that drained the deployment) keeps its window: the burst's next
        // request may come from a client that has not connected yet.
        hold.completions(1, atSim: 4, wall: 70, drained: true)
        #expect(!hold.waitsForAnswers)
        let ended7 = hold.endIfNobodyCanArrive(atWall: 70.01, inTransit: 0, lastEvent: 0)
        #expect(!ended7)
        _ = hold.release(atWall: 70.05)
        #expect(hold.arrival(atWall: 80, simNow: 5, idle: true) == 5)
        let ended8 = hold.endIfNobodyCanArrive(atWall: 80.01, inTransit: 0, lastEvent: 0)
        #expect(!ended8)
    }

    @Test func graceGrowsWithSlowClientsUpToTheWindow() {
        var hold = ArrivalHold(window: 0.05, grace: 0.002)
        hold.adapt(slowestReaction: 0.0005)
        #expect(hold.currentGrace == 0.002)
        hold.adapt(slowestReaction: 0.01)
        #expect(hold.currentGrace == 0.02)
        hold.completions(1, atSim: 1, wall: 10, drained: false)
        let ended9 = hold.endIfNobodyCanArrive(atWall: 10.015, inTransit: 0, lastEvent: 10)
        #expect(!ended9)
        let ended10 = hold.endIfNobodyCanArrive(atWall: 10.021, inTransit: 0, lastEvent: 10)
        #expect(ended10)
        hold.adapt(slowestReaction: 1)
        #expect(hold.currentGrace == 0.05)
    }

    @Test func graceNeverExceedsTheWindow() {
        #expect(ArrivalHold(window: 0.001, grace: 0.002).grace == 0.001)
        #expect(ArrivalHold(window: 0.05).grace == ArrivalHold.defaultGrace)
    }
}
