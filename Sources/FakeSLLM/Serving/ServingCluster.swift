import MoECore
import SimEngine

/// One deployment's serving path on one simulated timeline (docs/serving.md).
///
/// In ``ServingMode/sllm`` it is ServerlessLLM's round-robin router in front of instances: requests wait in a
/// FIFO queue; the load balancer takes one, sleeps 1 s, then allocates it to the next ready instance round-robin
/// if that instance holds fewer than its cap (`target` for metric `concurrency`, else 1), else sleeps 1 s more
/// and another 1 s before it looks again; each instance's Ray actor runs at most 10 requests at once (the rest
/// queue at the actor); every second the autoscaler wants `clamp(ceil(requests / target), min, max)` instances,
/// creates one per tick when short, and stops an idle one once the router has been idle for `keep_alive` ticks.
/// A new instance waits for the node's GPUs, then cold-starts. In ``ServingMode/direct`` every request goes
/// straight into one always-ready engine.
///
/// Event-driven and pure apart from the shared ``GPUPool``: the owner feeds arrivals with their simulated times
/// (``arrive(_:at:)``), asks ``nextEventTime`` and calls ``advance()``, which handles every event due at that
/// moment in a fixed order (step ends, instances ready, the load balancer, the autoscaler, engine steps), so the
/// same arrivals give the same events. `simulate --deploy` runs it on a virtual clock, the server paced.
///
/// Threading: not `Sendable`; one thread at a time.
final class ServingCluster {
    /// What happened, in the order it happened, during one ``advance()``.
    enum Event {
        /// A step of `instance` ended (record it).
        case step(InstanceHandle, StepOutcome)
        /// Tokens for a request (or its end) at ``ServingCluster/now``.
        case tokens(id: UInt64, newTokens: Int, finished: FinishReason?)
        /// The router handed a request to an instance (sllm mode; in direct mode arrival is dispatch).
        case dispatched(id: UInt64)
        /// A request entered an engine.
        case started(id: UInt64)
        /// A request could not run: the engine refused it (vLLM's error) or the router dropped it.
        case failed(id: UInt64, message: String, engineError: Bool)
        case instanceReady(InstanceHandle)
        case instanceStopped(InstanceHandle)
    }

    struct Settings {
        var mode: ServingMode
        var autoScaling: AutoScalingConfig
        /// Seconds from GPUs granted to ready.
        var coldStartSeconds: Double
        /// GPUs one instance holds (`num_gpus`).
        var gpusPerInstance: Int
        /// Requests one Ray actor runs at once (`max_concurrency=10` of the backend actor).
        var actorConcurrency = 10
    }

    private(set) var settings: Settings
    private let engineConfig: EngineConfig
    private let gpuPool: GPUPool?
    private let makeInstanceID: () -> String
    private let makeRecorder: () -> BatchRecorder

    /// The simulated time of the last event handled.
    private(set) var now: Double
    private var events: [Event] = []
    /// Live instances in creation order; `ready` is ServerlessLLM's `ready_instances` in the order they became
    /// ready.
    private var instances: [ClusterInstance] = []
    private var ready: [ClusterInstance] = []
    private var requests: [UInt64: (request: EngineRequest, instance: ClusterInstance?)] = [:]

    // The router (sllm mode).
    private var queue = FIFO<UInt64>()
    /// The request the load balancer holds and when it wakes up to place it.
    private var balancer: (request: UInt64, wakeAt: Double)?
    private var roundRobin = 0
    /// The router's `request_count`: requests received and not yet answered.
    private var requestCount = 0
    /// The autoscaler's `idle_time` (ticks).
    private var idleTicks = 0.0
    /// The autoscaler's tick grid starts at the router's start.
    private let tickOrigin: Double
    private var lastTick: Double

    init(
        settings: Settings, engineConfig: EngineConfig, gpuPool: GPUPool?, startTime: Double = 0,
        makeInstanceID: @escaping () -> String, makeRecorder: @escaping () -> BatchRecorder
    ) throws {
        self.settings = settings
        self.engineConfig = engineConfig
        self.gpuPool = gpuPool
        self.makeInstanceID = makeInstanceID
        self.makeRecorder = makeRecorder
        now = startTime
        tickOrigin = startTime
        lastTick = startTime - 1
        if settings.mode == .direct {
            let i = try makeInstance(phase: .ready)
            ready.append(i)
            i.handle.markReady()
        }
    }

    // MARK: Inputs

    /// A request sent at simulated time `time` (≥ ``now``).
    func arrive(_ request: EngineRequest, at time: Double) {
        now = max(now, time)
        requests[request.id] = (request, nil)
        switch settings.mode {
        case .direct:
            let i = ready[0]
            requests[request.id]?.instance = i
            i.allocated += 1
            i.inEngine += 1
            i.driver.submit(request, at: time)
        case .sllm:
            requestCount += 1
            idleTicks = 0
            queue.append(request.id)
            if balancer == nil { takeNextForBalancer(at: time) }
        }
    }

    /// Drops a request (client gone), wherever it is; no event is produced for it.
    func abort(_ id: UInt64) {
        guard let entry = requests.removeValue(forKey: id) else { return }
        if settings.mode == .sllm { requestCount -= 1 }
        guard let instance = entry.instance else {
            queue.remove { $0 == id }
            if balancer?.request == id {
                let wake = balancer!.wakeAt
                balancer = queue.popFirst().map { (request: $0, wakeAt: wake) }
            }
            return
        }
        if let i = instance.actorQueue.firstIndex(of: id) {
            instance.actorQueue.remove(at: i)
        } else {
            instance.driver.abort(id: id)
            instance.inEngine -= 1
            admitFromActorQueue(instance)
        }
        instance.allocated -= 1
    }

    /// `POST /update`: the new autoscaling settings apply from the next tick.
    func update(autoScaling: AutoScalingConfig) { settings.autoScaling = autoScaling }

    /// Requests received and not yet finished.
    var inFlight: Int { requests.count }

    /// Handles of the instances that are ready, in the order they became ready.
    var readyHandles: [InstanceHandle] { ready.map(\.handle) }
    /// The engine of a live instance (for in-process runs' statistics).
    func engine(of handle: InstanceHandle) -> EngineCore? {
        instances.first { $0.handle === handle }?.driver.core
    }

    /// Handles of every live instance (starting or ready).
    var liveHandles: [InstanceHandle] { instances.map(\.handle) }

    /// Whether something will happen without a new arrival: requests in flight, an instance loading or waiting
    /// for GPUs, or the autoscaler short of instances. (Scale-down bookkeeping alone is not work: a host on a
    /// virtual clock lets no idle time pass.)
    var hasPendingWork: Bool {
        !requests.isEmpty || desiredInstances > instances.count
            || instances.contains { if case .starting = $0.phase { return true } else { return false } }
    }

    // MARK: Time

    /// When the next event happens, or nil when nothing will happen without a new arrival (or GPUs freed).
    var nextEventTime: Double? {
        var t = Double.infinity
        for i in instances { if let e = i.nextEventTime { t = min(t, e) } }
        if let b = balancer { t = min(t, b.wakeAt) }
        if let tick = nextTickTime { t = min(t, tick) }
        return t.isFinite ? max(t, now) : nil
    }

    /// Handles every event due at ``nextEventTime``. The returned events are valid until the next call.
    func advance() -> [Event] {
        events.removeAll(keepingCapacity: true)
        guard let t = nextEventTime else { return events }
        now = t
        // 1. Steps that end now deliver their tokens.
        for i in instances where (i.stepInProgress?.end ?? .infinity) <= t { finishStep(i) }
        // 2. Instances that finish loading.
        for i in instances {
            if case .starting(let readyAt) = i.phase, readyAt <= t {
                i.phase = .ready
                ready.append(i)
                i.handle.markReady()
                events.append(.instanceReady(i.handle))
            }
        }
        // 3. The load balancer.
        if let b = balancer, b.wakeAt <= t { balance(b.request) }
        // 4. The autoscaler.
        if let tick = nextTickTime, tick <= t {
            lastTick = tick
            autoscale()
        }
        // 5. Engines: admissions and step starts.
        for i in ready where i.stepInProgress == nil {
            guard let e = i.driver.nextEventTime, e <= t else { continue }
            let step = i.driver.advance(notBefore: t)
            for id in step.admitted { events.append(.started(id: id)) }
            for (id, error) in step.rejected {
                release(id, from: i)
                events.append(.failed(id: id, message: error.description, engineError: true))
            }
            if let outcome = step.outcome {
                i.stepInProgress = outcome
                i.handle.noteForwardPass(outcome.forwardPassID)
            }
        }
        return events
    }

    /// Retries instances waiting for GPUs (another deployment gave some back).
    func retryGPUs(at time: Double) {
        now = max(now, time)
        for i in instances where i.phase == .waitingForGPUs {
            if gpuPool?.tryAcquire(i.gpus) ?? true { i.phase = .starting(readyAt: now + settings.coldStartSeconds) }
        }
    }

    /// Stops every instance (deployment deleted, server stopping) and returns the requests still in flight.
    func shutdown() -> [UInt64] {
        for i in instances { stop(i) }
        let ids = Array(requests.keys).sorted()
        requests.removeAll()
        return ids
    }

    // MARK: Router

    private func takeNextForBalancer(at time: Double) {
        balancer = queue.popFirst().map { (request: $0, wakeAt: time + 1) }
    }

    /// The load balancer wakes up holding `id`.
    private func balance(_ id: UInt64) {
        guard !ready.isEmpty else {
            balancer = (id, now + 1)
            return
        }
        let instance = ready[roundRobin % ready.count]
        roundRobin += 1
        let cap = settings.autoScaling.perInstanceCap
        guard instance.allocated < cap else {
            // Not allocated: sleep the loop interval, then the ready-instances loop sleeps again before looking.
            balancer = (id, now + 2)
            return
        }
        instance.allocated += 1
        requests[id]?.instance = instance
        events.append(.dispatched(id: id))
        if instance.inEngine < settings.actorConcurrency, let r = requests[id]?.request {
            instance.inEngine += 1
            instance.driver.submit(r, at: now)
        } else {
            instance.actorQueue.append(id)
        }
        takeNextForBalancer(at: now)
    }

    private var desiredInstances: Int {
        let a = settings.autoScaling
        let want = (requestCount + a.target - 1) / max(1, a.target)
        return min(a.maxInstances, max(a.minInstances, want))
    }

    /// The next autoscaler tick that can change something, or nil.
    private var nextTickTime: Double? {
        guard settings.mode == .sllm, desiredInstances != instances.count else { return nil }
        // The first grid point after the last tick and not before now.
        let k = max(lastTick + 1, tickOrigin + (now - tickOrigin).rounded(.up))
        return k
    }

    private func autoscale() {
        let desired = desiredInstances
        if desired > instances.count {
            if let i = try? makeInstance(phase: .waitingForGPUs) {
                if gpuPool?.tryAcquire(i.gpus) ?? true { i.phase = .starting(readyAt: now + settings.coldStartSeconds) }
            }
        } else if desired < instances.count {
            if idleTicks >= settings.autoScaling.keepAlive {
                // `popitem()` of the ready instances: the newest; only an idle one is stopped here.
                if let victim = ready.last(where: { $0.allocated == 0 }) {
                    stop(victim)
                    idleTicks = 0
                } else if let loading = instances.last(where: { $0.phase != .ready }) {
                    stop(loading)
                    idleTicks = 0
                }
            } else {
                idleTicks += 1
            }
        }
    }

    private func makeInstance(phase: ClusterInstance.Phase) throws -> ClusterInstance {
        let used = Set(instances.map(\.handle.slot))
        let slot = (0...).first { !used.contains($0) }!
        var config = engineConfig
        config.seed = engineConfig.seed &+ UInt64(slot) &* 0x9E37_79B9_7F4A_7C15
        let core = try EngineCore(config: config)
        let shape = core.expertShape
        let experts = ExpertDistributionRecorder(
            workers: config.tensorParallelSize, layers: shape.layers, experts: shape.experts, topK: shape.topK)
        let handle = InstanceHandle(id: makeInstanceID(), recorder: makeRecorder(), experts: experts, slot: slot)
        let instance = ClusterInstance(
            handle: handle, driver: EngineDriver(core: core, startTime: now), gpus: settings.gpusPerInstance,
            phase: phase)
        instances.append(instance)
        return instance
    }

    private func stop(_ i: ClusterInstance) {
        if i.phase != .waitingForGPUs, i.phase != .stopped { gpuPool?.release(i.gpus) }
        i.phase = .stopped
        i.stepInProgress = nil
        instances.removeAll { $0 === i }
        ready.removeAll { $0 === i }
        events.append(.instanceStopped(i.handle))
    }

    // MARK: Engines

    private func finishStep(_ i: ClusterInstance) {
        guard let outcome = i.stepInProgress else { return }
        i.stepInProgress = nil
        events.append(.step(i.handle, outcome))
        for e in outcome.events where !e.preempted {
            guard requests[e.id] != nil else { continue }
            events.append(.tokens(id: e.id, newTokens: e.newTokens, finished: e.finished))
            if e.finished != nil { release(e.id, from: i) }
        }
    }

    /// A request left instance `i` (finished or refused): the router's counts go down and the actor takes the
    /// next queued request.
    private func release(_ id: UInt64, from i: ClusterInstance) {
        requests.removeValue(forKey: id)
        i.allocated -= 1
        i.inEngine -= 1
        if settings.mode == .sllm {
            requestCount -= 1
            admitFromActorQueue(i)
        }
    }

    private func admitFromActorQueue(_ i: ClusterInstance) {
        while i.inEngine < settings.actorConcurrency, !i.actorQueue.isEmpty {
            let next = i.actorQueue.removeFirst()
            guard let r = requests[next]?.request else { continue }
            i.inEngine += 1
            i.driver.submit(r, at: now)
        }
    }
}
