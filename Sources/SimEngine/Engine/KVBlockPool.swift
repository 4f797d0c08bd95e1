/// The paged KV cache's blocks (vLLM v1 `BlockPool`): reference counts, the free queue, and the prefix cache's
/// hash → block map.
///
/// Free blocks wait in a doubly linked queue in eviction order: allocation takes from the head; a freed block
/// joins the tail but keeps its cached content (and hash) until it is reallocated, so a later request with the
/// same prefix can take it back ("touch") from anywhere in the queue in O(1). Block 0 is vLLM's reserved null
/// block and is never handed out. Not thread-safe; owned by one engine.
///
/// Each block's bookkeeping (links, reference count, cached hash) is one record in one array, and the operations
/// walk it through a raw buffer: a decode step allocates, caches or frees a block for every sixteenth token of
/// every request, and separate arrays cost a uniqueness and a bounds check per field written.
struct KVBlockPool {
    /// Blocks including the null block.
    let numBlocks: Int
    /// Whether full blocks are entered into the prefix cache.
    let cachingEnabled: Bool

    /// One block's bookkeeping; index `numBlocks` is the free queue's sentinel (links only).
    private struct Node {
        /// The content hash it is cached under, when `hashed`.
        var hash: UInt64 = 0
        var prev: Int32 = 0
        var next: Int32 = 0
        var refCount: Int32 = 0
        var hashed = false
    }

    private var nodes: [Node]
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
        // At most one cached hash per block: the table never grows while the cache fills.
        cache = BlockHashTable(capacity: cachingEnabled ? numBlocks : 0)
        sentinel = Int32(numBlocks)
        var nodes = [Node](repeating: Node(), count: numBlocks + 1)
        // Queue 1, 2, …, numBlocks−1 in order; block 0 (null) stays out.
        var last = sentinel
        for b in 1..<numBlocks {
            nodes[Int(last)].next = Int32(b)
            nodes[b].prev = last
            last = Int32(b)
        }
        nodes[Int(last)].next = sentinel
        nodes[Int(sentinel)].prev = last
        nodes[0].refCount = 1
        self.nodes = nodes
        freeCount = numBlocks - 1
    }

    /// Usable blocks (all but the null block).
    var usableBlocks: Int { numBlocks - 1 }

    /// Blocks currently held by requests.
    var usedBlocks: Int { usableBlocks - freeCount }

    /// The cached block holding content `hash`, if any.
    func cachedBlock(_ hash: UInt64) -> Int32? { cache[hash] }

    /// Whether block `b` sits in the free queue (its content can be evicted).
    func isFree(_ b: Int32) -> Bool { nodes[Int(b)].refCount == 0 }

    /// Runs `body` on the node table as a raw buffer (the table is moved out meanwhile, so `body` may use the
    /// pool's other properties).
    @inline(__always)
    private mutating func withNodes<R>(_ body: (inout KVBlockPool, UnsafeMutableBufferPointer<Node>) -> R) -> R {
        var table: [Node] = []
        swap(&table, &nodes)
        defer { swap(&table, &nodes) }
        return table.withUnsafeMutableBufferPointer { body(&self, $0) }
    }

    /// Takes a reference on cached blocks a request reuses, removing free ones from the free queue.
    mutating func touch(_ blocks: some Sequence<Int32>) {
        withNodes { pool, n in
            for b in blocks {
                if n[Int(b)].refCount == 0 {
                    Self.unlink(b, n)
                    pool.freeCount -= 1
                }
                n[Int(b)].refCount += 1
            }
        }
    }

    /// Takes `count` blocks from the head of the free queue (evicting their cached content).
    /// - Precondition: `count <= freeCount`.
    mutating func allocate(_ count: Int, into out: inout [Int32]) {
        precondition(count <= freeCount)
        guard count > 0 else { return }
        let s = Int(sentinel)
        withNodes { pool, n in
            for _ in 0..<count {
                let b = n[s].next
                Self.unlink(b, n)
                let i = Int(b)
                if n[i].hashed {
                    let hash = n[i].hash
                    if pool.cache[hash] == b { pool.cache.remove(hash) }
                    n[i].hashed = false
                    pool.evictions += 1
                }
                n[i].refCount = 1
                out.append(b)
            }
            pool.freeCount -= count
        }
    }

    /// Drops one reference on each block, in the given order; blocks reaching zero join the free queue's tail.
    mutating func free(_ blocks: some Sequence<Int32>) {
        let s = Int(sentinel)
        withNodes { pool, n in
            for b in blocks {
                let i = Int(b)
                n[i].refCount -= 1
                if n[i].refCount == 0 {
                    // Append to the tail.
                    let last = n[s].prev
                    n[Int(last)].next = b
                    n[i].prev = last
                    n[i].next = Int32(s)
                    n[s].prev = b
                    pool.freeCount += 1
                }
            }
        }
    }

    /// Enters block `b` into the prefix cache under `hash` (a block whose content is already cached elsewhere
    /// stays uncached, as in vLLM).
    mutating func cacheBlock(_ b: Int32, hash: UInt64) {
        guard cachingEnabled, !nodes[Int(b)].hashed, cache[hash] == nil else { return }
        cache.set(hash, b)
        nodes[Int(b)].hash = hash
        nodes[Int(b)].hashed = true
    }

    /// Empties the prefix cache (vLLM `reset_prefix_cache`); held blocks keep their data.
    mutating func resetPrefixCache() {
        cache.removeAll()
        for b in 0..<numBlocks { nodes[b].hashed = false }
    }

    /// Takes block `b` out of the free queue (the caller counts it).
    @inline(__always)
    private static func unlink(_ b: Int32, _ n: UnsafeMutableBufferPointer<Node>) {
        let p = n[Int(b)].prev
        let x = n[Int(b)].next
        n[Int(p)].next = x
        n[Int(x)].prev = p
    }
}
