import MoECore
import SimEngine

/// One deployment's view of the metrics registry (docs/metrics.md): the API layer reports each engine request
/// (``requestSubmitted(id:promptTokens:maxTokens:)`` before handing it to the host, then
/// ``requestArrived(id:at:queuedAt:)`` with the simulated arrival the host gave it), the host hands it every step
/// (``observe(step:)``), aborts and refusals are reported as they happen. It keeps each request's timestamps and
/// turns them into vLLM's per-request histograms when the request finishes. All times are simulated seconds.
///
/// Thread-safe: steps come from the host thread, the rest from HTTP threads. A request can run (on a virtual
/// clock, entirely) before its arrival is reported; what needs the arrival waits for it.
public final class EngineMetrics: Sendable {
    /// What is known of one request in flight.
    struct Timeline: Sendable {
        /// Arrival at the API server and entry into the engine's queue; nil until the host has said.
        var arrival: Double?
        var queued: Double?
        var promptTokens: Int
        var maxTokens: Int
        var firstScheduled: Double?
        var firstToken: Double?
        var lastToken: Double?
        var outputTokens = 0
        /// Finished (reason, time) before the arrival was known.
        var finished: (reason: String, at: Double)?
        /// Whether TTFT has been observed.
        var ttftObserved = false
    }

    public let registry: MetricsRegistry
    public let modelName: String
    private let labels: [String]
    private let requests = Locked<(all: [UInt64: Timeline], lastStepEnd: Double)>(([:], 0))
    /// Each instance's scheduler state after its latest step (the `sllm` mode runs several engines).
    private let engines = Locked<[String: (running: Int, waiting: Int, kv: Double)]>([:])

    /// Registers the model's series (every `finished_reason` of `request_success` at zero, as vLLM does).
    public init(registry: MetricsRegistry, modelName: String, maxModelLen: Int) {
        self.registry = registry
        self.modelName = modelName
        labels = [modelName, "0"]
        for family in MetricCatalog.families(maxModelLen: maxModelLen) { registry.declare(family) }
        for reason in ["stop", "length", "abort"] {
            registry.touch(MetricCatalog.VLLM.requestSuccess, labels + [reason])
        }
        for name in [
            MetricCatalog.VLLM.running, MetricCatalog.VLLM.waiting, MetricCatalog.VLLM.kvCacheUsage,
            MetricCatalog.VLLM.promptTokens, MetricCatalog.VLLM.generationTokens, MetricCatalog.VLLM.preemptions,
        ] {
            registry.touch(name, labels)
        }
    }

    /// A request is about to be handed to the host.
    func requestSubmitted(id: UInt64, promptTokens: Int, maxTokens: Int) {
        requests.withLock { $0.all[id] = Timeline(promptTokens: promptTokens, maxTokens: maxTokens) }
    }

    /// The host gave the request its simulated arrival `arrival`; it reaches the engine's queue at `queuedAt`.
    func requestArrived(id: UInt64, at arrival: Double, queuedAt: Double) {
        let ready = requests.withLock { r -> Timeline? in
            guard var t = r.all[id] else { return nil }
            t.arrival = arrival
            t.queued = queuedAt
            if t.finished != nil {
                r.all[id] = nil
                return t
            }
            r.all[id] = t
            return t.firstToken != nil && !t.ttftObserved ? t : nil
        }
        guard let t = ready else { return }
        if let first = t.firstToken, t.finished == nil {
            requests.withLock { $0.all[id]?.ttftObserved = true }
            registry.observe(MetricCatalog.VLLM.ttft, labels, first - arrival)
        }
        if let f = t.finished { finish(t, reason: f.reason, at: f.at) }
    }

    /// The request never ran (the engine refused it, or the deployment stopped): forgotten, not counted.
    func requestFailed(id: UInt64) { requests.withLock { _ = $0.all.removeValue(forKey: id) } }

    /// The client went away before the request finished: counted as `finished_reason="abort"` at the latest
    /// step's end.
    func requestAborted(id: UInt64) {
        let (t, now) = requests.withLock { r in (r.all.removeValue(forKey: id), r.lastStepEnd) }
        guard var t, t.finished == nil else { return }
        if t.arrival == nil { t.arrival = now }
        finish(t, reason: "abort", at: now)
    }

    /// One engine step of instance `instance`: the scheduler gauges (running and waiting summed over the
    /// deployment's engines, KV usage their mean), token counters, per-token latencies, finished requests and the
    /// simulator's own per-step series.
    func observe(step: StepOutcome, instance: String = "") {
        let V = MetricCatalog.VLLM.self
        let S = MetricCatalog.Sim.self
        let r = registry
        let totals = engines.withLock { e in
            e[instance] = (step.numRunning, step.numWaiting, step.kvCacheUsage)
            return e.values.reduce((running: 0, waiting: 0, kv: 0.0)) {
                ($0.running + $1.running, $0.waiting + $1.waiting, $0.kv + $1.kv / Double(e.count))
            }
        }
        r.set(V.running, labels, to: Double(totals.running))
        r.set(V.waiting, labels, to: Double(totals.waiting))
        r.set(V.kvCacheUsage, labels, to: totals.kv)
        r.observe(V.iterationTokens, labels, Double(step.scheduledTokens))

        var promptTokens = 0
        var generated = 0
        var preempted = 0
        var finished: [(Timeline, String)] = []
        var ttfts: [Double] = []
        var itls: [Double] = []
        requests.withLock { r in
            r.lastStepEnd = step.end
            for e in step.events {
                guard var t = r.all[e.id] else { continue }
                if e.preempted {
                    preempted += 1
                    continue
                }
                if t.firstScheduled == nil { t.firstScheduled = step.start }
                if e.newTokens > 0 {
                    if e.isFirstToken || t.firstToken == nil {
                        t.firstToken = step.end
                        if let arrival = t.arrival {
                            ttfts.append(step.end - arrival)
                            t.ttftObserved = true
                        }
                        promptTokens += t.promptTokens
                    } else if let last = t.lastToken {
                        itls.append(step.end - last)
                    }
                    t.lastToken = step.end
                    t.outputTokens = e.outputTokens
                    generated += e.newTokens
                }
                if let reason = e.finished {
                    if t.arrival == nil {
                        // Its arrival is not reported yet: finish it when it is.
                        t.finished = (reason.rawValue, step.end)
                        r.all[e.id] = t
                    } else {
                        r.all[e.id] = nil
                        finished.append((t, reason.rawValue))
                    }
                } else {
                    r.all[e.id] = t
                }
            }
        }
        r.increment(V.promptTokens, labels, by: Double(promptTokens))
        r.increment(V.generationTokens, labels, by: Double(generated))
        r.increment(V.preemptions, labels, by: Double(preempted))
        for v in ttfts { r.observe(V.ttft, labels, v) }
        for v in itls {
            r.observe(V.interTokenLatency, labels, v)
            r.observe(V.timePerOutputToken, labels, v)
        }
        for (t, reason) in finished { finish(t, reason: reason, at: step.end) }

        let mode = [modelName, step.forwardMode.rawValue]
        r.increment(S.steps, mode)
        r.observe(S.stepLatency, mode, step.latency)
        r.observe(S.expertActivation, mode, step.expertActivation)
        r.set(S.lastExpertActivation, [modelName], to: step.expertActivation)
        r.observe(S.bandwidthUtilization, mode, step.truth.bandwidthUtilization)
        r.observe(S.flopsUtilization, mode, step.truth.flopsUtilization)
        r.increment(S.flops, mode, by: step.truth.flops)
        r.increment(S.bytes, mode, by: step.truth.bytes)
        r.set(S.clock, [modelName], to: step.end)
    }

    /// vLLM's `FinishedRequestStats`: success counter, e2e, queue, prefill, decode and inference times, token
    /// counts and the per-request TPOT.
    private func finish(_ t: Timeline, reason: String, at end: Double) {
        let V = MetricCatalog.VLLM.self
        let r = registry
        r.increment(V.requestSuccess, labels + [reason])
        let arrival = t.arrival ?? end
        let scheduled = t.firstScheduled ?? end
        let firstToken = t.firstToken ?? end
        if !t.ttftObserved, t.firstToken != nil { r.observe(V.ttft, labels, firstToken - arrival) }
        r.observe(V.e2eLatency, labels, end - arrival)
        r.observe(V.queueTime, labels, max(0, scheduled - (t.queued ?? arrival)))
        r.observe(V.prefillTime, labels, firstToken - scheduled)
        r.observe(V.decodeTime, labels, end - firstToken)
        r.observe(V.inferenceTime, labels, end - scheduled)
        r.observe(V.requestPromptTokens, labels, Double(t.promptTokens))
        r.observe(V.requestGenerationTokens, labels, Double(t.outputTokens))
        r.observe(V.maxTokensParam, labels, Double(t.maxTokens))
        if t.outputTokens > 1 {
            r.observe(V.requestTimePerOutputToken, labels, (end - firstToken) / Double(t.outputTokens - 1))
        }
    }
}
