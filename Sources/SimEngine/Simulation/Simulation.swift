import MoECore

/// An in-process discrete-event simulation: one engine, one workload, a virtual clock, no HTTP (DESIGN §4 "Clock").
///
/// The loop: admit every request whose engine-arrival time has come (its send time plus the calibrated frontend
/// latency), run one engine step from the current time, advance the clock to the step's end, deliver its
/// tokens; when the engine is idle, jump to the next arrival. Requests that arrive during a step are seen by the
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
        let engine = try EngineCore(config: config)
        let n = workload.requests.count
        // Every request's trip through the API server to the engine (tokenization, IPC) takes the calibrated time.
        let frontend = [Double](repeating: config.calibration.frontendLatency, count: n)
        var timings = [RequestTiming](repeating: RequestTiming(), count: n)
        var steps: [StepSummary] = []
        if keepSteps { steps.reserveCapacity(n * 2) }
        var clock = 0.0
        var nextToSend = 0
        var inFlight = 0
        var done = 0
        // Sent but not yet seen by the engine, in send order (engine arrival = send + frontend latency).
        var pendingAdmission: [Int] = []
        var pendingHead = 0
        let cap = workload.maxConcurrency ?? Int.max
        var stepCount = 0
        var decodeLatencySum = 0.0
        var decodeSteps = 0
        var prefillLatencySum = 0.0
        var prefillSteps = 0
        var activationSumDecode = 0.0
        // When the concurrency cap last released a slot: a request held back by the cap is sent then.
        var capReleasedAt = 0.0

        func send(upTo time: Double) {
            while nextToSend < n, inFlight < cap, workload.requests[nextToSend].arrival <= time {
                let i = nextToSend
                timings[i].arrival = max(workload.requests[i].arrival, capReleasedAt)
                pendingAdmission.append(i)
                nextToSend += 1
                inFlight += 1
            }
        }

        while done < n {
            send(upTo: clock)
            // Admit everything that has reached the engine by now.
            while pendingHead < pendingAdmission.count {
                let i = pendingAdmission[pendingHead]
                guard timings[i].arrival + frontend[i] <= clock else { break }
                let w = workload.requests[i]
                do {
                    try engine.add(
                        EngineRequest(
                            id: UInt64(i), promptTokens: w.promptTokens, maxTokens: w.maxTokens,
                            outputTokens: w.outputTokens, ignoreEOS: w.ignoreEOS,
                            prefixBlockHashes: w.prefixBlockHashes, arrival: timings[i].arrival))
                } catch {
                    throw SimulationInputError("request \(i): \(error)")
                }
                pendingHead += 1
            }
            if engine.hasUnfinishedRequests {
                guard let outcome = engine.step(now: clock) else {
                    throw SimulationInputError("the engine stalled with \(engine.numUnfinished) unfinished requests")
                }
                stepCount += 1
                clock = outcome.end
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
            } else {
                // Idle: jump to the next moment something reaches the engine.
                var next = Double.infinity
                if pendingHead < pendingAdmission.count {
                    let i = pendingAdmission[pendingHead]
                    next = timings[i].arrival + frontend[i]
                } else if nextToSend < n, inFlight < cap {
                    next = workload.requests[nextToSend].arrival + frontend[nextToSend]
                }
                guard next.isFinite else {
                    throw SimulationInputError("the simulation stalled: \(n - done) requests never started")
                }
                guard next > clock else {
                    throw SimulationInputError("the simulation stalled at t = \(clock) s")
                }
                clock = next
            }
        }
        for i in 0..<n { timings[i].promptTokens = workload.requests[i].promptTokens }
        return SimulationResult(
            config: config, timings: timings, steps: steps, simulatedSeconds: clock, stepCount: stepCount,
            decodeSteps: decodeSteps, decodeLatencySum: decodeLatencySum, prefillSteps: prefillSteps,
            prefillLatencySum: prefillLatencySum,
            meanDecodeActivation: decodeSteps > 0
                ? activationSumDecode / Double(decodeSteps) : 0,
            preemptions: engine.preemptions, prefixHitTokens: engine.prefixCacheHitTokens,
            admittedPromptTokens: engine.admittedPromptTokens, kvCacheTokens: engine.kvCacheTokens,
            routingWallSeconds: engine.routingWallSeconds)
    }
}
