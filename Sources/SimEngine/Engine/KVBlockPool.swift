/// The paged KV cache's blocks (vLLM v1 `BlockPool`): reference counts, the free queue, and the prefix cache's
/// hash → block map.
///
/// Free blocks wait in a doubly linked queue in eviction order: allocation takes from the head; a freed block
/// joins the tail but keeps its cached content (and hash) until it is reallocated, so a later request with the
/// same prefix can take it back ("touch") from anywhere in the queue in O(1). Block 0 is vLLM's reserved null
/// block and is never handed out. Not thread-safe; owned by one engine.
struct KVBlockPool {
    /// Blocks including the null block.
    let numBlocks: Int
    /// Whether full blocks are entered into the prefix cache.
    let cachingEnabled: Bool

    private(set) var refCount: [Int32]
    private var blockHash: [UInt64]
    private var hashed: [Bool]
    private var prev: [Int32]
    private var next: [Int32]
    /// Sentinel index (= numBlocks) of the circular free queue.
    private let sentinel: Int32
    /// Blocks in the free queue (with or without cached content).
    private(set) var freeCount: Int
    private var cache: BlockHashTable
    /// Blocks evicted from the prefix cache so far.
    private(set) var evictions = 0

    init(numBlocks: Int, cachingEnabled: Bool) {
        precondition(numBlocks >= 2)
        self.numBlocks = numBlocks
        self.cachingEnabled = cachingEnabled
        refCount = [Int32](repeating: 0, count: numBlocks)
        // At most one cached hash per block: the table never grows while the cache fills.
        cache = BlockHashTable(capacity: cachingEnabled ? numBlocks : 0)
        blockHash = [UInt64](repeating: 0, count: numBlocks)
        hashed = [Bool](repeating: false, count: numBlocks)
        sentinel = Int32(numBlocks)
        prev = [Int32](repeating: 0, count: numBlocks + 1)
        next = [Int32](repeating: 0, count: numBlocks + 1)
        // Queue 1, 2, …, numBlocks−1 in order; block 0 (null) stays out.
        var last = sentinel
        for b in 1..<numBlocks {
            next[Int(last)] = Int32(b)
            prev[b] = last
            last = Int32(b)
        }
        next[Int(last)] = sentinel
        prev[Int(sentinel)] = last
        freeCount = numBlocks - 1
        refCount[0] = 1
    }

    /// Usable blocks (all but the null block).
    var usableBlocks: Int { numBlocks - 1 }

    /// Blocks currently held by requests.
    var usedBlocks: Int { usableBlocks - freeCount }

    /// The cached block holding content `hash`, if any.
    func cachedBlock(_ hash: UInt64) -> Int32? { cache[hash] }

    /// Whether block `b` sits in the free queue (its content can be evicted).
    func isFree(_ b: Int32) -> Bool { refCount[Int(b)] == 0 }

    /// Takes a reference on cached blocks a request reuses, removing free ones from the free queue.
    mutating func touch(_ blocks: some Sequence<Int32>) {
        for b in blocks {
            if refCount[Int(b)] == 0 { unlink(b) }
            refCount[Int(b)] += 1
        }
    }

    /// Takes `count` blocks from the head of the free queue (evicting their cached content).
    /// - Precondition: `count <= freeCount`.
    mutating func allocate(_ count: Int, into out: inout [Int32]) {
        precondition(count <= freeCount)
        for _ in 0..<count {
            let b = next[Int(sentinel)]
            unlink(b)
            if hashed[Int(b)] {
                if cache[blockHash[Int(b)]] == b { cache.remove(blockHash[Int(b)]) }
                hashed[Int(b)] = false
                evictions += 1
            }
            refCount[Int(b)] = 1
            out.append(b)
        }
    }

    /// Drops one reference on each block, in the given order; blocks reaching zero join the free queue's tail.
    mutating func free(_ blocks: some Sequence<Int32>) {
        for b in blocks {
            refCount[Int(b)] -= 1
            if refCount[Int(b)] == 0 { append(b) }
        }
    }

    /// Enters block `b` into the prefix cache under `hash` (a block whose content is already cached elsewhere
    /// stays uncached, as in vLLM).
    mutating func cacheBlock(_ b: Int32, hash: UInt64) {
        guard cachingEnabled, !hashed[Int(b)], cache[hash] == nil else { return }
        cache.set(hash, b)
        blockHash[Int(b)] = hash
        hashed[Int(b)] = true
    }

    /// Empties the prefix cache (vLLM `reset_prefix_cache`); held blocks keep their data.
    mutating func resetPrefixCache() {
        cache.removeAll()
        for b in 0..<numBlocks { hashed[b] = false }
    }

    private mutating func unlink(_ b: Int32) {
        let p = prev[Int(b)]
        let n = next[Int(b)]
        next[Int(p)] = n
        prev[Int(n)] = p
        freeCount -= 1
    }

    private mutating func append(_ b: Int32) {
        let last = prev[Int(sentinel)]
        next[Int(last)] = b
        prev[Int(b)] = last
        next[Int(b)] = sentinel
        prev[Int(sentinel)] = b
        freeCount += 1
    }
}
