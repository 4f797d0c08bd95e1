import MoECore

/// The one driver of a simulated engine: moves requests through the front end into an ``EngineCore`` and the
/// engine through its steps, on a simulated timeline (docs/engine.md "The driver").
///
/// Event-driven and pure: nothing sleeps and nothing reads a clock. A request submitted at simulated time `t`
/// first queues for the API server (``APIServerQueue``: one process that sets every request up and processes
/// every step's outputs, one at a time), then reaches the engine `frontendLatency` after its set-up ends and is
/// seen by the first step that starts at or after that moment, as vLLM's engine loop sees new requests between
/// steps. ``nextEventTime`` says when something can happen next; ``advance()`` makes it happen. Whoever owns the
/// driver decides how simulated time maps to wall time: `Simulation` runs it as fast as it can, the server paces
/// it (``PacedClock``).
///
/// Threading: not `Sendable`; one thread (or one serial executor) at a time.
/// Determinism: the same engine configuration and the same calls give the same outcomes.
public final class EngineDriver {
    /// The engine it drives.
    public let core: EngineCore
    /// Simulated seconds from the end of a request's set-up in the API server to its arrival in the engine.
    public let frontendLatency: Double
    /// The simulated time the driver has reached: the end of the last step, or the last admission.
    public private(set) var now: Double

    private var api: APIServerQueue
    private var pending = FIFO<(request: EngineRequest, readyAt: Double)>()
    private var stepResult = DriverStep()

    /// - Parameter startTime: simulated time at which the engine is ready (after any cold start).
    public init(core: EngineCore, startTime: Double = 0) {
        self.core = core
        frontendLatency = core.config.calibration.frontendLatency
        api = APIServerQueue(calibration: core.config.calibration, startTime: startTime)
        now = startTime
    }

    /// Submits a request that the client sent at simulated time `arrival`. Its `arrival` field is set to the
    /// moment it enters the engine.
    public func submit(_ request: EngineRequest, at arrival: Double) {
        api.submit(request, at: arrival)
    }

    /// Drops a request (the client went away), wherever it is; no event is produced for it.
    public func abort(id: UInt64) {
        if api.remove(id: id) { return }
        if pending.remove(where: { $0.request.id == id }) == nil {
            core.abort(id: id)
        }
    }

    /// Requests submitted and not yet finished (in the API server, on their way or in the engine).
    public var unfinished: Int { api.waiting + pending.count + core.numUnfinished }

    /// When the next event happens: now while the engine has work, else when the next submitted request reaches
    /// the engine; nil when there is nothing to do.
    public var nextEventTime: Double? {
        if core.hasUnfinishedRequests { return now }
        if let next = pending.first { return max(now, next.readyAt) }
        return api.nextReady().map { max(now, $0) }
    }

    /// Moves to ``nextEventTime`` (or to `notBefore` when that is later: an owner that runs several drivers on
    /// one timeline never lets a step start in its past), admits every request that has reached the engine by
    /// then and runs one step if the engine has work. The returned value is valid until the next call.
    public func advance(notBefore: Double = -.infinity) -> DriverStep {
        stepResult.admitted.removeAll(keepingCapacity: true)
        stepResult.rejected.removeAll(keepingCapacity: true)
        stepResult.outcome = nil
        guard let t = nextEventTime else { return stepResult }
        now = max(t, notBefore)
        api.run(until: now) { request, readyAt in pending.append((request, readyAt)) }
        while let next = pending.first, next.readyAt <= now {
            pending.popFirst()
            var r = next.request
            r.arrival = now
            do {
                try core.add(r)
                stepResult.admitted.append(r.id)
            } catch {
                stepResult.rejected.append((r.id, error))
            }
        }
        if core.hasUnfinishedRequests, let outcome = core.step(now: now) {
            now = outcome.end
            var tokens = 0
            for e in outcome.events { tokens += e.newTokens }
            api.stepOutputs(tokens: tokens, at: outcome.end)
            stepResult.outcome = outcome
        }
        return stepResult
    }
}

/// What one ``EngineDriver/advance()`` did.
public struct DriverStep {
    /// Requests that entered the engine, at the driver's `now` before the step.
    public var admitted: [UInt64] = []
    /// Requests the engine refused (vLLM's errors), with the reason.
    public var rejected: [(id: UInt64, error: EngineError)] = []
    /// The step that ran, if any; its events are delivered at `outcome.end`.
    public var outcome: StepOutcome?
}
