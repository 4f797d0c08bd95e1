import MoECore

/// The simulated vLLM-v1 engine of one deployment instance: requests in, steps out, on a simulated clock.
///
/// Each ``step(now:)`` schedules one batch (``Scheduler``), routes its tokens through the experts
/// (``ExpertRouter``), pads it to a CUDA-graph size (``CUDAGraphPlan``) and prices it with the roofline cost model
/// (``StepCostModel``). Nothing sleeps: the caller owns the clock and advances it by ``StepOutcome/duration``.
/// Requests added while a step "runs" are seen by the next step, as vLLM's engine loop sees new requests between
/// steps.
///
/// Threading: not `Sendable`. Create and use each engine from one thread (or one serial executor) only.
/// Determinism: the same configuration (including its seed) and the same sequence of calls give the same outcomes.
package final class EngineCore {
    /// The configuration it was built with.
    package let config: EngineConfig
    /// The per-rank model shard.
    package let footprint: ModelFootprint
    /// The step cost model.
    let costModel: StepCostModel
    /// The CUDA-graph sizes in effect.
    package let graphs: CUDAGraphPlan
    /// KV cache capacity in tokens (usable blocks × block size).
    package let kvCacheTokens: Int
    /// Usable KV blocks.
    let kvCacheBlocks: Int
    /// Memory plan of one rank (bytes).
    package let memory: MemoryPlan

    // The engine is used from one thread at a time and no method accesses a property while another access to it
    // is in progress (no closures over `self`); release builds leave out the run-time exclusivity check of these
    // properties (docs/swift-interop.md (f)).
    private var scheduler: Scheduler
    private var router: ExpertRouter?
    private let maxModelLen: Int
    private var stepCounter = 0
    private var routingTime = Duration.zero
    private let clock = ContinuousClock()
    /// The window of a hybrid model's sliding-window layers (half of them; gpt-oss), else nil.
    private let attentionWindow: Int?

    /// Builds the engine and sizes its KV cache as vLLM does.
    /// - Throws: ``EngineConfigError`` when a setting is invalid, the weights do not fit in the GPUs' memory, or
    ///   the KV cache cannot hold one request of `max_model_len` tokens (vLLM's message, with the numbers).
    package init(config: EngineConfig) throws(EngineConfigError) {
        try config.validate()
        self.config = config
        let fp = ModelFootprint(
            model: config.model, tensorParallelSize: config.tensorParallelSize, weightFormat: config.weightFormat,
            kvFormat: config.kvFormat)
        footprint = fp
        costModel = StepCostModel(
            footprint: fp, gpu: config.gpu, calibration: config.calibration, moeKernelSource: config.moeKernelSource,
            tritonKernels: config.tritonKernels)
        graphs = CUDAGraphPlan(
            maxNumSeqs: config.maxNumSeqs, maxNumBatchedTokens: config.maxNumBatchedTokens,
            enforceEager: config.enforceEager, modelCaptureSizes: config.model.cudaGraphCaptureSizes)
        maxModelLen = config.resolvedMaxModelLen
        let plan = MemoryPlan(config: config, footprint: fp)
        memory = plan
        // Hybrid models (as many sliding-window as full-attention layers: gpt-oss) get vLLM 0.11's two KV groups:
        // one block holds a block's tokens for half the layers, and the sliding-window group keeps only the
        // window's blocks (docs/engine.md §3). Other models: one group of every layer.
        let window = Self.hybridSlidingWindow(config.model)
        attentionWindow = window
        let layersPerBlock = window == nil ? config.model.numLayers : config.model.numLayers / 2
        let blockBytes = Double(config.blockSize) * fp.kvBytesPerTokenPerLayer * Double(layersPerBlock)
        var numBlocks = plan.kvCacheBytes > 0 ? Int(plan.kvCacheBytes / blockBytes) : 0
        guard plan.kvCacheBytes > 0, numBlocks >= 2 else {
            throw EngineConfigError(plan.doesNotFitMessage(config: config))
        }
        if let override = config.numGPUBlocksOverride { numBlocks = override }
        kvCacheBlocks = numBlocks - 1
        // vLLM logs the blocks per group as its "GPU KV cache size".
        kvCacheTokens = kvCacheBlocks / (window == nil ? 1 : 2) * config.blockSize
        var neededBlocks = (maxModelLen + config.blockSize - 1) / config.blockSize
        if let window {
            // The sliding group's worst case (vLLM SlidingWindowSpec.max_memory_usage_bytes).
            neededBlocks += min(window - 1 + config.maxNumBatchedTokens, maxModelLen) / config.blockSize + 1
        }
        guard neededBlocks <= kvCacheBlocks else {
            let gib = 1_073_741_824.0
            let needed =
                (window == nil ? Double(maxModelLen) * fp.kvBytesPerTokenPerRank : Double(neededBlocks) * blockBytes)
                / gib
            let available = Double(kvCacheBlocks) * blockBytes / gib
            throw EngineConfigError(
                "To serve at least one request with the models's max seq len (\(maxModelLen)), "
                    + "(\(format2(needed)) GiB KV cache is needed, which is larger than the available KV cache "
                    + "memory (\(format2(available)) GiB). Based on the available memory, the "
                    + "estimated maximum model length is \(kvCacheTokens). Try increasing `gpu_memory_utilization` "
                    + "or decreasing `max_model_len` when initializing the engine.")
        }
        let kv = KVCacheManager(
            numBlocks: numBlocks, blockSize: config.blockSize, enablePrefixCaching: config.enablePrefixCaching,
            slidingWindow: window)
        scheduler = Scheduler(
            maxNumSeqs: config.maxNumSeqs, maxNumBatchedTokens: config.maxNumBatchedTokens,
            maxModelLen: maxModelLen, kv: kv)
        if config.model.numExperts > 0, fp.moeLayers > 0 {
            router = try ExpertRouter(
                config: config.routing, numExperts: config.model.numExperts,
                topK: min(max(config.model.topK, 1), config.model.numExperts), moeLayers: fp.moeLayers,
                seed: config.seed)
        }
    }

    /// The sliding window when `model` has vLLM 0.11's two-group hybrid KV layout (sliding-window and
    /// full-attention layers in equal numbers, as gpt-oss alternates them), else nil.
    static func hybridSlidingWindow(_ model: ModelSpec) -> Int? {
        guard let window = model.slidingWindow, window > 0,
            model.slidingWindowLayers.count * 2 == model.numLayers
        else { return nil }
        return window
    }

    /// Queues a request (vLLM `add_request`).
    /// - Throws: ``EngineError`` with vLLM's text when the prompt is empty or longer than `max_model_len`, when
    ///   `max_tokens` < 1, or when the id is already in use. (ServerlessLLM calls the engine directly, so the
    ///   OpenAI server's prompt + `max_tokens` check does not apply: such a request runs and stops by length at
    ///   `max_model_len`.)
    package func add(_ request: EngineRequest) throws(EngineError) {
        guard request.promptTokens > 0 else { throw .emptyPrompt }
        guard request.promptTokens <= maxModelLen else {
            throw .promptTooLong(length: request.promptTokens, maxModelLen: maxModelLen)
        }
        guard request.maxTokens >= 1 else { throw .invalidMaxTokens(request.maxTokens) }
        guard !scheduler.contains(request.id) else { throw .duplicateID(request.id) }
        // With async scheduling the next step was planned while the last one ran: a request added now joins the
        // one after it.
        scheduler.add(request, visibleFrom: stepCounter + (config.asyncScheduling ? 2 : 1))
    }

    /// Drops an unfinished request (client gone); no event is produced. Unknown ids are ignored.
    package func abort(id: UInt64) { _ = scheduler.abort(id) }

    /// Whether any request is waiting or running.
    var hasUnfinishedRequests: Bool { scheduler.hasUnfinished }

    /// Unfinished requests.
    var numUnfinished: Int { scheduler.unfinishedCount }
    package var numWaiting: Int { scheduler.waiting.count }
    package var numRunning: Int { scheduler.running.count }
    /// Steps executed so far (the last `forward_pass_id`).
    var stepsExecuted: Int { stepCounter }
    /// Preemptions so far.
    package var preemptions: Int { scheduler.totalPreemptions }
    /// Prompt tokens served from the prefix cache, and prompt tokens admitted, so far.
    var prefixCacheHitTokens: Int { scheduler.prefixHitTokens }
    var admittedPromptTokens: Int { scheduler.admittedPromptTokens }
    /// Fraction of KV blocks held by requests.
    package var kvCacheUsage: Double { scheduler.kv.usage }
    /// Cached blocks evicted (reallocated) so far.
    var prefixCacheEvictions: Int { scheduler.kv.pool.evictions }
    /// Real (wall-clock) seconds spent routing tokens to experts so far: the router's cost, for benchmarks.
    package var routingWallSeconds: Double {
        routingTime.inSeconds
    }

    /// MoE layers and experts per layer the router models (0 and 0 for a dense model).
    package var expertShape: (layers: Int, experts: Int, topK: Int) {
        guard let r = router else { return (0, 0, 0) }
        return (r.moeLayers, r.numExperts, r.topK)
    }

    /// Expected tokens per expert and MoE layer for a step of `tokens` tokens (empty for a dense model).
    package func expectedExpertCounts(tokens: Int) -> [[Int]] { router?.expectedCounts(tokens: tokens) ?? [] }

    /// Empties the prefix cache (vLLM `reset_prefix_cache`).
    func resetPrefixCache() { scheduler.resetPrefixCache() }

    /// Schedules and "executes" one step starting at simulated time `now` (s).
    /// - Returns: the step, or nil when nothing could be scheduled (no unfinished requests).
    package func step(now: Double) -> StepOutcome? {
        guard scheduler.hasUnfinished, scheduler.schedule(step: stepCounter + 1) else { return nil }
        stepCounter += 1
        let scheduledTokens = scheduler.scheduledTokens
        let padded = graphs.padded(scheduledTokens)
        let useGraph = graphs.usesGraph(scheduledTokens)
        // Running sums over the scheduled requests: O(requests), independent of their context lengths.
        var prefillPairs = 0.0
        var decodePairs = 0.0
        var kvRead = 0.0
        var decodeRequests = 0
        var maxQuery = 0
        for s in scheduler.scheduled {
            let p = Double(s.computedBefore)
            let n = Double(s.tokens)
            kvRead += p + n
            maxQuery = max(maxQuery, s.tokens)
            if s.tokens == 1 {
                decodePairs += p + 1
                decodeRequests += 1
            } else {
                prefillPairs += n * p + n * (n + 1) / 2
            }
        }
        if let w = attentionWindow {
            // Hybrid models: half the layers attend over the window only (FlashAttention skips the key tiles
            // outside it; docs/engine.md §8), so the per-layer figures are the mean of both kinds of layer.
            var windowPrefill = 0.0
            var windowDecode = 0.0
            var windowRead = 0.0
            let window = Double(w)
            for s in scheduler.scheduled {
                let p = Double(s.computedBefore)
                let n = Double(s.tokens)
                windowRead += min(p + n, window + n - 1)
                // Query i (1…n) sees min(p + i, window) keys.
                let k = min(max(window - p, 0), n)
                let pairs = k * p + k * (k + 1) / 2 + (n - k) * window
                if s.tokens == 1 { windowDecode += pairs } else { windowPrefill += pairs }
            }
            prefillPairs = (prefillPairs + windowPrefill) / 2
            decodePairs = (decodePairs + windowDecode) / 2
            kvRead = (kvRead + windowRead) / 2
        }
        let numRequests = scheduler.scheduled.count
        var touched = 0.0
        var activation = 0.0
        if let layers = router?.moeLayers {
            let started = clock.now
            // Padding rows carry identical inputs, so they add at most one token's worth of choices.
            touched = router?.route(tokens: scheduledTokens + (padded > scheduledTokens ? 1 : 0)) ?? 0
            activation = touched / Double(layers)
            routingTime += clock.now - started
        }
        let shape = StepShape(
            tokens: padded, scheduledTokens: scheduledTokens, requests: numRequests, decodeRequests: decodeRequests,
            prefillAttentionPairs: prefillPairs, decodeAttentionPairs: decodePairs, kvTokensRead: kvRead,
            touchedExperts: touched, cudaGraph: useGraph)
        let cost = costModel.cost(shape)
        // Scheduling runs on the CPU before the step, or overlapped with the previous step (async scheduling).
        let cpu = costModel.schedulingTime(requests: numRequests, newRequests: scheduler.newlyScheduled)
        let duration = config.asyncScheduling ? max(cpu, cost.latency) : cpu + cost.latency
        // vLLM's uniform_decode: every request runs exactly one token.
        let mode: ForwardMode = maxQuery == 1 ? .decode : .prefill
        let events = scheduler.update()
        return StepOutcome(
            start: now, duration: duration, latency: cost.latency, batchSize: padded,
            scheduledTokens: scheduledTokens, forwardMode: mode, expertActivation: activation,
            numRequests: numRequests, forwardPassID: stepCounter, events: events, kvCacheUsage: scheduler.kv.usage,
            numWaiting: scheduler.waiting.count, numRunning: scheduler.running.count, truth: cost)
    }
}

private func format2(_ x: Double) -> String {
    let scaled = (x * 100).rounded() / 100
    var s = String(scaled)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < 2 { s += String(repeating: "0", count: 2 - decimals) }
    }
    return s
}
