/// The CUDA-graph batch sizes vLLM 0.11 captures and the padding they imply (docs/sllm-api.md §8 item 6).
///
/// vLLM captures graphs for 1, 2, 4 and every multiple of 8 up to `min(2 · max_num_seqs, 512)` tokens (sizes above
/// `max_num_batched_tokens` are dropped). gpt-oss models override that list (`GptOssForCausalLMConfig` in vLLM
/// 0.11's `model_executor/models/config.py`, "increase the max capture size from 512 to 992 for performance"):
/// 1, 2, 4, every multiple of 8 below 256, then every multiple of 16 up to 992, whatever `max_num_seqs`. With
/// graphs on (`enforce_eager` false), a step of at most the largest size runs padded up to the next captured size
/// — decode steps under full graphs, mixed and prefill steps under piecewise graphs (vLLM 0.11's default
/// `FULL_AND_PIECEWISE` mode) — so the record's `batch_size` is the padded count. Larger steps, and every step with `enforce_eager`, run unpadded and eagerly. A plain value.
package struct CUDAGraphPlan: Sendable, Equatable {
    /// Captured sizes, ascending; empty under `enforce_eager`.
    let captureSizes: [Int]

    /// - Parameters:
    ///   - maxNumSeqs: `max_num_seqs`.
    ///   - maxNumBatchedTokens: `max_num_batched_tokens`.
    ///   - enforceEager: no graphs at all.
    ///   - modelCaptureSizes: the model's own list (``ModelSpec/cudaGraphCaptureSizes``, gpt-oss), ascending,
    ///     replacing the default one whatever `max_num_seqs`.
    package init(maxNumSeqs: Int, maxNumBatchedTokens: Int, enforceEager: Bool, modelCaptureSizes: [Int]? = nil) {
        guard !enforceEager else {
            captureSizes = []
            return
        }
        var sizes: [Int]
        if let own = modelCaptureSizes {
            sizes = own
        } else {
            let largest = min(2 * maxNumSeqs, 512)
            sizes = [1, 2, 4].filter { $0 <= largest }
            if largest >= 8 { sizes += Array(stride(from: 8, through: largest, by: 8)) }
        }
        captureSizes = sizes.filter { $0 <= maxNumBatchedTokens }
    }

    /// Largest captured size (0 without graphs).
    package var largest: Int { captureSizes.last ?? 0 }

    /// Tokens the step runs: the smallest captured size ≥ `tokens` when one exists, else `tokens`.
    package func padded(_ tokens: Int) -> Int {
        guard tokens > 0, tokens <= largest else { return tokens }
        // Binary search for the first size ≥ tokens (the list is ascending and ends at or above `tokens`).
        var low = 0
        var high = captureSizes.count - 1
        while low < high {
            let mid = (low + high) / 2
            if captureSizes[mid] < tokens { low = mid + 1 } else { high = mid }
        }
        return captureSizes[low]
    }

    /// Whether a step of `tokens` tokens replays a captured graph.
    func usesGraph(_ tokens: Int) -> Bool { tokens > 0 && tokens <= largest }
}
