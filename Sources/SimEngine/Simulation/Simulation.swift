import MoECore

/// An in-process discrete-event simulation: one engine, one workload, a virtual clock, no HTTP (docs/engine.md "Clocks").
///
/// The client side of the loop sends each request when its time has come; everything else is the one engine
/// driver (``EngineDriver``): the API server, admission after the calibrated frontend latency, steps, and jumps
/// over idle time. A request's first token and finish are the moments the API server delivers them. Requests that arrive during a step are seen by the
/// next one, as vLLM's engine loop sees them. Under a concurrency cap a request is sent when its arrival time has
/// come and fewer than the cap are in flight; its send time is its `arrival_s`.
///
/// Deterministic: the same configuration, workload and seed give identical results. Single-threaded.
package enum Simulation {
    /// Runs `workload` to completion on an engine built from `config`.
    /// - Parameter keepSteps: whether to keep every step's summary (for batch records).
    /// - Throws: ``EngineConfigError`` when the engine cannot be built; ``SimulationInputError`` when a request is
    ///   refused by the engine (e.g. longer than `max_model_len`) or the engine stalls.
    package static func run(config: EngineConfig, workload: Workload, keepSteps: Bool = true) throws
        -> SimulationResult
    {
        // Only the chunks the tally reads (first tokens and finishes) are handed out; the times are the same.
        var service = DriverService(driver: EngineDriver(core: try EngineCore(config: config), everyChunk: false))
        let tally = try drive(workload, keepSteps: keepSteps, through: &service, stalled: "started")
        return tally.result(config: config, simulatedSeconds: service.driver.now, engines: [service.driver.core])
    }

    /// ``run(config:workload:keepSteps:)`` with every stream chunk the API server writes handed out (not only
    /// first tokens and finishes), for client-side statistics (``StreamStatistics``). The times are the same as
    /// `run`'s: only what is handed out differs (docs/engine.md §12).
    /// - Returns: the result and every chunk, in delivery order.
    package static func runDeliveringEveryChunk(config: EngineConfig, workload: Workload) throws
        -> (result: SimulationResult, chunks: [TokenDelivery])
    {
        var service = ChunkRecorder(
            inner: DriverService(driver: EngineDriver(core: try EngineCore(config: config), everyChunk: true)))
        let tally = try drive(workload, keepSteps: false, through: &service, stalled: "started")
        let result = tally.result(
            config: config, simulatedSeconds: service.inner.driver.now, engines: [service.inner.driver.core])
        return (result, service.chunks)
    }

    /// The one run loop of every in-process runner: sends each request of `workload` when ``WorkloadClient``
    /// says so and moves `service` on otherwise; the client sends before the service moves on when both are due
    /// at the same moment.
    /// - Parameter stalled: how the stall error ends ("requests never `stalled`").
    /// - Throws: what `service` throws; ``SimulationInputError`` when the service has nothing left to do while
    ///   requests are unfinished.
    package static func drive(
        _ workload: Workload, keepSteps: Bool, through service: inout some SimulatedService, stalled: String
    ) throws -> SimulationTally {
        var tally = SimulationTally(promptTokens: workload.requests.map(\.promptTokens), keepSteps: keepSteps)
        var client = WorkloadClient(workload)
        while !client.isFinished {
            if client.nextSendTime <= service.nextEventTime ?? .infinity {
                let (i, request, time) = client.send()
                tally.sent(i, at: time)
                service.send(request, at: time)
                continue
            }
            guard service.nextEventTime != nil else {
                throw SimulationInputError("the simulation stalled: \(client.remaining) requests never \(stalled)")
            }
            try service.advance(
                before: client.nextSendTime,
                stepEnded: { outcome, kept in tally.stepEnded(outcome, kept: kept) },
                delivered: { d in
                    guard tally.delivered(d) else { return false }
                    client.finished(1, at: d.time)
                    return true
                })
        }
        return tally
    }
}

/// What an in-process run sends its workload to: one engine driver (``Simulation``) or a whole serving cluster
/// (`ServedSimulation` in FakeSLLM). Single-threaded.
package protocol SimulatedService {
    /// When the next event happens; nil when there is nothing left to do.
    var nextEventTime: Double? { get }
    /// The client sends `request` at simulated time `time`.
    mutating func send(_ request: EngineRequest, at time: Double)
    /// Runs the next event, reporting each engine step that ends, with whether its summary belongs to the records,
    /// and each stream chunk the API server delivers (the client's view of the tokens), in time order.
    mutating func advance(stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Void) throws
    /// ``advance(stepEnded:delivered:)``, possibly followed by further events without returning, while they are
    /// what the run loop would do next anyway: the client's next send is at `horizon` and changes only when
    /// `delivered` returns true (a request finished). The same events, in the same order, as one call per event.
    mutating func advance(
        before horizon: Double, stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Bool
    ) throws
}

extension SimulatedService {
    /// One event per call.
    package mutating func advance(
        before horizon: Double, stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Bool
    ) throws {
        try advance(stepEnded: stepEnded, delivered: { _ = delivered($0) })
    }
}

/// One engine through its driver.
struct DriverService: SimulatedService {
    let driver: EngineDriver

    var nextEventTime: Double? {
        switch (driver.nextEventTime, driver.nextDeliveryTime) {
        case (let e?, let d?): return min(e, d)
        case (let e?, nil): return e
        case (nil, let d): return d
        }
    }

    func send(_ request: EngineRequest, at time: Double) { driver.submit(request, at: time) }

    /// The API server's deliveries, one delivery time after another, while each is before the engine's next event
    /// and the client's next send and no request finishes (``EngineDriver/deliver(before:_:)``); else one event.
    func advance(
        before horizon: Double, stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Bool
    ) throws {
        if let d = driver.nextDeliveryTime, d <= driver.nextEventTime ?? .infinity {
            // The first delivery time is taken whatever `horizon` says, as the one-event call would.
            driver.deliver(before: horizon > d ? horizon : d.nextUp, delivered)
            return
        }
        try advance(stepEnded: stepEnded, delivered: { _ = delivered($0) })
    }

    func advance(stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Void) throws {
        // The API server's deliveries first, up to the engine's next event: the client sees them in time order.
        if let d = driver.nextDeliveryTime, d <= driver.nextEventTime ?? .infinity {
            for x in driver.deliveries(upTo: d) { delivered(x) }
            return
        }
        let step = driver.advance()
        for x in step.delivered { delivered(x) }
        if let (id, error) = step.rejected.first { throw SimulationInputError("request \(id): \(error)") }
        guard let outcome = step.outcome else {
            if driver.core.hasUnfinishedRequests {
                throw SimulationInputError("the engine stalled with \(driver.core.numUnfinished) unfinished requests")
            }
            return
        }
        stepEnded(outcome, true)
    }
}

/// A service that keeps a copy of every chunk its inner service delivers. Single-threaded.
struct ChunkRecorder<Inner: SimulatedService>: SimulatedService {
    var inner: Inner
    private(set) var chunks: [TokenDelivery] = []

    init(inner: Inner) { self.inner = inner }

    var nextEventTime: Double? { inner.nextEventTime }

    mutating func send(_ request: EngineRequest, at time: Double) { inner.send(request, at: time) }

    mutating func advance(stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Void) throws {
        var got: [TokenDelivery] = []
        try inner.advance(
            stepEnded: stepEnded,
            delivered: { d in
                got.append(d)
                delivered(d)
            })
        chunks += got
    }

    mutating func advance(
        before horizon: Double, stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Bool
    ) throws {
        var got: [TokenDelivery] = []
        try inner.advance(
            before: horizon, stepEnded: stepEnded,
            delivered: { d in
                got.append(d)
                return delivered(d)
            })
        chunks += got
    }
}
