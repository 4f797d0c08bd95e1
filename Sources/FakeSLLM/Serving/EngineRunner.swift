import Foundation
import MoECore
import SimEngine
import Synchronization

/// Receives one engine request's progress. Called on the engine thread; implementations hand work to other
/// threads through thread-safe objects (``PendingResponse``, ``EventStream``).
protocol EngineSink: AnyObject, Sendable {
    /// `newTokens` tokens were produced by the step that ended at simulated time `simTime`.
    func deliver(newTokens: Int, finished: FinishReason?, simTime: Double)
    /// The request could not run (e.g. prompt longer than `max_model_len`, instance stopped).
    func fail(_ message: String, engineError: Bool)
    /// The request entered the engine at simulated time `simTime`.
    func admitted(simTime: Double)
}

/// How requests are let into the engine: the router's defects, when enabled (sllm_api.md §3.6 Router).
struct AdmissionGate {
    /// Simulated seconds between dispatches (the router's 1 s sleep), or nil.
    var dispatchInterval: Double?
    /// Most requests in the engine at once, or nil.
    var concurrencyCap: Int?
}

/// Drives one ``EngineCore`` on a dedicated thread: admits submitted requests at step boundaries, runs steps
/// back to back, paces simulated time against the wall clock (`speedup` simulated seconds per wall second, or no
/// waiting), records steps and delivers tokens.
///
/// `submit`, `abort` and `stop` may be called from any thread; everything else runs on the engine thread.
final class EngineRunner: @unchecked Sendable {
    private let core: EngineCore
    let recorder: BatchRecorder
    private let speedup: Double?
    private let gate: AdmissionGate
    private let readyAtSim: Double
    /// Simulated seconds from a request's arrival to its admission (API server and engine-client hand-off).
    private let frontendLatency: Double

    // Guarded by `cond`.
    private let cond = NSCondition()
    private var inbox: [(EngineRequest, any EngineSink)] = []
    private var aborts: [UInt64] = []
    private var stopped = false
    private var thread: Thread?
    /// Wall time (monotonic) since which the engine has had nothing to do, or nil while busy.
    private var idleSince: Double? = monotonicSeconds()

    // Engine thread only.
    /// Requests not yet in the engine, with the simulated time from which they may enter it.
    private var pending: [(request: EngineRequest, sink: any EngineSink, readyAt: Double)] = []
    private var sinks: [UInt64: any EngineSink] = [:]
    private var simNow = 0.0
    private var anchorWall = 0.0
    private var anchorSim = 0.0
    private var nextDispatch = 0.0
    private let passes = Atomic<Int>(0)

    /// - Parameters:
    ///   - coldStart: simulated seconds before the first step can run (loading the model).
    init(core: EngineCore, recorder: BatchRecorder, speedup: Double?, gate: AdmissionGate, coldStart: Double) {
        self.core = core
        self.recorder = recorder
        self.speedup = speedup
        self.gate = gate
        self.readyAtSim = coldStart
        frontendLatency = core.config.calibration.frontendLatency
        anchorWall = monotonicSeconds()
    }

    func start(name: String) {
        let t = Thread { [self] in loop() }
        t.name = "fake-sllm.engine.\(name)"
        t.stackSize = 1 << 20
        thread = t
        t.start()
    }

    /// Queues a request; it enters the engine at the next step boundary.
    func submit(_ request: EngineRequest, sink: any EngineSink) {
        cond.lock()
        if stopped {
            cond.unlock()
            sink.fail("Instance stopped", engineError: false)
            return
        }
        inbox.append((request, sink))
        idleSince = nil
        cond.signal()
        cond.unlock()
    }

    /// Cancels a request (client gone); its sink gets nothing more.
    func abort(_ id: UInt64) {
        cond.lock()
        aborts.append(id)
        cond.signal()
        cond.unlock()
    }

    /// Ends the thread; requests still in flight fail with `Instance stopped`.
    func stop() {
        cond.lock()
        stopped = true
        cond.signal()
        cond.unlock()
    }

    /// Engine steps executed since the instance started (every step, recorded or not: `forward_pass_id`).
    var forwardPassCount: Int { passes.load(ordering: .relaxed) }

    /// Wall seconds the engine has been idle (nothing queued or running), or nil while busy.
    var idleSeconds: Double? {
        cond.lock()
        defer { cond.unlock() }
        return idleSince.map { monotonicSeconds() - $0 }
    }

    private func loop() {
        waitUntil(readyAtSim)
        simNow = readyAtSim
        while true {
            cond.lock()
            while inbox.isEmpty && aborts.isEmpty && !stopped && pending.isEmpty && !core.hasUnfinishedRequests {
                if idleSince == nil { idleSince = monotonicSeconds() }
                cond.wait()
            }
            let wasIdle = !core.hasUnfinishedRequests
            let arrived = inbox
            let cancelled = aborts
            let stop = stopped
            inbox.removeAll()
            aborts.removeAll()
            cond.unlock()

            if stop {
                for p in pending { p.sink.fail("Instance stopped", engineError: false) }
                for sink in sinks.values { sink.fail("Instance stopped", engineError: false) }
                for (_, sink) in arrived { sink.fail("Instance stopped", engineError: false) }
                pending.removeAll()
                sinks.removeAll()
                return
            }
            if wasIdle, pending.isEmpty, !arrived.isEmpty { resyncClock() }
            pending += arrived.map { ($0.0, $0.1, simNow + frontendLatency) }
            for id in cancelled {
                pending.removeAll { $0.request.id == id }
                if sinks.removeValue(forKey: id) != nil { core.abort(id: id) }
            }
            admit()
            if !core.hasUnfinishedRequests {
                // Only requests still on their way remain (front end, the router's sleep): their time passes on
                // the simulated clock.
                if let first = pending.first {
                    simNow = max(simNow, first.readyAt, gate.dispatchInterval == nil ? 0 : nextDispatch)
                    waitUntil(simNow)
                }
                continue
            }
            guard let outcome = core.step(now: simNow) else { continue }
            let passID = passes.add(1, ordering: .relaxed).newValue
            // The clock advances by the whole step (CPU scheduling included); the record's latency is the GPU
            // forward time, as vLLM's synchronised timer measures it (sllm_api.md §4).
            simNow += outcome.duration
            waitUntil(simNow)
            recorder.append(
                RecordedStep(
                    batchSize: outcome.batchSize, forwardMode: outcome.forwardMode,
                    latency: outcome.latency, expertActivation: outcome.expertActivation,
                    forwardPassId: passID, truth: outcome.truth))
            for event in outcome.events {
                guard let sink = sinks[event.id] else { continue }
                if event.finished != nil { sinks.removeValue(forKey: event.id) }
                sink.deliver(newTokens: event.newTokens, finished: event.finished, simTime: simNow)
            }
        }
    }

    /// Moves requests from `pending` into the engine as far as the gate allows.
    private func admit() {
        while let (request, sink, readyAt) = pending.first {
            if readyAt > simNow { return }
            if let cap = gate.concurrencyCap, sinks.count >= cap { return }
            if let interval = gate.dispatchInterval {
                if simNow < nextDispatch { return }
                nextDispatch = simNow + interval
            }
            pending.removeFirst()
            var r = request
            r.arrival = simNow
            do {
                try core.add(r)
                sinks[r.id] = sink
                sink.admitted(simTime: simNow)
            } catch {
                sink.fail(error.description, engineError: true)
            }
        }
    }

    /// After idling, simulated time resumes from the wall clock's "now".
    private func resyncClock() {
        anchorWall = monotonicSeconds()
        anchorSim = simNow
        if gate.dispatchInterval != nil { nextDispatch = max(nextDispatch, simNow + gate.dispatchInterval!) }
    }

    /// Sleeps until the wall clock reaches simulated time `sim` (no-op without pacing).
    private func waitUntil(_ sim: Double) {
        guard let speedup else { return }
        let target = anchorWall + (sim - anchorSim) / speedup
        while true {
            let now = monotonicSeconds()
            if now >= target { return }
            let remaining = min(target - now, 0.05)
            usleep(UInt32(max(50, remaining * 1e6)))
            cond.lock()
            let stop = stopped
            cond.unlock()
            if stop { return }
        }
    }
}
