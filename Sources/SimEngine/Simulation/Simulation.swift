import MoECore

/// An in-process discrete-event simulation: one engine, one workload, a virtual clock, no HTTP (docs/engine.md "Clocks").
///
/// The client side of the loop sends each request when its time has come; everything else is the one engine
/// driver (``EngineDriver``): admission after the calibrated frontend latency, steps, and jumps over idle time. Requests that arrive during a step are seen by the
/// next one, as vLLM's engine loop sees them. Under a concurrency cap a request is sent when its arrival time has
/// come and fewer than the cap are in flight; its send time is its `arrival_s`.
///
/// Deterministic: the same configuration, workload and seed give identical results. Single-threaded.
public enum Simulation {
    /// Runs `workload` to completion on an engine built from `config`.
    /// - Parameter keepSteps: whether to keep every step's summary (for batch records).
    /// - Throws: ``EngineConfigError`` when the engine cannot be built; ``SimulationInputError`` when a request is
    ///   refused by the engine (e.g. longer than `max_model_len`) or the engine stalls.
    public static func run(config: EngineConfig, workload: Workload, keepSteps: Bool = true) throws
        -> SimulationResult
    {
        let driver = EngineDriver(core: try EngineCore(config: config))
        let engine = driver.core
        var tally = SimulationTally(promptTokens: workload.requests.map(\.promptTokens), keepSteps: keepSteps)
        var client = WorkloadClient(workload)
        while !client.isFinished {
            // The client sends before the engine moves on when both are due at the same moment.
            if client.nextSendTime <= driver.nextEventTime ?? .infinity {
                let (i, request, time) = client.send()
                tally.sent(i, at: time)
                driver.submit(request, at: time)
                continue
            }
            guard driver.nextEventTime != nil else {
                throw SimulationInputError("the simulation stalled: \(client.remaining) requests never started")
            }
            let step = driver.advance()
            if let (id, error) = step.rejected.first { throw SimulationInputError("request \(id): \(error)") }
            guard let outcome = step.outcome else {
                if engine.hasUnfinishedRequests {
                    throw SimulationInputError("the engine stalled with \(engine.numUnfinished) unfinished requests")
                }
                continue
            }
            client.finished(tally.stepEnded(outcome), at: outcome.end)
        }
        return tally.result(config: config, simulatedSeconds: driver.now, engines: [engine])
    }
}
