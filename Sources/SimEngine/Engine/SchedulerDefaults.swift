import MoECore

/// vLLM 0.11's scheduler defaults for the OpenAI-compatible server (`vllm serve`), by GPU (docs/engine.md §2).
///
/// `EngineArgs` picks `max_num_batched_tokens` and `max_num_seqs` from the device when the deployment leaves them
/// unset: GPUs with at least 70 GiB of memory whose name does not contain "a100" get 8192 tokens and 1024
/// sequences; every other GPU, A100-80GB included (a larger token budget lowered A100 throughput,
/// vllm-project/vllm#17885), gets 2048 tokens and 256 sequences. vLLM's `test_defaults_with_usage_context`
/// checks exactly this split.
package enum SchedulerDefaults {
    /// `(max_num_seqs, max_num_batched_tokens)` of the OpenAI server on `gpu`.
    package static func openAIServer(gpu: GPUSpec) -> (maxNumSeqs: Int, maxNumBatchedTokens: Int) {
        let gib = 1_073_741_824.0
        let large = gpu.memoryBytes >= 70 * gib && !gpu.key.lowercased().contains("a100")
        return large ? (1024, 8192) : (256, 2048)
    }
}
