/// Collects what a simulation produces — per-request timelines, per-step summaries, aggregates — from the steps
/// of one or more engine drivers, so every in-process runner builds its ``SimulationResult`` the same way.
package struct SimulationTally {
    private(set) var timings: [RequestTiming]
    private var steps: [StepSummary] = []
    private let keepSteps: Bool
    private var stepCount = 0
    private var decodeLatencySum = 0.0
    private var decodeSteps = 0
    private var prefillLatencySum = 0.0
    private var prefillSteps = 0
    private var activationSumDecode = 0.0

    /// - Parameters:
    ///   - promptTokens: each request's prompt length; request ids are indices into it.
    ///   - keepSteps: whether to keep every step's summary (for batch records).
    package init(promptTokens: [Int], keepSteps: Bool) {
        timings = promptTokens.map { p in
            var t = RequestTiming()
            t.promptTokens = p
            return t
        }
        self.keepSteps = keepSteps
        if keepSteps { steps.reserveCapacity(promptTokens.count * 2) }
    }

    /// Request `index` was sent at simulated time `time`.
    package mutating func sent(_ index: Int, at time: Double) { timings[index].arrival = time }

    /// A step ended; `kept` says whether its summary belongs to the records (e.g. the recorded instance).
    package mutating func stepEnded(_ outcome: StepOutcome, kept: Bool = true) {
        stepCount += 1
        if outcome.forwardMode == .decode {
            decodeLatencySum += outcome.latency
            decodeSteps += 1
            activationSumDecode += outcome.expertActivation
        } else {
            prefillLatencySum += outcome.latency
            prefillSteps += 1
        }
        if keepSteps, kept { steps.append(StepSummary(outcome)) }
        for e in outcome.events where e.preempted { timings[Int(e.id)].preemptions += 1 }
    }

    /// The API server delivered tokens to a client: the request's first token and finish are the client's
    /// moments (docs/engine.md §10). Returns whether it finished the request.
    package mutating func delivered(_ d: TokenDelivery) -> Bool {
        let i = Int(d.id)
        if d.isFirstToken { timings[i].firstToken = d.time }
        guard let reason = d.finished else { return false }
        timings[i].finish = d.time
        timings[i].outputTokens = d.outputTokens
        timings[i].finishReason = reason
        return true
    }

    /// The result; engine-wide counters are summed over the engines that ran.
    package func result(config: EngineConfig, simulatedSeconds: Double, engines: [EngineCore]) -> SimulationResult {
        SimulationResult(
            config: config, timings: timings, steps: steps, simulatedSeconds: simulatedSeconds, stepCount: stepCount,
            decodeSteps: decodeSteps, decodeLatencySum: decodeLatencySum, prefillSteps: prefillSteps,
            prefillLatencySum: prefillLatencySum,
            meanDecodeActivation: decodeSteps > 0 ? activationSumDecode / Double(decodeSteps) : 0,
            preemptions: engines.reduce(0) { $0 + $1.preemptions },
            prefixHitTokens: engines.reduce(0) { $0 + $1.prefixCacheHitTokens },
            admittedPromptTokens: engines.reduce(0) { $0 + $1.admittedPromptTokens },
            kvCacheTokens: engines.first?.kvCacheTokens ?? 0,
            routingWallSeconds: engines.reduce(0) { $0 + $1.routingWallSeconds })
    }
}
