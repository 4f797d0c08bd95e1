import MoECore
import SimEngine

/// One deployment's serving path on one simulated timeline (docs/serving.md).
///
/// In ``ServingMode/sllm`` it is ServerlessLLM's round-robin router in front of instances: requests wait in a
/// FIFO queue; the load balancer takes one, sleeps 1 s, then allocates it to the next ready instance round-robin
/// if that instance holds fewer than its cap (`target` for metric `concurrency`, else 1), else sleeps 1 s more
/// and another 1 s before it looks again; each instance's Ray actor runs at most 10 requests at once (the rest
/// queue at the actor, with recording calls); every second the autoscaler wants
/// `clamp(ceil(requests / target), min, max)` instances, creates one per tick when short, and once the router has
/// been idle for `keep_alive` ticks takes the newest ready instance out of routing, busy or not, to finish what
/// it holds and stop. A new instance waits for the FCFS scheduler's next pass for the node's GPUs, then
/// cold-starts. A request with `n > 1` is one router request. In ``ServingMode/direct`` every request goes
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
        /// Tokens for a request (or its end) reached its client at ``ServingCluster/now``: one stream chunk as the
        /// instance's API server delivers it (docs/engine.md §10).
        case tokens(TokenDelivery)
        /// The router handed a request to an instance (sllm mode; in direct mode arrival is dispatch).
        case dispatched(id: UInt64)
        /// A request entered an engine.
        case started(id: UInt64)
        /// A request could not run: the engine refused it (vLLM's error) or the router dropped it.
        case failed(id: UInt64, message: String, engineError: Bool)
        /// An engine failure in `sllm` mode: a real router keeps the request's slot for good
        /// (docs/serving.md "Failed requests"); `leaked` says whether this run does too.
        case slotKeptByRealRouter(id: UInt64, instance: InstanceHandle, leaked: Bool)
        case instanceReady(InstanceHandle)
        /// An instance left routing to finish what it holds (scale-down of a busy instance).
        case instanceDraining(InstanceHandle)
        case instanceStopped(InstanceHandle)
    }

    struct Settings {
        var mode: ServingMode
        var autoScaling: AutoScalingConfig
        /// How long a start takes (the node remembers what it loaded before).
        var coldStart: ColdStartModel
        /// The model's name: the key of the node's host-memory checkpoint pool.
        var modelName = "model"
        /// GPUs one instance holds (`num_gpus`).
        var gpusPerInstance: Int
        /// Requests one Ray actor runs at once (`max_concurrency=10` of the backend actor).
        var actorConcurrency = 10
        /// Engine failures keep their router slot for good (the `failed_request_leak` quirk).
        var leakFailedRequests = false
        /// The autoscaler never creates an instance (the `no_autoscaling_config_hang` quirk, for a config
        /// without `auto_scaling_config`).
        var neverScale = false

        init(
            mode: ServingMode, autoScaling: AutoScalingConfig, coldStart: ColdStartModel, modelName: String = "model",
            gpusPerInstance: Int
        ) {
            self.mode = mode
            self.autoScaling = autoScaling
            self.coldStart = coldStart
            self.modelName = modelName
            self.gpusPerInstance = gpusPerInstance
        }

        /// The settings of a deployment of `deploy` configured by `settings`.
        init(deploy: DeployConfig, settings: SimulatorSettings, gpusPerInstance: Int) {
            self.init(
                mode: settings.serving, autoScaling: deploy.autoScaling, coldStart: settings.coldStart,
                modelName: deploy.model, gpusPerInstance: gpusPerInstance)
            leakFailedRequests = settings.quirks.failedRequestLeak
            neverScale = !deploy.autoScaling.present && settings.quirks.noAutoscalingConfigHang
        }

        /// Settings whose every start takes `coldStartSeconds`.
        init(mode: ServingMode, autoScaling: AutoScalingConfig, coldStartSeconds: Double, gpusPerInstance: Int) {
            self.init(
                mode: mode, autoScaling: autoScaling, coldStart: .fixed(coldStartSeconds),
                gpusPerInstance: gpusPerInstance)
        }
    }

    /// One router request: the engine requests of its choices (`n > 1` is one router request, one slot).
    private final class RouterRequest {
        let members: [EngineRequest]
        var unfinished: Set<UInt64>
        var instance: ClusterInstance?
        var failed = false
        init(_ members: [EngineRequest]) {
            self.members = members
            unfinished = Set(members.map(\.id))
        }
    }

    private(set) var settings: Settings
    private let engineConfig: EngineConfig
    private let gpuPool: GPUPool?
    private let makeInstanceID: () -> String
    private let makeRecorder: () -> BatchRecorder

    /// The simulated time of the last event handled.
    private(set) var now: Double
    private var events: [Event] = []
    /// Live instances in creation order (starting or ready: those the autoscaler counts); `ready` is
    /// ServerlessLLM's `ready_inference_instances` in the order they became ready; `draining` are out of routing.
    private var instances: [ClusterInstance] = []
    private var ready: [ClusterInstance] = []
    private var draining: [ClusterInstance] = []
    /// Router requests by their first engine request's id; `groupOf` maps every engine request to it.
    private var requests: [UInt64: RouterRequest] = [:]
    private var groupOf: [UInt64: UInt64] = [:]
    private var nextControlToken: UInt64 = 1
    /// Recording calls that got their actor slot since ``takeControlsRan()`` was last called.
    private var controlsRan: [UInt64] = []

    // The router (sllm mode).
    private var queue = FIFO<UInt64>()
    /// The request the load balancer holds and when it wakes up to place it.
    private var balancer: (request: UInt64, wakeAt: Double)?
    private var roundRobin = 0
    /// The router's `request_count`: requests received and not yet answered (leaked failures stay counted).
    private(set) var requestCount = 0
    /// The autoscaler's `idle_time` (ticks).
    private var idleTicks = 0.0
    /// The autoscaler is inside `_stop_instance`, waiting for a ready instance to stop.
    private var stopWaitsForReady = false
    /// The autoscaler's tick grid starts at the router's start; the FCFS scheduler's passes lie half-way between.
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
            let i = try makeInstance(phase: .ready, cap: .max)
            ready.append(i)
            i.handle.markReady()
        }
    }

    // MARK: Inputs

    /// A request sent at simulated time `time` (≥ ``now``).
    func arrive(_ request: EngineRequest, at time: Double) { arrive(group: [request], at: time) }

    /// One router request whose choices are `group` (a request with `n > 1`), sent at simulated time `time`.
    func arrive(group: [EngineRequest], at time: Double) {
        guard let first = group.first else { return }
        now = max(now, time)
        let r = RouterRequest(group)
        requests[first.id] = r
        for m in group { groupOf[m.id] = first.id }
        switch settings.mode {
        case .direct:
            let i = ready[0]
            r.instance = i
            i.allocated += 1
            i.busySlots += 1
            for m in group { i.driver.submit(m, at: time) }
        case .sllm:
            requestCount += 1
            idleTicks = 0
            queue.append(first.id)
            if balancer == nil { takeNextForBalancer(at: time) }
        }
    }

    /// Drops the router request that engine request `id` belongs to (client gone), wherever it is; no event is
    /// produced for it.
    func abort(_ id: UInt64) {
        guard let g = groupOf[id], let entry = requests.removeValue(forKey: g) else { return }
        for m in entry.members { groupOf.removeValue(forKey: m.id) }
        if settings.mode == .sllm { requestCount -= 1 }
        guard let instance = entry.instance else {
            queue.remove { $0 == g }
            if balancer?.request == g {
                let wake = balancer!.wakeAt
                balancer = queue.popFirst().map { (request: $0, wakeAt: wake) }
            }
            return
        }
        if let i = instance.actorQueue.firstIndex(of: .generate(g)) {
            instance.actorQueue.remove(at: i)
        } else {
            for m in entry.members where entry.unfinished.contains(m.id) { instance.driver.abort(id: m.id) }
            instance.busySlots -= 1
        }
        instance.allocated -= 1
        runActorQueue(instance)
        checkDrained(instance)
    }

    /// A recording or expert-distribution call to `handle`'s backend: it queues at the instance's Ray actor
    /// behind the calls ahead of it and runs when a slot is free (at once when one is). Returns its token;
    /// ``takeControlsRan()`` lists it once it ran. Nil when the instance is not live.
    func control(on handle: InstanceHandle, at time: Double) -> UInt64? {
        guard let i = (instances + draining).first(where: { $0.handle === handle }) else { return nil }
        now = max(now, time)
        let token = nextControlToken
        nextControlToken += 1
        i.actorQueue.append(.control(token))
        runActorQueue(i)
        return token
    }

    /// The tokens of the recording calls that ran since the last call, in the order they ran.
    func takeControlsRan() -> [UInt64] {
        guard !controlsRan.isEmpty else { return [] }
        defer { controlsRan.removeAll() }
        return controlsRan
    }

    /// Whether a recording call ran since ``takeControlsRan()`` was last called.
    var controlsHaveRun: Bool { !controlsRan.isEmpty }

    /// `POST /update`: the new autoscaling settings apply from the next tick (an instance's cap stays what it
    /// was when the instance was created).
    func update(autoScaling: AutoScalingConfig) { settings.autoScaling = autoScaling }

    /// Router requests received and not yet finished.
    var inFlight: Int { requests.count }

    /// Handles of the instances that are ready, in the order they became ready.
    var readyHandles: [InstanceHandle] { ready.map(\.handle) }
    /// The engine of a live instance (for in-process runs' statistics).
    func engine(of handle: InstanceHandle) -> EngineCore? {
        (instances + draining).first { $0.handle === handle }?.driver.core
    }

    /// Handles of every live instance (waiting for GPUs, starting, ready or draining).
    var liveHandles: [InstanceHandle] { (instances + draining).map(\.handle) }

    /// Whether something will happen without a new arrival: requests in flight, an instance loading, waiting for
    /// GPUs or draining, or the autoscaler short of instances. (Scale-down bookkeeping alone is not work: a host
    /// on a virtual clock lets no idle time pass.)
    var hasPendingWork: Bool {
        !requests.isEmpty || (!settings.neverScale && desiredInstances > instances.count) || !draining.isEmpty
            || instances.contains {
                switch $0.phase {
                case .starting: return true
                case .waitingForGPUs(let checkAt): return checkAt != nil
                default: return false
                }
            }
    }

    // MARK: Time

    /// `instances + draining`, without building a new array in the common case of nothing draining (the loops
    /// of ``advance()`` run once per simulated event).
    private var live: [ClusterInstance] { draining.isEmpty ? instances : instances + draining }

    /// When the next event happens, or nil when nothing will happen without a new arrival (or GPUs freed).
    var nextEventTime: Double? {
        var t = Double.infinity
        for i in instances { if let e = i.nextEventTime { t = min(t, e) } }
        for i in draining { if let e = i.nextEventTime { t = min(t, e) } }
        // Under `no_autoscaling_config_hang` no instance will ever come: the balancer's polls change nothing.
        if let b = balancer, !(settings.neverScale && instances.isEmpty) { t = min(t, b.wakeAt) }
        if let tick = nextTickTime { t = min(t, tick) }
        return t.isFinite ? max(t, now) : nil
    }

    /// Handles every event due at ``nextEventTime``. The returned events are valid until the next call.
    /// Events produced between two calls (an abort that ended a drain) come with the next call's.
    func advance() -> [Event] {
        guard let t = nextEventTime else {
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
        return advance(at: t)
    }

    /// ``advance()`` when the caller has just read ``nextEventTime`` (`t`) and changed nothing since: the host
    /// asks for it before every event, and it costs a look at every instance's queues.
    func advance(at t: Double) -> [Event] {
        assert(nextEventTime == t, "advance(at:) needs the nextEventTime just read")
        defer { events.removeAll(keepingCapacity: true) }
        now = t
        // 1. Steps that end now are recorded; the API servers deliver the tokens due by now.
        for i in live where (i.stepInProgress?.end ?? .infinity) <= t { finishStep(i) }
        for i in live { deliverTokens(i.driver.deliveries(upTo: t), of: i) }
        // 2. Draining instances whose stop call found them empty shut down; instances that finish loading
        //    become ready; the FCFS scheduler's pass grants GPUs.
        for i in draining {
            if case .draining(_, let shutdownAt?) = i.phase, shutdownAt <= t { stop(i) }
        }
        for i in instances {
            switch i.phase {
            case .starting(let readyAt) where readyAt <= t:
                i.phase = .ready
                ready.append(i)
                i.handle.markReady()
                events.append(.instanceReady(i.handle))
            case .waitingForGPUs(let checkAt?) where checkAt <= t:
                grantGPUs(i)
            default: break
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
        for i in draining.isEmpty ? ready : ready + draining where i.stepInProgress == nil {
            guard let e = i.driver.nextEventTime, e <= t else { continue }
            let step = i.driver.advance(notBefore: t)
            deliverTokens(step.delivered, of: i)
            for id in step.admitted { events.append(.started(id: id)) }
            for (id, error) in step.rejected { memberFailed(id, on: i, message: error.description) }
            if let outcome = step.outcome {
                i.stepInProgress = outcome
                i.handle.noteForwardPass(outcome.forwardPassID)
            }
        }
        return events
    }

    /// GPUs were given back somewhere on the node: instances waiting for them look again at the FCFS
    /// scheduler's next pass.
    func retryGPUs(at time: Double) {
        now = max(now, time)
        for i in instances where i.phase == .waitingForGPUs(checkAt: nil) {
            i.phase = .waitingForGPUs(checkAt: nextSchedulerPass(atOrAfter: now))
        }
    }

    /// Stops every instance (deployment deleted, server stopping) and returns the engine requests still in
    /// flight.
    func shutdown() -> [UInt64] {
        for i in instances + draining { stop(i) }
        let ids = requests.values.flatMap { $0.unfinished }.sorted()
        requests.removeAll()
        groupOf.removeAll()
        return ids
    }

    // MARK: Router

    private func takeNextForBalancer(at time: Double) {
        balancer = queue.popFirst().map { (request: $0, wakeAt: time + 1) }
    }

    /// The load balancer wakes up holding router request `id`.
    private func balance(_ id: UInt64) {
        guard !ready.isEmpty else {
            balancer = (id, now + 1)
            return
        }
        let instance = ready[roundRobin % ready.count]
        roundRobin += 1
        guard instance.allocated < instance.cap else {
            // Not allocated: sleep the loop interval, then the ready-instances loop sleeps again before looking.
            balancer = (id, now + 2)
            return
        }
        instance.allocated += 1
        if let r = requests[id] {
            r.instance = instance
            for m in r.members { events.append(.dispatched(id: m.id)) }
        }
        instance.actorQueue.append(.generate(id))
        runActorQueue(instance)
        takeNextForBalancer(at: now)
    }

    private var desiredInstances: Int {
        let a = settings.autoScaling
        let target = max(1, a.scalingTarget)
        let want = (requestCount + target - 1) / target
        return min(a.maxInstances, max(a.minInstances, want))
    }

    /// The next autoscaler tick that can change something, or nil.
    private var nextTickTime: Double? {
        guard settings.mode == .sllm, !settings.neverScale else { return nil }
        if stopWaitsForReady {
            // `_stop_instance` polls every second for a ready instance; none can appear before one finishes
            // loading (an event of its own).
            guard !ready.isEmpty else { return nil }
        } else if desiredInstances == instances.count {
            return nil
        }
        // The first grid point after the last tick and not before now.
        return max(lastTick + 1, tickOrigin + (now - tickOrigin).rounded(.up))
    }

    private func autoscale() {
        if stopWaitsForReady {
            stopNewestReady()
            return
        }
        let desired = desiredInstances
        if desired > instances.count {
            _ = try? makeInstance(
                phase: .waitingForGPUs(checkAt: nextSchedulerPass(atOrAfter: now)),
                cap: settings.autoScaling.perInstanceCap)
        } else if desired < instances.count {
            if idleTicks >= settings.autoScaling.keepAlive {
                stopWaitsForReady = true
                stopNewestReady()
            } else {
                idleTicks += 1
            }
        }
    }

    /// `_stop_instance()`: pops the newest ready instance, busy or not; with none ready the autoscaler waits.
    private func stopNewestReady() {
        guard let victim = ready.popLast() else { return }
        stopWaitsForReady = false
        idleTicks = 0
        instances.removeAll { $0 === victim }
        draining.append(victim)
        victim.phase = .draining(stopBegan: nil, shutdownAt: nil)
        victim.actorQueue.append(.stop)
        if victim.allocated > 0 { events.append(.instanceDraining(victim.handle)) }
        runActorQueue(victim)
    }

    /// The FCFS scheduler's passes: every second, half-way between the autoscaler's ticks (its phase on a real
    /// server is arbitrary; half a second is the mean wait).
    private func nextSchedulerPass(atOrAfter t: Double) -> Double {
        tickOrigin + 0.5 + max(0, (t - tickOrigin - 0.5).rounded(.up))
    }

    private func grantGPUs(_ i: ClusterInstance) {
        guard gpuPool?.tryAcquire(i.gpus) ?? true else {
            i.phase = .waitingForGPUs(checkAt: nil)
            return
        }
        let seconds = settings.coldStart.start(engineConfig, model: settings.modelName, on: gpuPool)
        i.phase = .starting(readyAt: now + seconds)
    }

    private func makeInstance(phase: ClusterInstance.Phase, cap: Int) throws -> ClusterInstance {
        let used = Set((instances + draining).map(\.handle.slot))
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
            cap: cap, phase: phase)
        instances.append(instance)
        return instance
    }

    private func stop(_ i: ClusterInstance) {
        let freed = i.holdsGPUs
        if freed { gpuPool?.release(i.gpus) }
        i.phase = .stopped
        i.stepInProgress = nil
        instances.removeAll { $0 === i }
        ready.removeAll { $0 === i }
        draining.removeAll { $0 === i }
        events.append(.instanceStopped(i.handle))
        if freed { retryGPUs(at: now) }
    }

    // MARK: Engines

    /// Starts the calls waiting at `i`'s Ray actor while it has free slots, first come first served.
    private func runActorQueue(_ i: ClusterInstance) {
        while i.busySlots < settings.actorConcurrency || settings.mode == .direct, !i.actorQueue.isEmpty {
            switch i.actorQueue.removeFirst() {
            case .generate(let g):
                guard let r = requests[g] else { continue }
                i.busySlots += 1
                for m in r.members { i.driver.submit(m, at: now) }
            case .control(let token):
                controlsRan.append(token)
            case .stop:
                if case .draining = i.phase { i.phase = .draining(stopBegan: now, shutdownAt: nil) }
                checkDrained(i)
            }
        }
    }

    /// A draining instance whose `stop` call runs polls every second for its last request to end.
    private func checkDrained(_ i: ClusterInstance) {
        guard case .draining(let began?, nil) = i.phase, i.busySlots == 0, i.actorQueue.isEmpty else { return }
        let at = began + max(0, (now - began).rounded(.up))
        if at <= now {
            stop(i)
        } else {
            i.phase = .draining(stopBegan: began, shutdownAt: at)
        }
    }

    private func finishStep(_ i: ClusterInstance) {
        guard let outcome = i.stepInProgress else { return }
        i.stepInProgress = nil
        events.append(.step(i.handle, outcome))
    }

    /// Tokens `i`'s API server delivered: a request ends for the router when its last chunk is delivered.
    private func deliverTokens(_ deliveries: [TokenDelivery], of i: ClusterInstance) {
        for d in deliveries {
            guard let g = groupOf[d.id], let r = requests[g] else { continue }
            events.append(.tokens(d))
            if d.finished != nil { memberEnded(d.id, of: g, r, on: i) }
        }
    }

    /// The engine refused engine request `id` (vLLM's error; the Ray call raises).
    private func memberFailed(_ id: UInt64, on i: ClusterInstance, message: String) {
        guard let g = groupOf[id], let r = requests[g] else { return }
        events.append(.failed(id: id, message: message, engineError: true))
        r.failed = true
        memberEnded(id, of: g, r, on: i)
    }

    /// An engine request of router request `g` ended; when it was the last, the router request leaves instance
    /// `i`: the actor slot frees, and the router's counts go down (unless a failure leaks them).
    private func memberEnded(_ id: UInt64, of g: UInt64, _ r: RouterRequest, on i: ClusterInstance) {
        r.unfinished.remove(id)
        groupOf.removeValue(forKey: id)
        guard r.unfinished.isEmpty else { return }
        requests.removeValue(forKey: g)
        i.busySlots -= 1
        if settings.mode == .sllm {
            // `RoundRobinRouter.inference` has no try/finally: when the Ray call raises, neither the instance's
            // counter nor `request_count` goes down.
            if r.failed {
                events.append(.slotKeptByRealRouter(id: g, instance: i.handle, leaked: settings.leakFailedRequests))
            }
            if !(r.failed && settings.leakFailedRequests) {
                i.allocated -= 1
                requestCount -= 1
            }
            runActorQueue(i)
            checkDrained(i)
        } else {
            i.allocated -= 1
        }
    }
}
