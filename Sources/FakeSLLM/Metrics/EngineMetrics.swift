import SimEngine
import Synchronization

/// One deployment's view of the metrics registry (docs/metrics.md): the serving layer tells it when a request
/// enters the engine (``requestQueued(id:arrival:queued:promptTokens:maxTokens:)``), hands it every step
/// (``observe(step:)``) and reports aborts (``requestAborted(id:at:)``); it keeps each request's timestamps and
/// turns them into vLLM's per-request histograms when the request finishes. All times are simulated seconds.
///
/// Thread-safe: steps come from the engine thread, aborts from any thread.
public final class EngineMetrics: Sendable {
    /// What is known of one request in flight.
    struct Timeline: Sendable {
        var arrival: Double
        var queued: Double
        var promptTokens: Int
        var maxTokens: Int
        var firstScheduled: Double?
        var firstToken: Double?
        var lastToken: Double?
        var outputTokens = 0
    }

    public let registry: MetricsRegistry
    public let modelName: String
    private let labels: [String]
    private let requests = Mutex<[UInt64: Timeline]>([:])

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

    /// A request entered the engine's waiting queue at simulated time `queued`, having arrived at the API server at
    /// `arrival` (≤ `queued`).
    public func requestQueued(id: UInt64, arrival: Double, queued: Double, promptTokens: Int, maxTokens: Int) {
        requests.withLock {
            $0[id] = Timeline(arrival: arrival, queued: queued, promptTokens: promptTokens, maxTokens: maxTokens)
        }
    }

    /// A request left before finishing (client gone): counted as `finished_reason="abort"`.
    public func requestAborted(id: UInt64, at time: Double) {
        guard let t = requests.withLock({ $0.removeValue(forKey: id) }) else { return }
        finish(t, reason: "abort", at: time)
    }

    /// One engine step: the scheduler gauges, token counters, per-token latencies, finished requests and the
    /// simulator's own per-step series.
    public func observe(step: StepOutcome) {
        let V = MetricCatalog.VLLM.self
        let S = MetricCatalog.Sim.self
        let r = registry
        r.set(V.running, labels, to: Double(step.numRunning))
        r.set(V.waiting, labels, to: Double(step.numWaiting))
        r.set(V.kvCacheUsage, labels, to: step.kvCacheUsage)
        r.observe(V.iterationTokens, labels, Double(step.scheduledTokens))

        var promptTokens = 0
        var generated = 0
        var preempted = 0
        var finished: [(Timeline, String)] = []
        var ttfts: [Double] = []
        var itls: [Double] = []
        requests.withLock { all in
            for e in step.events {
                guard var t = all[e.id] else { continue }
                if e.preempted {
                    preempted += 1
                    continue
                }
                if t.firstScheduled == nil { t.firstScheduled = step.start }
                if e.newTokens > 0 {
                    if e.isFirstToken || t.firstToken == nil {
                        t.firstToken = step.end
                        ttfts.append(step.end - t.arrival)
                        promptTokens += t.promptTokens
                    } else if let last = t.lastToken {
                        itls.append(step.end - last)
                    }
                    t.lastToken = step.end
                    t.outputTokens = e.outputTokens
                    generated += e.newTokens
                }
                if let reason = e.finished {
                    all[e.id] = nil
                    finished.append((t, reason.rawValue))
                } else {
                    all[e.id] = t
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
        let scheduled = t.firstScheduled ?? end
        let firstToken = t.firstToken ?? end
        r.observe(V.e2eLatency, labels, end - t.arrival)
        r.observe(V.queueTime, labels, scheduled - t.queued)
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
