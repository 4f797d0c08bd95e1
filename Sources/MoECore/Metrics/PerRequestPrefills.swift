/// MoE-CAP's per-request prefill accumulation (`req_prefill_accum`, docs/moecap-metrics.md §4), used when some prefill
/// record carries `per_req_info`.
///
/// Each chunk adds the **full** pass latency to its request (not a share of it) and its `extend_len` to the token
/// count; `total_len`, when present, overwrites the request's total. A request counts once any chunk says
/// `is_last_chunk`. Entries are never removed, so a key seen again after completion keeps accumulating, as in
/// Python.
struct PerRequestPrefills {
    /// `req_id`, else `req_pool_idx`, else Python's `None` key.
    enum Key: Hashable {
        case id(String)
        case pool(Int)
        case none
    }

    struct Entry {
        var latencySum = 0.0
        var totalTokens = 0
        var seqLensSum = 0
        var lastActivation = 0.0
        var completed = false
    }

    private var order: [Key] = []
    private var entries: [Key: Entry] = [:]

    mutating func add(record r: BatchRecord, activation: Double, chunks: [PerRequestChunk]) {
        for c in chunks {
            let key: Key = c.reqId.map(Key.id) ?? c.reqPoolIdx.map(Key.pool) ?? .none
            if entries[key] == nil {
                entries[key] = Entry()
                order.append(key)
            }
            entries[key]!.latencySum += r.latency
            entries[key]!.seqLensSum += c.extendLen ?? 0
            if let total = c.totalLen { entries[key]!.totalTokens = total }
            entries[key]!.lastActivation = activation
            if c.isLastChunk == true { entries[key]!.completed = true }
        }
    }

    /// The completed requests in first-seen order (Python dict iteration order).
    var completed: [Entry] {
        order.compactMap { entries[$0] }.filter(\.completed)
    }
}
