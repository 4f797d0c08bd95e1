import MoECore

/// An in-process discrete-event simulation: one engine, one workload, a virtual clock, no HTTP (DESIGN §4 "Clock").
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
        let n = workload.requests.count
        var timings = [RequestTiming](repeating: RequestTiming(), count: n)
        var steps: [StepSummary] = []
        if keepSteps { steps.reserveCapacity(n * 2) }
        var nextToSend = 0
        var inFlight = 0
        var done = 0
        let cap = workload.maxConcurrency ?? Int.max
        var stepCount = 0
        var decodeLatencySum = 0.0
        var decodeSteps = 0
        var prefillLatencySum = 0.0
        var prefillSteps = 0
        var activationSumDecode = 0.0
        // When the concurrency cap last released a slot: a request held back by the cap is sent then.
        var capReleasedAt = 0.0

        while done < n {
            // The client sends before the engine moves on when both are due at the same moment.
            let sendAt =
                nextToSend < n && inFlight < cap
                ? max(workload.requests[nextToSend].arrival, capReleasedAt) : Double.infinity
            if sendAt <= driver.nextEventTime ?? .infinity {
                let i = nextToSend
                let w = workload.requests[i]
                timings[i].arrival = sendAt
                driver.submit(
                    EngineRequest(
                        id: UInt64(i), promptTokens: w.promptTokens, maxTokens: w.maxTokens,
                        outputTokens: w.outputTokens, ignoreEOS: w.ignoreEOS,
                        prefixBlockHashes: w.prefixBlockHashes),
                    at: sendAt)
                nextToSend += 1
                inFlight += 1
                continue
            }
            guard driver.nextEventTime != nil else {
                throw SimulationInputError("the simulation stalled: \(n - done) requests never started")
            }
            let step = driver.advance()
            if let (id, error) = step.rejected.first { throw SimulationInputError("request \(id): \(error)") }
            guard let outcome = step.outcome else {
                if engine.hasUnfinishedRequests {
                    throw SimulationInputError("the engine stalled with \(engine.numUnfinished) unfinished requests")
                }
                continue
            }
            stepCount += 1
            let clock = outcome.end
            if outcome.forwardMode == .decode {
                decodeLatencySum += outcome.latency
                decodeSteps += 1
                activationSumDecode += outcome.expertActivation
            } else {
                prefillLatencySum += outcome.latency
                prefillSteps += 1
            }
            if keepSteps { steps.append(StepSummary(outcome)) }
            for e in outcome.events {
                let i = Int(e.id)
                if e.preempted {
                    timings[i].preemptions += 1
                    continue
                }
                if e.isFirstToken { timings[i].firstToken = clock }
                if let reason = e.finished {
                    timings[i].finish = clock
                    timings[i].outputTokens = e.outputTokens
                    timings[i].finishReason = reason
                    done += 1
                    if inFlight == cap { capReleasedAt = clock }
                    inFlight -= 1
                }
            }
        }
        for i in 0..<n { timings[i].promptTokens = workload.requests[i].promptTokens }
        return SimulationResult(
            config: config, timings: timings, steps: steps, simulatedSeconds: driver.now, stepCount: stepCount,
            decodeSteps: decodeSteps, decodeLatencySum: decodeLatencySum, prefillSteps: prefillSteps,
            prefillLatencySum: prefillLatencySum,
            meanDecodeActivation: decodeSteps > 0
                ? activationSumDecode / Double(decodeSteps) : 0,
            preemptions: engine.preemptions, prefixHitTokens: engine.prefixCacheHitTokens,
            admittedPromptTokens: engine.admittedPromptTokens, kvCacheTokens: engine.kvCacheTokens,
            routingWallSeconds: engine.routingWallSeconds)
    }
}
