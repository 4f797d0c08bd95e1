import Foundation
import MoECore
import SimEngine
import Synchronization

/// Runs one deployment's ``ServingCluster`` on a thread of its own, in simulated time paced against the wall
/// clock (``PacedClock``) or as fast as it goes (``VirtualClock``, `--no-wait`), and hands each request's tokens
/// to its ``RequestSink`` when their simulated moment comes (docs/serving.md "The host").
///
/// Arrivals get their simulated time when they are submitted, under the ``ArrivalHold`` rule, so the same
/// sequence of requests gives the same records whatever the client's timing jitter. With the HTTP layer's
/// ``TransportActivity``, a hold ends as soon as nobody can arrive, and wall time the server spends on control
/// calls while the deployment is idle does not pass as simulated idle time (docs/serving.md "Idle time and
/// control calls").
///
/// Threading: `submit`, `abort`, `update`, `shutdown` and the instance lists may be called from any thread;
/// the cluster and the sinks' callbacks run on the host's thread only. Call ``shutdown()`` before dropping the
/// host: it ends the thread and fails what is still in flight with `Instance stopped`.
final class DeploymentHost: @unchecked Sendable {
    private struct Arrival {
        /// One router request: its choices' engine requests and their sinks.
        var requests: [EngineRequest]
        var sinks: [any RequestSink]
        var sim: Double
        var orderKey: UInt64
        var sequence: Int
        /// The closed-loop client that sent it, if it declared one.
        var client: String?
    }

    private let cluster: ServingCluster
    private let name: String

    // Guarded by `cond`.
    private let cond = ConditionLock()
    private var clock: any SimulationClock
    private var hold: ArrivalHold
    private var inbox: [Arrival] = []
    private var sequence = 0
    private var aborts: [UInt64] = []
    private var pendingUpdate: AutoScalingConfig?
    /// Recording calls handed in, waiting for the host thread to queue them at their instance's actor.
    private var pendingControls: [(instance: InstanceHandle, run: @Sendable () -> Void)] = []
    private var stopped = false
    /// Set when the thread has failed every sink and ended.
    private var exited = false
    /// The simulated time the host has reached (the cluster's `now`).
    private var simFloor: Double
    /// Whether the cluster had no request in flight after the host's last change.
    private var idle = true
    /// Set while the host thread hands a step's events to the sinks (the lock released): an arrival then answers
    /// what is being delivered, so it belongs at the delivered step's end, not at a paced clock's later reading.
    private var delivering = false
    /// The transport's control-call time (``TransportActivity/controlBusyTime(atWall:)``) already accounted for.
    private var controlMark = 0.0
    /// The declared closed-loop clients and the arrivals they owe (docs/serving.md "Reproducible arrivals").
    private var closedLoop = ClosedLoopClients()

    // Host thread only (checked in debug builds: `hostThread`).
    private let hostThread = ThreadOwner()
    private var sinks: [UInt64: any RequestSink] = [:]
    /// Recording calls queued at an instance's actor, by token, and those whose turn came (run after the
    /// deliveries of the same moment).
    private var controls: [UInt64: @Sendable () -> Void] = [:]
    private var controlsDue: [@Sendable () -> Void] = []
    /// The declared client of each router request in flight (by its first engine request's id), with its choices
    /// not yet finished; and the router request each engine request belongs to.
    private var clientRequests: [UInt64: (client: String, choicesLeft: Int)] = [:]
    private var routerRequest: [UInt64: UInt64] = [:]

    /// Threads waiting for `cond` in ``submit(group:orderKey:plan:)``: a host turn that runs several events in a
    /// row stops for them (``advanceWhileNothingEnds(_:)``), so a request still arrives between two events.
    private let submitting = Atomic<Int>(0)
    /// Set when GPUs were given back anywhere on the node (possibly by this host's own thread, under `cond`).
    private let gpusFreed = Atomic<Bool>(false)
    private let published = Locked<(ready: [InstanceHandle], live: [InstanceHandle], inFlight: Int)>(([], [], 0))
    /// Called on the host's thread for every engine step that ends, with the instance it ran on.
    private let stepObserver: (@Sendable (InstanceHandle, StepOutcome) -> Void)?
    /// The HTTP layer's view of requests on their way in; nil in-process (holds then last their full window).
    private let transport: TransportActivity?

    init(
        name: String, cluster: ServingCluster, clock: any SimulationClock, burstWindow: Double,
        arrivalGrace: Double = ArrivalHold.defaultGrace, gpuPool: GPUPool?, transport: TransportActivity? = nil,
        stepObserver: (@Sendable (InstanceHandle, StepOutcome) -> Void)? = nil
    ) {
        self.name = name
        self.cluster = cluster
        self.clock = clock
        self.stepObserver = stepObserver
        self.transport = transport
        hold = ArrivalHold(window: burstWindow, grace: arrivalGrace)
        controlMark = transport?.controlBusyTime(atWall: monotonicSeconds()) ?? 0
        simFloor = cluster.now
        publish()
        gpuPool?.onRelease { [weak self] in self?.gpusReleased() }
        let t = Thread { [self] in run() }
        t.name = "fake-sllm.host.\(name)"
        t.stackSize = 1 << 20
        t.start()
    }

    /// Sends a request into the deployment. Returns its simulated arrival time, or nil when the deployment is
    /// stopped (the caller answers `Instance stopped`). `orderKey` orders requests that share an arrival instant
    /// (a hash of their content).
    func submit(
        _ request: EngineRequest, sink: any RequestSink, orderKey: UInt64, plan: ClosedLoopPlan? = nil
    ) -> Double? {
        submit(group: [(request, sink)], orderKey: orderKey, plan: plan)
    }

    /// Sends one router request whose choices are `group` (a request with `n > 1`; docs/serving.md "n > 1").
    /// `plan`: what its client declared about itself (the `X-Fake-SLLM-Closed-Loop` header), if anything.
    func submit(
        group: [(request: EngineRequest, sink: any RequestSink)], orderKey: UInt64, plan: ClosedLoopPlan? = nil
    ) -> Double? {
        submitting.add(1, ordering: .relaxed)
        cond.lock()
        submitting.subtract(1, ordering: .relaxed)
        defer { cond.unlock() }
        guard !stopped else { return nil }
        let wall = monotonicSeconds()
        discountControlTime(atWall: wall)
        if let plan { closedLoop.arrived(plan) }
        let simNow = delivering && hold.window > 0 ? simFloor : max(simFloor, clock.simTime(atWall: wall))
        let heldUntil = hold.deadline
        let sim = hold.arrival(
            atWall: wall, simNow: simNow, idle: inbox.isEmpty && idle,
            declared: plan != nil, owed: closedLoop.owed)
        sequence += 1
        inbox.append(
            Arrival(
                requests: group.map(\.request), sinks: group.map(\.sink), sim: sim, orderKey: orderKey,
                sequence: sequence, client: plan?.client))
        // A host waiting out a hold looks again at the hold's deadline: an arrival that leaves the hold on and
        // ends it no sooner need not wake it (a burst of a thousand requests is a thousand wake-ups fewer).
        if let before = heldUntil, let after = hold.deadline, after >= before, hold.isHolding(atWall: wall) {
            return sim
        }
        cond.signal()
        return sim
    }

    /// Cancels a request (client gone); its sink hears nothing more.
    func abort(_ id: UInt64) {
        cond.lock()
        aborts.append(id)
        cond.signal()
        cond.unlock()
    }

    /// A recording or expert-distribution call to `instance`: `run` is called on the host thread once the call
    /// gets a slot of the instance's Ray actor, behind the generations ahead of it (docs/serving.md "Recording
    /// calls"); at once when the deployment is stopped or the instance gone.
    func control(on instance: InstanceHandle, run: @escaping @Sendable () -> Void) {
        cond.lock()
        guard !stopped else {
            cond.unlock()
            run()
            return
        }
        pendingControls.append((instance, run))
        cond.signal()
        cond.unlock()
    }

    /// `POST /update`.
    func update(autoScaling: AutoScalingConfig) {
        cond.lock()
        pendingUpdate = autoScaling
        cond.signal()
        cond.unlock()
    }

    /// Ends the thread; requests in flight fail with `Instance stopped`. Safe to call more than once.
    func shutdown() {
        cond.lock()
        stopped = true
        cond.signal()
        cond.unlock()
    }

    /// ``shutdown()``, then waits (at most `timeout` wall seconds) until every sink has heard `Instance stopped`.
    /// Call from any thread but the host's own.
    func shutdownAndWait(timeout: Double = 2) {
        shutdown()
        let deadline = monotonicSeconds() + timeout
        cond.lock()
        while !exited, monotonicSeconds() < deadline { cond.wait(seconds: 0.01) }
        cond.unlock()
    }

    /// Ready instances in the order they became ready (the router's `ready_instances`).
    var readyInstances: [InstanceHandle] { published.withLock { $0.ready } }
    /// Every live instance (loading or ready).
    var liveInstances: [InstanceHandle] { published.withLock { $0.live } }
    /// Requests received and not yet answered.
    var inFlight: Int { published.withLock { $0.inFlight } }

    private func gpusReleased() {
        gpusFreed.store(true, ordering: .releasing)
        // No lock here: GPUs are given back by host threads that hold their own lock (an instance stopping), so
        // taking ours could deadlock two hosts. A signal that races past the wait is caught by the waits' timeout.
        cond.signal()
    }

    private func publish() {
        let ready = cluster.readyHandles
        let live = cluster.liveHandles
        let n = cluster.inFlight
        published.withLock { $0 = (ready, live, n) }
    }

    private func run() {
        hostThread.claim()
        cond.lock()
        while true {
            if stopped { break }
            let wall = monotonicSeconds()
            if hold.isHolding(atWall: wall) {
                controlMark = transport?.controlBusyTime(atWall: wall) ?? 0
                guard let transport else {
                    wait(untilWall: hold.deadline!)
                    continue
                }
                hold.adapt(slowestReaction: transport.slowestRecentReaction)
                var inTransit = transport.requestsInTransit
                let lastEvent = transport.lastEventWall
                // A request the polling threads have not read yet (they may be starved of CPU) is on its way too.
                if hold.waitsForAnswers, inTransit == 0, wall >= hold.quietMoment(lastEvent: lastEvent),
                    transport.hasUnreadInput
                {
                    inTransit = 1
                }
                if hold.endIfNobodyCanArrive(atWall: wall, inTransit: inTransit, lastEvent: lastEvent) { continue }
                // Transport events do not signal the host: look again when the grace has run out, or soon while a
                // request is in transit.
                let check =
                    !hold.waitsForAnswers
                    ? hold.deadline!
                    : inTransit > 0 ? wall + Self.transitPoll : hold.quietMoment(lastEvent: lastEvent)
                wait(untilWall: min(hold.deadline!, check))
                continue
            }
            discountControlTime(atWall: wall)
            // Still owed when the hold ends: the declared clients did not send within the patience.
            let owedAtEnd = hold.sim != nil && hold.owed > 0
            if let held = hold.release(atWall: wall) {
                clock.anchor(sim: held, wall: wall)
                if owedAtEnd {
                    closedLoop.giveUpOnOwing()
                    hold.owe(closedLoop.owed, atWall: wall)
                }
            }
            // The cluster moves under the lock, so an arrival is never stamped with a time the cluster has already
            // left; the sinks hear of it after the lock is released (they wake HTTP threads).
            var batches = applyInbox(wall: wall)
            if batches.isEmpty, controlsDue.isEmpty {
                // A virtual clock lets no idle time pass: the autoscaler's idle ticks wait for the next request.
                guard let t = cluster.nextEventTime, !(isVirtual && !cluster.hasPendingWork) else {
                    wait(untilWall: wall + Self.longestWait)
                    continue
                }
                if let deadline = clock.wallDeadline(forSim: t), deadline > wall {
                    wait(untilWall: deadline)
                    continue
                }
                batches.append((cluster.advance(at: t), cluster.now))
                if isVirtual { advanceWhileNothingEnds(&batches) }
            }
            simFloor = cluster.now
            if isVirtual { clock.anchor(sim: cluster.now, wall: wall) }
            let drained = cluster.inFlight == 0
            idle = drained
            collectControls()
            let due = controlsDue
            controlsDue.removeAll()
            delivering = true
            cond.unlock()
            var finished = 0
            var ended = EndedRequests()
            for (events, time) in batches { finished += deliver(events, at: time, ended: &ended) }
            for run in due { run() }
            cond.lock()
            delivering = false
            for client in ended.declared { closedLoop.finished(client) }
            hold.completions(
                finished, undeclared: ended.undeclared, atSim: simFloor, wall: monotonicSeconds(),
                drained: drained, owed: closedLoop.owed)
        }
        let leftovers = inbox.flatMap(\.sinks)
        inbox.removeAll()
        let unrun = Array(controls.values) + controlsDue + pendingControls.map(\.run)
        controls.removeAll()
        controlsDue.removeAll()
        pendingControls.removeAll()
        cond.unlock()
        for run in unrun { run() }
        _ = cluster.shutdown()
        for sink in Array(sinks.values) + leftovers { sink.fail("Instance stopped", engineError: false) }
        sinks.removeAll()
        publish()
        cond.lock()
        exited = true
        cond.broadcast()
        cond.unlock()
    }

    private var isVirtual: Bool { clock.wallDeadline(forSim: .infinity) == nil }

    /// On a virtual clock (`--no-wait`), handles the next events in the same turn while the last batch ended no
    /// request, changed no instance and gave no recording call its turn (nothing a hold, a client's next request,
    /// the published lists or a recording waits for), and nothing was handed in or waits to be (a request waiting
    /// for the lock arrives before the next event, as it would between two turns): a non-streamed request's
    /// receive, tokenise, submit and per-step outputs then cost one host turn between them, not one each
    /// (docs/serving.md "The host"). At most ``eventsPerTurn`` events. Call with `cond` locked.
    private func advanceWhileNothingEnds(_ batches: inout [([ServingCluster.Event], Double)]) {
        while batches.count < Self.eventsPerTurn, let last = batches.last, !Self.endsOrChanges(last.0),
            submitting.load(ordering: .relaxed) == 0, inbox.isEmpty, aborts.isEmpty, pendingControls.isEmpty,
            pendingUpdate == nil, !stopped, !gpusFreed.load(ordering: .relaxed),
            !cluster.controlsHaveRun, controlsDue.isEmpty, cluster.hasPendingWork, let t = cluster.nextEventTime
        {
            batches.append((cluster.advance(at: t), cluster.now))
        }
    }

    /// Whether `events` end a request (finished or failed) or change an instance.
    private static func endsOrChanges(_ events: [ServingCluster.Event]) -> Bool {
        for e in events {
            switch e {
            case .tokens(let d): if d.finished != nil { return true }
            case .step, .started, .dispatched: continue
            case .failed, .instanceReady, .instanceStopped, .instanceDraining, .slotKeptByRealRouter: return true
            }
        }
        return false
    }

    /// The most events one host turn handles on a virtual clock (``advanceWhileNothingEnds(_:)``).
    private static let eventsPerTurn = 16

    /// While the deployment has nothing in flight, the wall time the server spent on control calls (recording
    /// calls, dumps, status) since the last look does not pass as simulated time: the paced clock is set back by
    /// it, so keep_alive counts the client's own pauses only (docs/serving.md "Idle time and control calls").
    /// Call with `cond` locked, before the clock is read.
    private func discountControlTime(atWall wall: Double) {
        guard let transport else { return }
        let busy = transport.controlBusyTime(atWall: wall)
        defer { controlMark = busy }
        guard busy > controlMark, idle, inbox.isEmpty, !isVirtual else { return }
        let resumed = max(simFloor, clock.simTime(atWall: wall - (busy - controlMark)))
        clock.anchor(sim: resumed, wall: wall)
    }

    /// Applies what HTTP threads handed in: arrivals in a canonical order (their simulated instant, then their
    /// content), each after every event due before it, then aborts, updates and freed GPUs. Call with `cond`
    /// locked. Returns the events that ran meanwhile, with their simulated times.
    private func applyInbox(wall: Double) -> [([ServingCluster.Event], Double)] {
        hostThread.assertOwner("DeploymentHost \(name)'s cluster")
        // Most turns have nothing handed in.
        if inbox.isEmpty, aborts.isEmpty, pendingControls.isEmpty, pendingUpdate == nil,
            !gpusFreed.load(ordering: .relaxed)
        {
            collectControls()
            return []
        }
        let arrivals = inbox.sorted { ($0.sim, $0.orderKey, $0.sequence) < ($1.sim, $1.orderKey, $1.sequence) }
        inbox.removeAll()
        var batches: [([ServingCluster.Event], Double)] = []
        for a in arrivals {
            // Events due before this arrival happen first, even when the host runs late.
            while let t = cluster.nextEventTime, t <= a.sim { batches.append((cluster.advance(at: t), cluster.now)) }
            for (r, sink) in zip(a.requests, a.sinks) { sinks[r.id] = sink }
            if let client = a.client, let first = a.requests.first {
                clientRequests[first.id] = (client, a.requests.count)
                for r in a.requests { routerRequest[r.id] = first.id }
            }
            cluster.arrive(group: a.requests, at: max(a.sim, cluster.now))
        }
        var abandoned: [String] = []
        for id in aborts where sinks.removeValue(forKey: id) != nil {
            cluster.abort(id)
            if let client = choiceEnded(id) { abandoned.append(client) }
        }
        if !abandoned.isEmpty {
            for client in abandoned { closedLoop.finished(client) }
            hold.owe(closedLoop.owed, atWall: wall)
        }
        let changed = !arrivals.isEmpty || !aborts.isEmpty
        for c in pendingControls {
            if let token = cluster.control(on: c.instance, at: cluster.now) {
                controls[token] = c.run
            } else {
                controlsDue.append(c.run)
            }
        }
        pendingControls.removeAll()
        collectControls()
        aborts.removeAll()
        if let update = pendingUpdate { cluster.update(autoScaling: update) }
        pendingUpdate = nil
        if gpusFreed.exchange(false, ordering: .acquiring) {
            cluster.retryGPUs(at: max(cluster.now, clock.simTime(atWall: wall)))
        }
        if changed { publish() }
        return batches
    }

    /// The one line logged when the engine refuses a request in `sllm` mode (docs/serving.md "Failed requests").
    static func failedRequestWarning(model: String, instance: String, leaked: Bool) -> String {
        leaked
            ? "\(model): a request the engine refused keeps its slot on instance \(instance) for good (quirk failed_request_leak)"
            : "\(model): the engine refused a request on instance \(instance); on a real ServerlessLLM this request "
                + "would keep its slot forever (quirk failed_request_leak reproduces it)"
    }

    /// Moves the recording calls whose actor slot came to ``controlsDue``. Call with `cond` locked.
    private func collectControls() {
        for token in cluster.takeControlsRan() {
            if let run = controls.removeValue(forKey: token) { controlsDue.append(run) }
        }
    }

    /// Who sent the requests that ended in a batch of steps.
    private struct EndedRequests {
        /// Choices (engine requests) of clients that declared no plan.
        var undeclared = 0
        /// The declared client of each router request whose last choice ended.
        var declared: [String] = []
    }

    private func noteEnded(_ id: UInt64, in ended: inout EndedRequests) {
        if routerRequest[id] == nil {
            ended.undeclared += 1
        } else if let client = choiceEnded(id) {
            ended.declared.append(client)
        }
    }

    /// Engine request `id` ended (finished, failed or abandoned); returns its declared client when that was the
    /// last choice of its router request (the client's worker is then free to send its next request).
    private func choiceEnded(_ id: UInt64) -> String? {
        guard let first = routerRequest.removeValue(forKey: id), var entry = clientRequests[first] else { return nil }
        entry.choicesLeft -= 1
        guard entry.choicesLeft == 0 else {
            clientRequests[first] = entry
            return nil
        }
        clientRequests[first] = nil
        return entry.client
    }

    /// Hands the events that happened at simulated time `now` to the sinks; returns how many requests finished.
    /// Notes in `ended` who sent the requests that ended.
    private func deliver(_ events: [ServingCluster.Event], at now: Double, ended: inout EndedRequests) -> Int {
        hostThread.assertOwner("DeploymentHost \(name)'s sinks")
        var finished = 0
        var instancesChanged = false
        for e in events {
            switch e {
            case .step(let instance, let outcome):
                instance.recorder.append(RecordedStep(outcome))
                let counts =
                    instance.experts.wantsCounts
                    ? cluster.engine(of: instance)?.expectedExpertCounts(tokens: outcome.batchSize) : nil
                instance.experts.append(outcome, counts: counts)
                stepObserver?(instance, outcome)
            case .tokens(let d):
                guard let sink = sinks[d.id] else { continue }
                if d.finished != nil {
                    sinks.removeValue(forKey: d.id)
                    finished += 1
                    noteEnded(d.id, in: &ended)
                }
                sink.deliver(newTokens: d.newTokens, finished: d.finished, simTime: now)
            case .started, .dispatched: break
            case .failed(let id, let message, let engineError):
                sinks.removeValue(forKey: id)?.fail(message, engineError: engineError)
                finished += 1
                noteEnded(id, in: &ended)
            case .instanceReady(let i):
                instancesChanged = true
                serverLog.notice("\(name): instance \(i.id) ready at t=\(formatSeconds(now)) s (simulated)")
            case .instanceStopped(let i):
                instancesChanged = true
                serverLog.notice("\(name): instance \(i.id) stopped at t=\(formatSeconds(now)) s (simulated)")
            case .instanceDraining(let i):
                instancesChanged = true
                serverLog.notice(
                    "\(name): instance \(i.id) left routing at t=\(formatSeconds(now)) s (simulated); it stops when its requests finish"
                )
            case .slotKeptByRealRouter(_, let i, let leaked):
                serverLog.warning("\(Self.failedRequestWarning(model: name, instance: i.id, leaked: leaked))")
            }
        }
        if instancesChanged || finished > 0 { publish() }
        return finished
    }

    /// The longest the host sleeps without looking at its flags (a signal sent without the lock can slip by).
    private static let longestWait = 0.25
    /// How soon a holding host looks at the transport again while a request is in transit (wall seconds).
    private static let transitPoll = 0.0002

    /// Waits on the condition until wall moment `deadline` (at most ``longestWait``) or a signal. Call with
    /// `cond` locked.
    private func wait(untilWall deadline: Double) {
        let seconds = min(deadline - monotonicSeconds(), Self.longestWait)
        cond.wait(seconds: seconds)
    }
}

private func formatSeconds(_ s: Double) -> String { String(Double(Int((s * 1000).rounded())) / 1000) }
