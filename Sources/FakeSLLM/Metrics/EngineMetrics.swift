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
package final class EngineMetrics: Sendable {
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

    package let registry: MetricsRegistry
    package let modelName: String
    private let labels: [String]

    /// The registry's series this deployment writes, resolved on first use (so each appears in `/metrics` when
    /// it did before: at its first event) and then reached by index (docs/metrics.md "Cost").
    private struct Handles: Sendable {
        typealias H = MetricsRegistry.SeriesHandle
        var running, waiting, kvCacheUsage, iterationTokens, promptTokens, generationTokens, preemptions: H?
        var ttft, interTokenLatency, timePerOutputToken: H?
        var e2eLatency, queueTime, prefillTime, decodeTime, inferenceTime: H?
        var requestPromptTokens, requestGenerationTokens, maxTokensParam, requestTimePerOutputToken: H?
        /// `request_success` by `finished_reason`: stop, length, abort.
        var success: [H?] = [nil, nil, nil]
        var lastExpertActivation, clock: H?
        /// The simulator's per-step series by `forward_mode`: decode, prefill.
        var modes: [ModeHandles] = [ModeHandles(), ModeHandles()]
    }
    private struct ModeHandles: Sendable {
        typealias H = MetricsRegistry.SeriesHandle
        var steps, stepLatency, expertActivation, bandwidthUtilization, flopsUtilization, flops, bytes: H?
    }

    private struct State: Sendable {
        var all: [UInt64: Timeline] = [:]
        var lastStepEnd = 0.0
        /// Each instance's scheduler state after its latest step (the `sllm` mode runs several engines).
        var engines: [String: (running: Int, waiting: Int, kv: Double)] = [:]
        var handles = Handles()
    }
    /// One lock for the timelines and the handles; the registry's lock is taken inside it, never the reverse.
    private let state = Locked(State())

    /// Registers the model's series (every `finished_reason` of `request_success` at zero, as vLLM does).
    package init(registry: MetricsRegistry, modelName: String, maxModelLen: Int) {
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
        state.withLock { $0.all[id] = Timeline(promptTokens: promptTokens, maxTokens: maxTokens) }
    }

    /// The host gave the request its simulated arrival `arrival`; it reaches the engine's queue at `queuedAt`.
    func requestArrived(id: UInt64, at arrival: Double, queuedAt: Double) {
        state.withLock { st in
            guard var t = st.all[id] else { return }
            t.arrival = arrival
            t.queued = queuedAt
            if let f = t.finished {
                st.all[id] = nil
                registry.batch { r in finish(t, reason: f.reason, at: f.at, &st.handles, &r) }
                return
            }
            if let first = t.firstToken, !t.ttftObserved {
                t.ttftObserved = true
                registry.batch { r in
                    r.observe(r.handle(&st.handles.ttft, MetricCatalog.VLLM.ttft, labels), first - arrival)
                }
            }
            st.all[id] = t
        }
    }

    /// The request never ran (the engine refused it, or the deployment stopped): forgotten, not counted.
    func requestFailed(id: UInt64) { state.withLock { _ = $0.all.removeValue(forKey: id) } }

    /// The client went away before the request finished: counted as `finished_reason="abort"` at the latest
    /// step's end.
    func requestAborted(id: UInt64) {
        state.withLock { st in
            guard var t = st.all.removeValue(forKey: id), t.finished == nil else { return }
            let now = st.lastStepEnd
            if t.arrival == nil { t.arrival = now }
            registry.batch { r in finish(t, reason: "abort", at: now, &st.handles, &r) }
        }
    }

    /// One engine step of instance `instance`: the scheduler gauges (running and waiting summed over the
    /// deployment's engines, KV usage their mean), token counters, per-token latencies, finished requests and the
    /// simulator's own per-step series. One lock of this object and one of the registry per step; every series
    /// is reached by index.
    func observe(step: StepOutcome, instance: String = "") {
        let V = MetricCatalog.VLLM.self
        let S = MetricCatalog.Sim.self
        state.withLock { st in
            st.engines[instance] = (step.numRunning, step.numWaiting, step.kvCacheUsage)
            let totals = st.engines.values.reduce((running: 0, waiting: 0, kv: 0.0)) {
                ($0.running + $1.running, $0.waiting + $1.waiting, $0.kv + $1.kv / Double(st.engines.count))
            }
            registry.batch { r in
                r.set(r.handle(&st.handles.running, V.running, labels), to: Double(totals.running))
                r.set(r.handle(&st.handles.waiting, V.waiting, labels), to: Double(totals.waiting))
                r.set(r.handle(&st.handles.kvCacheUsage, V.kvCacheUsage, labels), to: totals.kv)
                r.observe(
                    r.handle(&st.handles.iterationTokens, V.iterationTokens, labels), Double(step.scheduledTokens))

                var promptTokens = 0
                var generated = 0
                var preempted = 0
                st.lastStepEnd = step.end
                // Observed in the order the old per-call path used: TTFTs, then ITL/TPOT, then finished requests.
                var itls: [Double] = []
                var finished: [(Timeline, String)] = []
                for e in step.events {
                    guard var t = st.all[e.id] else { continue }
                    if e.preempted {
                        preempted += 1
                        continue
                    }
                    if t.firstScheduled == nil { t.firstScheduled = step.start }
                    if e.newTokens > 0 {
                        if e.isFirstToken || t.firstToken == nil {
                            t.firstToken = step.end
                            if let arrival = t.arrival {
                                r.observe(r.handle(&st.handles.ttft, V.ttft, labels), step.end - arrival)
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
                            st.all[e.id] = t
                        } else {
                            st.all[e.id] = nil
                            finished.append((t, reason.rawValue))
                        }
                    } else {
                        st.all[e.id] = t
                    }
                }
                r.increment(r.handle(&st.handles.promptTokens, V.promptTokens, labels), by: Double(promptTokens))
                r.increment(
                    r.handle(&st.handles.generationTokens, V.generationTokens, labels), by: Double(generated))
                r.increment(r.handle(&st.handles.preemptions, V.preemptions, labels), by: Double(preempted))
                if !itls.isEmpty {
                    let itl = r.handle(&st.handles.interTokenLatency, V.interTokenLatency, labels)
                    let tpot = r.handle(&st.handles.timePerOutputToken, V.timePerOutputToken, labels)
                    for v in itls {
                        r.observe(itl, v)
                        r.observe(tpot, v)
                    }
                }
                for (t, reason) in finished { finish(t, reason: reason, at: step.end, &st.handles, &r) }

                let m = step.forwardMode == .decode ? 0 : 1
                let mode = { [self.modelName, step.forwardMode.rawValue] }
                var h = st.handles.modes[m]
                r.increment(r.handle(&h.steps, S.steps, mode()))
                r.observe(r.handle(&h.stepLatency, S.stepLatency, mode()), step.latency)
                r.observe(r.handle(&h.expertActivation, S.expertActivation, mode()), step.expertActivation)
                r.set(
                    r.handle(&st.handles.lastExpertActivation, S.lastExpertActivation, [modelName]),
                    to: step.expertActivation)
                r.observe(
                    r.handle(&h.bandwidthUtilization, S.bandwidthUtilization, mode()), step.truth.bandwidthUtilization)
                r.observe(r.handle(&h.flopsUtilization, S.flopsUtilization, mode()), step.truth.flopsUtilization)
                r.increment(r.handle(&h.flops, S.flops, mode()), by: step.truth.flops)
                r.increment(r.handle(&h.bytes, S.bytes, mode()), by: step.truth.bytes)
                r.set(r.handle(&st.handles.clock, S.clock, [modelName]), to: step.end)
                st.handles.modes[m] = h
            }
        }
    }

    /// vLLM's `FinishedRequestStats`: success counter, e2e, queue, prefill, decode and inference times, token
    /// counts and the per-request TPOT. Called with both locks held.
    private func finish(
        _ t: Timeline, reason: String, at end: Double, _ h: inout Handles, _ r: inout MetricsRegistry.Store
    ) {
        let V = MetricCatalog.VLLM.self
        let reasonIndex = reason == "stop" ? 0 : reason == "length" ? 1 : reason == "abort" ? 2 : nil
        if let i = reasonIndex {
            r.increment(r.handle(&h.success[i], V.requestSuccess, labels + [reason]))
        } else {
            r.increment(r.handle(V.requestSuccess, labels + [reason]))
        }
        let arrival = t.arrival ?? end
        let scheduled = t.firstScheduled ?? end
        let firstToken = t.firstToken ?? end
        if !t.ttftObserved, t.firstToken != nil { r.observe(r.handle(&h.ttft, V.ttft, labels), firstToken - arrival) }
        r.observe(r.handle(&h.e2eLatency, V.e2eLatency, labels), end - arrival)
        r.observe(r.handle(&h.queueTime, V.queueTime, labels), max(0, scheduled - (t.queued ?? arrival)))
        r.observe(r.handle(&h.prefillTime, V.prefillTime, labels), firstToken - scheduled)
        r.observe(r.handle(&h.decodeTime, V.decodeTime, labels), end - firstToken)
        r.observe(r.handle(&h.inferenceTime, V.inferenceTime, labels), end - scheduled)
        r.observe(r.handle(&h.requestPromptTokens, V.requestPromptTokens, labels), Double(t.promptTokens))
        r.observe(
            r.handle(&h.requestGenerationTokens, V.requestGenerationTokens, labels), Double(t.outputTokens))
        r.observe(r.handle(&h.maxTokensParam, V.maxTokensParam, labels), Double(t.maxTokens))
        if t.outputTokens > 1 {
            r.observe(
                r.handle(&h.requestTimePerOutputToken, V.requestTimePerOutputToken, labels),
                (end - firstToken) / Double(t.outputTokens - 1))
        }
    }
}
