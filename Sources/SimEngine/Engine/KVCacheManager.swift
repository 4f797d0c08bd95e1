/// Request-level paged KV cache with prefix caching (vLLM v1 `KVCacheManager`): finds a waiting request's
/// cached prefix, allocates the blocks a step needs, caches full blocks by content hash, frees finished or
/// preempted requests' blocks.
///
/// Every operation costs O(blocks touched), never O(context): a decode step allocates at most one block per
/// request, once every `blockSize` tokens. Not thread-safe; owned by the scheduler.
struct KVCacheManager {
    let blockSize: Int
    private(set) var pool: KVBlockPool

    init(numBlocks: Int, blockSize: Int, enablePrefixCaching: Bool) {
        self.blockSize = blockSize
        pool = KVBlockPool(numBlocks: numBlocks, cachingEnabled: enablePrefixCaching)
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
        if heldBlocksSuffice(r, newTokens: newTokens) { return true }
        return allocateSlots(&r, newTokens: newTokens, computed: [])
    }

    /// Fast path (most decode steps): the tokens fit in the blocks held and every full block is cached already,
    /// so the general path would allocate and cache nothing.
    @inline(__always)
    private func heldBlocksSuffice(_ r: borrowing RequestState, newTokens: Int) -> Bool {
        let total = r.numComputed + newTokens
        return total <= r.blocks.count * blockSize && (!pool.cachingEnabled || r.numCachedBlocks >= total / blockSize)
    }

    /// Reserves KV space for `newTokens` more tokens of `r`, reusing `computed` cached blocks first (a request
    /// being admitted). Fails, changing nothing, when the free queue is too short.
    /// - Returns: whether the slots were allocated.
    mutating func allocateSlots(_ r: inout RequestState, newTokens: Int, computed: [Int32]) -> Bool {
        if computed.isEmpty, heldBlocksSuffice(r, newTokens: newTokens) { return true }
        let computedTokens = computed.count * blockSize
        let totalTokens = r.numComputed + computedTokens + newTokens
        let needed = (totalTokens + blockSize - 1) / blockSize - r.blocks.count - computed.count
        var evictableComputed = 0
        for b in computed where pool.isFree(b) { evictableComputed += 1 }
        if max(needed, 0) > pool.freeCount - evictableComputed { return false }
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
        pool.free(r.blocks.reversed())
        r.blocks.removeAll(keepingCapacity: false)
        r.numCachedBlocks = 0
    }

    /// Fraction of usable blocks held by requests (vLLM's `kv_cache_usage`).
    var usage: Double { Double(pool.usedBlocks) / Double(max(pool.usableBlocks, 1)) }

    mutating func resetPrefixCache() { pool.resetPrefixCache() }
}
