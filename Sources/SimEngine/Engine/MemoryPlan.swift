import MoECore

/// How one rank's memory is divided, as vLLM 0.11 sizes its KV cache: `gpu_memory_utilization` × device memory,
/// minus the weights, the peak activations of a profiling forward pass of `max_num_batched_tokens` tokens, and
/// memory outside PyTorch; the rest holds KV blocks. A plain value; all sizes in bytes.
package struct MemoryPlan: Sendable, Equatable {
    /// Device memory as CUDA reports it. Datasheet sizes are GiB of HBM (an "80 GB" H100 has 80 GiB) of which
    /// about 1% is reserved: 80 → 79.2 GiB, as `torch.cuda.mem_get_info` shows on an H100.
    let deviceMemory: Double
    /// `gpu_memory_utilization` × ``deviceMemory``.
    package let budget: Double
    package let weights: Double
    package let activations: Double
    let nonTorch: Double
    /// What is left for the KV cache (≤ 0: nothing).
    let kvCacheBytes: Double

    init(config: EngineConfig, footprint: ModelFootprint) {
        deviceMemory = config.gpu.memoryBytes / 1e9 * 1_073_741_824.0 * 0.99
        budget = config.gpuMemoryUtilization * deviceMemory
        // MXFP4 experts load padded for Marlin where the GPU has no FP4 tensor cores (docs/engine.md §3).
        weights = footprint.loadedWeightBytesPerRank(on: config.gpu, tritonKernels: config.tritonKernels)
        activations = footprint.activationBytes(tokens: config.maxNumBatchedTokens, sequences: config.maxNumSeqs)
        nonTorch =
            config.calibration.nonTorchMemory
            + (config.tensorParallelSize > 1 ? config.calibration.nonTorchMemoryTP : 0)
        kvCacheBytes = budget - weights - activations - nonTorch
    }

    func doesNotFitMessage(config: EngineConfig) -> String {
        let gib = 1_073_741_824.0
        func g(_ x: Double) -> String { String(Int((x / gib * 10).rounded())).inserting(".", fromEnd: 1) }
        let what = weights > budget ? "the model weights do not fit" : "no memory is left for the KV cache"
        return "\(config.model.name) on \(config.tensorParallelSize)×\(config.gpu.key): \(what): per GPU the "
            + "weights need \(g(weights)) GiB, activations \(g(activations)) GiB and other memory \(g(nonTorch)) "
            + "GiB, but gpu_memory_utilization \(config.gpuMemoryUtilization) of \(g(deviceMemory)) GiB allows "
            + "\(g(budget)) GiB. No available memory for the cache blocks. Try increasing `gpu_memory_utilization` "
            + "or `tensor_parallel_size` when initializing the engine."
    }
}

extension String {
    /// Inserts `s` `offset` characters before the end (left-padding with zeros as needed), for fixed decimals.
    fileprivate func inserting(_ s: String, fromEnd offset: Int) -> String {
        var digits = self
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        while digits.count <= offset { digits = "0" + digits }
        let i = digits.index(digits.endIndex, offsetBy: -offset)
        return (negative ? "-" : "") + digits[..<i] + s + digits[i...]
    }
}
