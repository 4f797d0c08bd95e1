import MoECore

/// The one driver of a simulated engine: moves requests through the front end into an ``EngineCore`` and the
/// engine through its steps, on a simulated timeline (docs/engine.md "The driver").
///
/// Event-driven and pure: nothing sleeps and nothing reads a clock. A request submitted at simulated time `t`
/// first queues for the API server (``APIServerLoop``: one event loop that sets every request up, processes every
/// step's outputs and writes every stream chunk, one piece at a time), then reaches the engine `frontendLatency`
/// after its set-up ends and is seen by the first step that starts at or after that moment, as vLLM's engine loop
/// sees new requests between steps. A step's tokens reach their clients when the API server has written them
/// (``TokenDelivery``, taken with ``deliveries(upTo:)``), not when the step ends: the engine keeps stepping while
/// the API server is behind. ``nextEventTime`` says when something can happen next; ``advance()`` makes it happen.
/// Whoever owns the driver decides how simulated time maps to wall time: `Simulation` runs it as fast as it can,
/// the server paces it (``PacedClock``).
///
/// Threading: not `Sendable`; one thread (or one serial executor) at a time.
/// Determinism: the same engine configuration and the same calls give the same outcomes.
package final class EngineDriver {
    /// The engine it drives.
    package let core: EngineCore
    /// Simulated seconds from the end of a request's set-up in the API server to its arrival in the engine.
    package var frontendLatency: Double { core.config.calibration.frontendLatency }
    /// The simulated time the driver has reached: the end of the last step, or the last admission.
    package private(set) var now: Double

    // One thread at a time, and the closures the driver hands to the API server touch only `pending` (and locals)
    // while the API server is being run, never the API server itself, so no two accesses to one property overlap
    // (release builds leave out the run-time exclusivity check: docs/swift-interop.md (f)).
    private var api: APIServerLoop
    /// Requests on their way to the engine, at the moment they reach it.
    private var pending = TimedQueue<EngineRequest>()
    private var stepResult = DriverStep()
    private var deliveredBuffer: [TokenDelivery] = []

    /// - Parameters:
    ///   - startTime: simulated time at which the engine is ready (after any cold start).
    ///   - everyChunk: whether every stream chunk is a ``TokenDelivery`` (a server streams them all to its
    ///     clients); when false only the chunks carrying a request's first token or its finish are, all that an
    ///     in-process run records. The API server's work, and so every time, is the same either way.
    package init(core: EngineCore, startTime: Double = 0, everyChunk: Bool = true) {
        self.core = core
        api = APIServerLoop(
            calibration: core.config.calibration, harmony: core.config.model.rendersChatWithHarmony,
            startTime: startTime, everyChunk: everyChunk)
        now = startTime
    }

    /// Submits a request that the client sent at simulated time `arrival`. Its `arrival` field is set to the
    /// moment it enters the engine.
    package func submit(_ request: EngineRequest, at arrival: Double) {
        api.submit(request, at: arrival)
    }

    /// Drops a request (the client went away), wherever it is; no event is produced for it.
    package func abort(id: UInt64) {
        if api.remove(id: id) { return }
        if pending.remove(where: { $0.id == id }) == nil {
            core.abort(id: id)
        }
    }

    /// Requests submitted and not yet finished for their clients (in the API server's set-up, on their way, in
    /// the engine, or with tokens not yet delivered).
    package var unfinished: Int { api.waiting + api.streams }

    /// When the next event happens: now while the engine has work, else the earliest of the next request reaching
    /// the engine, the API server's next piece of work and its next delivery; nil when there is nothing to do.
    package var nextEventTime: Double? { nextEventTime(apiNext: api.nextEventTime) }

    /// ``nextEventTime`` when the API server's next event is at `apiNext`.
    private func nextEventTime(apiNext: Double?) -> Double? {
        if core.hasUnfinishedRequests { return now }
        var t = pending.firstTime ?? .infinity
        if let a = apiNext { t = min(t, a) }
        return t.isFinite ? max(now, t) : nil
    }

    /// When the API server next works or delivers tokens (possibly before ``now``: a step in progress does not
    /// stop it); nil when it has nothing to do.
    package var nextDeliveryTime: Double? { api.nextEventTime }

    /// Runs the API server up to `time` (which may be earlier than ``now``) and returns the tokens it delivered
    /// at or before `time`, in time order. Requests whose set-up ends meanwhile are admitted by the next
    /// ``advance()``. The returned array is valid until the next call.
    package func deliveries(upTo time: Double) -> [TokenDelivery] {
        deliveredBuffer.removeAll(keepingCapacity: true)
        api.run(until: time) { request, readyAt in pending.append(request, at: readyAt) }
        api.takeDeliveries(upTo: time, into: &deliveredBuffer)
        return deliveredBuffer
    }

    /// Takes the API server's deliveries one delivery time at a time, each time exactly as
    /// ``deliveries(upTo:)`` at ``nextDeliveryTime`` would, for as long as that time is before `horizon` and not
    /// after ``nextEventTime``; hands each delivery to `deliver`, and stops after a delivery time at which
    /// `deliver` returned true. For an owner whose next move depends only on `horizon` and on what `deliver`
    /// reports, this is the same as asking one delivery time per turn.
    package func deliver(before horizon: Double, _ deliver: (TokenDelivery) -> Bool) {
        // ``nextEventTime(apiNext:)`` at `t`, from values the API server's work does not change (it only appends
        // to `pending`, whose head then changes only if it was empty). Kept in locals: calling that function
        // here reads the class's properties once per delivery, 12 % more instructions on bench-sim's burst.
        let busy = core.hasUnfinishedRequests
        let now = now
        var pendingFirst = pending.firstTime
        api.runAndDeliver(
            before: horizon,
            // `t` is permitted when `t <= now`, or (engine idle) when no request reaches the engine before it.
            bound: { busy ? now : max(now, pendingFirst ?? .infinity) },
            ready: { request, readyAt in
                pending.append(request, at: readyAt)
                if pendingFirst == nil { pendingFirst = readyAt }
            },
            deliver: deliver)
    }

    /// Moves to ``nextEventTime`` (or to `notBefore` when that is later: an owner that runs several drivers on
    /// one timeline never lets a step start in its past), admits every request that has reached the engine by
    /// then and runs one step if the engine has work. The returned value is valid until the next call.
    package func advance(notBefore: Double = -.infinity) -> DriverStep {
        stepResult.admitted.removeAll(keepingCapacity: true)
        stepResult.rejected.removeAll(keepingCapacity: true)
        stepResult.outcome = nil
        stepResult.delivered.removeAll(keepingCapacity: true)
        guard let t = nextEventTime else { return stepResult }
        now = max(t, notBefore)
        api.run(until: now) { request, readyAt in pending.append(request, at: readyAt) }
        api.takeDeliveries(upTo: now, into: &stepResult.delivered)
        while let readyAt = pending.firstTime, readyAt <= now {
            var r = pending.popFirst()!
            r.arrival = now
            do {
                try core.add(r)
                stepResult.admitted.append(r.id)
            } catch {
                _ = api.remove(id: r.id)
                stepResult.rejected.append((r.id, error))
            }
        }
        if core.hasUnfinishedRequests, let outcome = core.step(now: now) {
            now = outcome.end
            api.stepEnded(outcome.events, at: outcome.end)
            stepResult.outcome = outcome
        }
        return stepResult
    }
}

/// What one ``EngineDriver/advance()`` did.
package struct DriverStep {
    /// Requests that entered the engine, at the driver's `now` before the step.
    package var admitted: [UInt64] = []
    /// Requests the engine refused (vLLM's errors), with the reason.
    package var rejected: [(id: UInt64, error: EngineError)] = []
    /// Tokens the API server delivered at or before the driver's `now` before the step (those not already taken
    /// with ``EngineDriver/deliveries(upTo:)``), in time order.
    package var delivered: [TokenDelivery] = []
    /// The step that ran, if any; its events are what the engine emits at `outcome.end` (records, metrics); its
    /// tokens reach clients later, as ``TokenDelivery``s.
    package var outcome: StepOutcome?
}
