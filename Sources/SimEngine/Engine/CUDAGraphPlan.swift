/// The CUDA-graph batch sizes vLLM 0.11 captures and the padding they imply (docs/sllm-api.md §8 item 6).
///
/// vLLM captures graphs for 1, 2, 4 and every multiple of 8 up to `min(2 · max_num_seqs, 512)` tokens (sizes above
/// `max_num_batched_tokens` are dropped). With graphs on (`enforce_eager` false), a step of at most the largest
/// size runs padded up to the next captured size — decode steps under full graphs, mixed and prefill steps under
/// piecewise graphs (vLLM 0.11's default `FULL_AND_PIECEWISE` mode) — so the record's `batch_size` is the padded
/// count. Larger steps, and every step with `enforce_eager`, run unpadded and eagerly. A plain value.
package struct CUDAGraphPlan: Sendable, Equatable {
    /// Captured sizes, ascending; empty under `enforce_eager`.
    let captureSizes: [Int]

    /// - Parameters:
    ///   - maxNumSeqs: `max_num_seqs`.
    ///   - maxNumBatchedTokens: `max_num_batched_tokens`.
    ///   - enforceEager: no graphs at all.
    package init(maxNumSeqs: Int, maxNumBatchedTokens: Int, enforceEager: Bool) {
        guard !enforceEager else {
            captureSizes = []
            return
        }
        let largest = min(2 * maxNumSeqs, 512)
        var sizes = [1, 2, 4].filter { $0 <= largest }
        if largest >= 8 { sizes += Array(stride(from: 8, through: largest, by: 8)) }
        captureSizes = sizes.filter { $0 <= maxNumBatchedTokens }
    }

    /// Largest captured size (0 without graphs).
    package var largest: Int { captureSizes.last ?? 0 }

    /// Tokens the step runs: the smallest captured size ≥ `tokens` when one exists, else `tokens`.
    package func padded(_ tokens: Int) -> Int {
        guard tokens > 0, tokens <= largest else { return tokens }
        if tokens <= 4 { return tokens == 3 ? 4 : tokens }
        return (tokens + 7) / 8 * 8
    }

    /// Whether a step of `tokens` tokens replays a captured graph.
    func usesGraph(_ tokens: Int) -> Bool { tokens > 0 && tokens <= largest }
}
