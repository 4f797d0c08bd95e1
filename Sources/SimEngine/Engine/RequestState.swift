/// The engine's bookkeeping for one unfinished request (vLLM v1 `Request`).
struct RequestState {
    enum Status { case waiting, running, preempted }

    let id: UInt64
    let promptTokens: Int
    let maxTokens: Int
    /// Output count at which EOS comes (`Int.max` with `ignore_eos`).
    let eosAt: Int
    let arrival: Double
    var status: Status = .waiting
    /// Tokens whose KV is computed (or reused from the prefix cache).
    var numComputed = 0
    /// Output tokens generated so far.
    var numOutput = 0
    /// KV blocks held, in token order.
    var blocks: [Int32] = []
    /// Leading blocks already entered into the prefix cache.
    var numCachedBlocks = 0
    /// Sliding-window KV group only (hybrid models): the blocks still inside the window, in token order, and how
    /// many leading block positions were freed once they fell out of it (vLLM's null blocks).
    var windowBlocks: [Int32] = []
    var windowSkipped = 0
    /// Block hashes known so far (caller-supplied prompt hashes, then the request's own chain).
    var hashes: [UInt64]
    /// First step that may admit it (async scheduling plans one step ahead).
    var visibleFromStep = 0

    init(_ r: EngineRequest) {
        id = r.id
        promptTokens = r.promptTokens
        maxTokens = r.maxTokens
        eosAt = r.ignoreEOS ? Int.max : max(r.outputTokens, r.minTokens, 1)
        arrival = r.arrival
        hashes = r.prefixBlockHashes
    }

    /// Prompt plus generated tokens.
    var numTokens: Int { promptTokens + numOutput }

    /// Hash of block `b`, extending the chain with request-unique hashes past the caller's.
    mutating func blockHash(_ b: Int) -> UInt64 {
        while hashes.count <= b {
            let parent = hashes.last ?? BlockHasher.root
            hashes.append(BlockHasher.extend(parent: parent, request: id, block: hashes.count))
        }
        return hashes[b]
    }
}
