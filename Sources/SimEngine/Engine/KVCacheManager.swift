/// Request-level paged KV cache with prefix caching (vLLM v1 `KVCacheManager`): finds a waiting request's
/// cached prefix, allocates the blocks a step needs, caches full blocks by content hash, frees finished or
/// preempted requests' blocks.
///
/// Every operation costs O(blocks touched), never O(context): a decode step allocates at most one block per
/// request, once every `blockSize` tokens. Not thread-safe; owned by the scheduler.
///
/// Hybrid models (gpt-oss: sliding-window and full-attention layers) have two KV groups sharing one block pool, as
/// vLLM 0.11's hybrid KV-cache manager does: `blocks` are the full-attention group's (prefix-cached), and the
/// sliding-window group keeps only the blocks that still hold tokens inside the window (`windowBlocks`), freeing
/// the older ones before each allocation (`SlidingWindowManager.remove_skipped_blocks`). docs/engine.md §3.
struct KVCacheManager {
    let blockSize: Int
    /// The sliding window in tokens when the model has a sliding-window KV group, else nil.
    let slidingWindow: Int?
    private(set) var pool: KVBlockPool

    init(numBlocks: Int, blockSize: Int, enablePrefixCaching: Bool, slidingWindow: Int? = nil) {
        self.blockSize = blockSize
        self.slidingWindow = slidingWindow
        pool = KVBlockPool(numBlocks: numBlocks, cachingEnabled: enablePrefixCaching)
    }

    /// Leading block positions of the sliding-window group no longer needed once `computed` tokens are computed:
    /// every block whose tokens all lie before `computed − window + 1` (vLLM `get_num_skipped_tokens`).
    @inline(__always)
    private func skippedWindowBlocks(computed: Int) -> Int {
        guard let w = slidingWindow else { return 0 }
        return max(0, computed - w + 1) / blockSize
    }

    /// Frees the sliding-window group's blocks that fell out of the window.
    @inline(__always)
    private mutating func removeSkippedWindowBlocks(_ r: inout RequestState) {
        let target = skippedWindowBlocks(computed: r.numComputed)
        let drop = min(target - r.windowSkipped, r.windowBlocks.count)
        guard drop > 0 else { return }
        pool.free(r.windowBlocks[..<drop].reversed())
        r.windowBlocks.removeFirst(drop)
        r.windowSkipped += drop
    }

    /// The longest cached prefix of a request about to start (or restart after preemption), in whole blocks,
    /// leaving at least its last token to compute (vLLM `get_computed_blocks`).
    mutating func computedBlocks(_ r: inout RequestState) -> [Int32] {
        guard pool.cachingEnabled else { return [] }
        let limit = (r.numTokens - 1) / blockSize
        var found: [Int32] = []
        var b = 0
        while b < limit, let block = pool.cachedBlock(r.blockHash(b)) {
            found.append(block)
            b += 1
        }
        return found
    }

    /// Reserves KV space for `newTokens` more tokens of a running request `r` (no cached prefix to reuse): what
    /// ``allocateSlots(_:newTokens:computed:)`` does with no computed blocks, with its most common case inlined
    /// into the scheduler's per-request loop.
    /// - Returns: whether the slots were allocated.
    @inline(__always)
    mutating func allocateSlots(_ r: inout RequestState, newTokens: Int) -> Bool {
        if slidingWindow != nil { removeSkippedWindowBlocks(&r) }
        if heldBlocksSuffice(r, newTokens: newTokens) { return true }
        return allocateSlots(&r, newTokens: newTokens, computed: [])
    }

    /// Fast path (most decode steps): the tokens fit in the blocks held and every full block is cached already,
    /// so the general path would allocate and cache nothing.
    @inline(__always)
    private func heldBlocksSuffice(_ r: borrowing RequestState, newTokens: Int) -> Bool {
        Self.heldBlocksSuffice(
            total: r.numComputed + newTokens, heldBlocks: r.blocks.count, cachedBlocks: r.numCachedBlocks,
            blockSize: blockSize, caching: pool.cachingEnabled)
    }

    /// The fast path's rule on plain values: `total` tokens fit in `heldBlocks` blocks and, with prefix caching,
    /// every full block among them is cached already (the scheduler applies it with its request table read in
    /// place).
    @inline(__always)
    static func heldBlocksSuffice(total: Int, heldBlocks: Int, cachedBlocks: Int, blockSize: Int, caching: Bool)
        -> Bool
    {
        total <= heldBlocks * blockSize && (!caching || cachedBlocks >= total / blockSize)
    }

    /// Reserves KV space for `newTokens` more tokens of `r`, reusing `computed` cached blocks first (a request
    /// being admitted). Fails, changing nothing, when the free queue is too short.
    /// - Returns: whether the slots were allocated.
    mutating func allocateSlots(_ r: inout RequestState, newTokens: Int, computed: [Int32]) -> Bool {
        if slidingWindow != nil { removeSkippedWindowBlocks(&r) }
        if computed.isEmpty, heldBlocksSuffice(r, newTokens: newTokens) { return true }
        let computedTokens = computed.count * blockSize
        let totalTokens = r.numComputed + computedTokens + newTokens
        let positions = (totalTokens + blockSize - 1) / blockSize
        let needed = positions - r.blocks.count - computed.count
        // Sliding-window group: a cached prefix is taken as already out of the window up to its own skip point
        // (its window blocks are allocated afresh: the simulator caches the full-attention group only).
        var windowSkip = r.windowSkipped
        var windowNeeded = 0
        if slidingWindow != nil {
            windowSkip = max(
                r.windowSkipped, min(skippedWindowBlocks(computed: r.numComputed + computedTokens), positions))
            windowNeeded = max(0, positions - windowSkip - r.windowBlocks.count)
        }
        var evictableComputed = 0
        for b in computed where pool.isFree(b) { evictableComputed += 1 }
        if max(needed, 0) + windowNeeded > pool.freeCount - evictableComputed { return false }
        if slidingWindow != nil {
            r.windowSkipped = windowSkip
            if windowNeeded > 0 { pool.allocate(windowNeeded, into: &r.windowBlocks) }
        }
        if !computed.isEmpty {
            pool.touch(computed)
            r.blocks.append(contentsOf: computed)
            r.numCachedBlocks = r.blocks.count
        }
        if needed > 0 { pool.allocate(needed, into: &r.blocks) }
        // Cache the blocks this step fills (vLLM caches at allocation, so a request scheduled later in the same
        // step can already reuse them).
        if pool.cachingEnabled {
            let full = min(totalTokens / blockSize, r.blocks.count)
            while r.numCachedBlocks < full {
                let b = r.numCachedBlocks
                pool.cacheBlock(r.blocks[b], hash: r.blockHash(b))
                r.numCachedBlocks += 1
            }
        }
        return true
    }

    /// Releases all of `r`'s blocks, tail first, so that its last blocks are evicted before its prefix.
    mutating func free(_ r: inout RequestState) {
        pool.free(r.windowBlocks.reversed())
        r.windowBlocks.removeAll(keepingCapacity: false)
        r.windowSkipped = 0
        pool.free(r.blocks.reversed())
        r.blocks.removeAll(keepingCapacity: false)
        r.numCachedBlocks = 0
    }

    /// Fraction of usable blocks held by requests (vLLM's `kv_cache_usage`).
    var usage: Double { Double(pool.usedBlocks) / Double(max(pool.usableBlocks, 1)) }

    mutating func resetPrefixCache() { pool.resetPrefixCache() }
}
