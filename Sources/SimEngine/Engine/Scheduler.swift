import MoECore

/// vLLM v1's scheduler (FCFS policy, chunked prefill always on): each step serves the running requests first,
/// then admits waiting ones, under a token budget (`max_num_batched_tokens`) and a sequence cap (`max_num_seqs`).
///
/// Rules reproduced from `vllm/v1/core/sched/scheduler.py` (0.11):
/// - A running request asks for all its uncomputed tokens (1 when decoding, the rest of its prompt when a
///   prefill was chunked), capped by the remaining budget and by `max_model_len`.
/// - When its blocks cannot be allocated, the *newest* running request (the end of the running list) is
///   preempted by recompute: its blocks are freed, its progress reset, and it goes back to the *front* of the
///   waiting queue; if the victim is the request itself, the running pass stops.
/// - Waiting requests are admitted in FCFS order only if nothing was preempted this step, while budget remains
///   and fewer than `max_num_seqs` run; each first reuses its longest cached prefix (full blocks, leaving at least
///   one token to compute), then takes a chunk of at most the remaining budget. The first one that does not fit
///   in the KV cache stops admission (no skipping ahead).
/// - After the step, a request whose known tokens are all computed samples one token; it finishes by length at
///   `max_tokens` or `max_model_len`, else by EOS at its EOS point.
///
/// Not thread-safe: owned by one ``EngineCore``.
struct Scheduler {
    /// One request's part of a step.
    struct Scheduled {
        var slot: Int
        /// Tokens it runs this step.
        var tokens: Int
        /// Tokens already in its KV cache before this step (after prefix-cache reuse).
        var computedBefore: Int
    }

    let maxNumSeqs: Int
    let maxNumBatchedTokens: Int
    let maxModelLen: Int
    private(set) var kv: KVCacheManager

    /// Request states by slot (mutated in place: copying one out would copy its block list); `live[slot]` tells
    /// whether the slot holds an unfinished request.
    private var requests: [RequestState] = []
    private var live: [Bool] = []
    private var freeSlots: [Int] = []
    private var slotOfID: [UInt64: Int] = [:]
    /// Preempted requests go back to the front (vLLM's `prepend_request`).
    private(set) var waiting = FIFO<Int>()
    private(set) var running: [Int] = []

    /// The current step's plan (reused buffers).
    private(set) var scheduled: [Scheduled] = []
    private(set) var preemptedSlots: [Int] = []
    /// Requests finished by the step being applied (a reused buffer of ``update()``).
    private var finishedSlots: [Int] = []
    private(set) var scheduledTokens = 0
    /// Requests of the current step that were waiting before it (new or preempted ones starting again).
    private(set) var newlyScheduled = 0
    /// Preemptions so far.
    private(set) var totalPreemptions = 0
    /// Prompt tokens served from the prefix cache so far, and prompt tokens admitted.
    private(set) var prefixHitTokens = 0
    private(set) var admittedPromptTokens = 0

    init(maxNumSeqs: Int, maxNumBatchedTokens: Int, maxModelLen: Int, kv: KVCacheManager) {
        self.maxNumSeqs = maxNumSeqs
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.maxModelLen = maxModelLen
        self.kv = kv
    }

    var unfinishedCount: Int { slotOfID.count }
    var hasUnfinished: Bool { !slotOfID.isEmpty }

    func contains(_ id: UInt64) -> Bool { slotOfID[id] != nil }

    /// Queues a new request at the back of the waiting queue; it may be admitted from step `visibleFrom` on.
    mutating func add(_ r: EngineRequest, visibleFrom: Int) {
        var state = RequestState(r)
        state.visibleFromStep = visibleFrom
        let slot: Int
        if let s = freeSlots.popLast() {
            slot = s
            requests[s] = state
            live[s] = true
        } else {
            slot = requests.count
            requests.append(state)
            live.append(true)
        }
        slotOfID[r.id] = slot
        waiting.append(slot)
    }

    /// Drops an unfinished request wherever it is, freeing its blocks. - Returns: whether it existed.
    mutating func abort(_ id: UInt64) -> Bool {
        guard let slot = slotOfID[id] else { return false }
        if let i = running.firstIndex(of: slot) {
            running.remove(at: i)
        } else {
            waiting.remove { $0 == slot }
        }
        release(slot)
        return true
    }

    /// Plans step number `step` into ``scheduled``/``preemptedSlots``. Waiting requests not yet visible at `step`
    /// (async scheduling) wait, unless nothing else would run (an idle engine schedules them at once).
    /// - Returns: whether anything was scheduled.
    mutating func schedule(step: Int) -> Bool {
        scheduled.removeAll(keepingCapacity: true)
        preemptedSlots.removeAll(keepingCapacity: true)
        newlyScheduled = 0
        var budget = maxNumBatchedTokens
        var index = 0
        // Running requests first.
        runningLoop: while index < running.count && budget > 0 {
            scheduleHeldRequests(from: &index, budget: &budget)
            guard index < running.count && budget > 0 else { break }
            let slot = running[index]
            var n = requests[slot].numTokens - requests[slot].numComputed
            n = min(n, budget)
            // vLLM caps the position at max_model_len − 1 (for speculative tokens); without them a request never
            // needs more than max_model_len positions, which this cap allows.
            n = min(n, maxModelLen - requests[slot].numComputed)
            if n <= 0 {
                index += 1
                continue
            }
            while !kv.allocateSlots(&requests[slot], newTokens: n) {
                let victim = running.removeLast()
                preempt(victim)
                if victim == slot { break runningLoop }
            }
            scheduled.append(Scheduled(slot: slot, tokens: n, computedBefore: requests[slot].numComputed))
            budget -= n
            index += 1
        }
        // Then waiting requests, unless this step preempted.
        if preemptedSlots.isEmpty {
            let idle = scheduled.isEmpty
            while let slot = waiting.first, budget > 0, running.count < maxNumSeqs {
                if requests[slot].visibleFromStep > step && !idle { break }
                let computed = requests[slot].numComputed == 0 ? kv.computedBlocks(&requests[slot]) : []
                let hitTokens = computed.count * kv.blockSize
                var n = requests[slot].numTokens - requests[slot].numComputed - hitTokens
                n = min(n, budget)
                guard kv.allocateSlots(&requests[slot], newTokens: n, computed: computed) else { break }
                waiting.popFirst()
                if requests[slot].status == .waiting {
                    prefixHitTokens += hitTokens
                    admittedPromptTokens += requests[slot].promptTokens
                }
                requests[slot].numComputed += hitTokens
                requests[slot].status = .running
                running.append(slot)
                newlyScheduled += 1
                scheduled.append(Scheduled(slot: slot, tokens: n, computedBefore: requests[slot].numComputed))
                budget -= n
            }
        }
        scheduledTokens = maxNumBatchedTokens - budget
        return !scheduled.isEmpty
    }

    /// The running loop's common case, from `index` on: requests whose tokens this step fit in the blocks they
    /// hold, every full block already cached (``KVCacheManager/allocateSlots(_:newTokens:)``'s fast path, which
    /// changes nothing), scheduled with the request table read in place instead of accessed for mutation per
    /// request. Stops at the first request that needs more (the running loop then takes it the general way), or
    /// when the loop would stop. Hybrid models (sliding window) always take the general way.
    private mutating func scheduleHeldRequests(from index: inout Int, budget: inout Int) {
        guard kv.slidingWindow == nil else { return }
        let blockSize = kv.blockSize
        let caching = kv.pool.cachingEnabled
        let maxModelLen = maxModelLen
        var plan: [Scheduled] = []
        swap(&plan, &scheduled)
        var i = index
        var b = budget
        requests.withUnsafeBufferPointer { reqs in
            running.withUnsafeBufferPointer { running in
                while i < running.count && b > 0 {
                    let slot = running[i]
                    let computed = reqs[slot].numComputed
                    var n = reqs[slot].numTokens - computed
                    n = min(n, b)
                    n = min(n, maxModelLen - computed)
                    if n <= 0 {
                        i += 1
                        continue
                    }
                    let total = computed + n
                    guard
                        KVCacheManager.heldBlocksSuffice(
                            total: total, heldBlocks: reqs[slot].blocks.count,
                            cachedBlocks: reqs[slot].numCachedBlocks, blockSize: blockSize, caching: caching)
                    else { break }
                    plan.append(Scheduled(slot: slot, tokens: n, computedBefore: computed))
                    b -= n
                    i += 1
                }
            }
        }
        swap(&plan, &scheduled)
        index = i
        budget = b
    }

    /// Applies the executed step: advances progress, samples tokens, finishes requests.
    /// - Returns: one event per preempted request, then one per scheduled request, in plan order (a new array of
    ///   exactly that size, written in place: the engine hands each step's events on to the API server, so a
    ///   reused buffer would be shared and reallocated anyway).
    mutating func update() -> [RequestEvent] {
        // One pass over the plan with the request table borrowed once (no per-access uniqueness check); finished
        // requests are released after it, in the same order. Releasing touches only the finished request's own
        // state, the KV pool and the slot bookkeeping, none of which a later event of the pass reads (a request is
        // scheduled at most once per step), so the events and the pool end up exactly as releasing in the loop.
        let plan = scheduled
        let preempted = preemptedSlots
        let maxModelLen = self.maxModelLen
        var done: [Int] = []
        swap(&done, &finishedSlots)
        done.removeAll(keepingCapacity: true)
        let events = requests.withUnsafeMutableBufferPointer { reqs in
            [RequestEvent](unsafeUninitializedCapacity: preempted.count + plan.count) { out, written in
                var k = 0
                for p in preempted {
                    out.initializeElement(
                        at: k,
                        to: RequestEvent(
                            id: reqs[p].id, newTokens: 0, outputTokens: reqs[p].numOutput, isFirstToken: false,
                            finished: nil, preempted: true))
                    k += 1
                }
                for s in plan {
                    let slot = s.slot
                    reqs[slot].numComputed += s.tokens
                    var newTokens = 0
                    var finished: FinishReason?
                    if reqs[slot].numComputed >= reqs[slot].numTokens {
                        reqs[slot].numOutput += 1
                        newTokens = 1
                        let output = reqs[slot].numOutput
                        if reqs[slot].numTokens >= maxModelLen || output >= reqs[slot].maxTokens {
                            finished = .length
                        } else if output >= reqs[slot].eosAt {
                            finished = .stop
                        }
                    }
                    let output = reqs[slot].numOutput
                    out.initializeElement(
                        at: k,
                        to: RequestEvent(
                            id: reqs[slot].id, newTokens: newTokens, outputTokens: output,
                            isFirstToken: newTokens == 1 && output == 1, finished: finished, preempted: false))
                    k += 1
                    if finished != nil { done.append(slot) }
                }
                written = k
            }
        }
        for slot in done { release(slot) }
        if !done.isEmpty { running.removeAll { !live[$0] } }
        swap(&done, &finishedSlots)
        return events
    }

    private mutating func preempt(_ slot: Int) {
        kv.free(&requests[slot])
        requests[slot].numComputed = 0
        requests[slot].status = .preempted
        waiting.prepend(slot)
        preemptedSlots.append(slot)
        totalPreemptions += 1
    }

    private mutating func release(_ slot: Int) {
        kv.free(&requests[slot])
        slotOfID.removeValue(forKey: requests[slot].id)
        requests[slot].hashes = []
        live[slot] = false
        freeSlots.append(slot)
    }

    mutating func resetPrefixCache() { kv.resetPrefixCache() }
}
