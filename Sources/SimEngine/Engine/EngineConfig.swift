import MoECore

/// Everything an ``EngineCore`` needs: the deployment's vLLM settings (ServerlessLLM's `backend_config`) and the
/// simulator's own settings (routing, seed, calibration).
///
/// Defaults follow vLLM 0.11 as ServerlessLLM's `vllm_moecap` backend starts it (docs/sllm-api.md §3.2): prefix
/// caching on, CUDA graphs on, block size 16, `gpu_memory_utilization` 0.9, `max_model_len` = the model's
/// `max_position_embeddings`. A plain value.
package struct EngineConfig: Sendable {
    package var model: ModelSpec
    package var gpu: GPUSpec
    /// Tensor-parallel ranks (= the record's `gpu_num`).
    package var tensorParallelSize: Int
    /// Default: vLLM 0.11's per-GPU default for the OpenAI server (``SchedulerDefaults``).
    package var maxNumSeqs: Int
    package var maxNumBatchedTokens: Int
    /// nil = the model's `max_position_embeddings`.
    package var maxModelLen: Int?
    package var gpuMemoryUtilization = 0.9
    package var blockSize = 16
    package var enablePrefixCaching = true
    package var enforceEager = false
    /// vLLM `async_scheduling` (off in 0.11, on by default from 0.12): the scheduler plans step N+1 while step N
    /// runs, so scheduling costs no GPU idle time but a request arriving during step N joins step N+2 at the
    /// earliest.
    package var asyncScheduling = false
    /// vLLM `num_gpu_blocks_override`: use this many KV blocks whatever the memory plan says.
    var numGPUBlocksOverride: Int?
    /// vLLM `dtype`: `auto` (the checkpoint's), `bfloat16`, `float16`, `float32`.
    package var dtype = "auto"
    /// vLLM `quantization` (`fp8`, `awq`, `gptq`, …) or nil (the checkpoint's `quantization_config`, if any).
    package var quantization: String?
    /// vLLM `kv_cache_dtype`: `auto` (= the activation dtype) or `fp8`/`fp8_e4m3`/`fp8_e5m2`.
    package var kvCacheDtype = "auto"
    /// Expert popularity model; default: the calibrated Zipf(1.0).
    package var routing: RoutingConfig = .calibrated
    /// Seed of every random choice the engine makes (routing).
    package var seed: UInt64 = 0
    /// Cost-model constants; by default the GPU's profile (``CalibrationCatalog``: the probe's measurement where
    /// there is one, else the H100 fit).
    package var calibration: Calibration
    /// Where the fused-MoE kernel's block config comes from; nil: vLLM 0.11's shipped files for this model, GPU
    /// and TP (``FusedMoEKernelConfig``). A validation row that names its config (`engine_options.fused_moe_config`)
    /// sets it.
    package var moeKernelSource: FusedMoEKernelConfig.Source?
    /// Whether the engine has OpenAI's `triton_kernels` package, so that MXFP4 experts on Hopper run Triton's
    /// `matmul_ogs` instead of Marlin (docs/engine.md §8 "MXFP4 experts through Marlin"). False: vLLM 0.11.0's
    /// wheel, which lacks it; the releases after it depend on it (vllm PR #27370). A validation row of a later
    /// vLLM sets it (``ValidationRow/shipsTritonKernels``).
    package var tritonKernels = false

    /// A configuration with vLLM's defaults.
    package init(model: ModelSpec, gpu: GPUSpec, tensorParallelSize: Int = 1) {
        self.model = model
        self.gpu = gpu
        self.tensorParallelSize = tensorParallelSize
        (maxNumSeqs, maxNumBatchedTokens) = SchedulerDefaults.openAIServer(gpu: gpu)
        calibration = CalibrationCatalog.calibration(for: gpu)
    }

    /// Reads a ServerlessLLM `backend_config` object (keys that vLLM's `AsyncEngineArgs` knows; others, such as
    /// `trust_remote_code`, are accepted and ignored).
    ///
    /// - Parameters:
    ///   - backendConfig: the `backend_config` object (or `null` for all defaults).
    ///   - model: the deployed model.
    ///   - gpu: its GPU type.
    ///   - gpuCount: the deployment's `num_gpus`, used as the tensor-parallel size when `tensor_parallel_size`
    ///     is absent.
    ///   - routing, seed, calibration: simulator settings (calibration nil: the GPU's default profile).
    /// - Throws: ``EngineConfigError`` naming the offending key, or vLLM's own validation message.
    package init(
        backendConfig: JSONValue, model: ModelSpec, gpu: GPUSpec, gpuCount: Int? = nil,
        routing: RoutingConfig = .calibrated, seed: UInt64 = 0, calibration: Calibration? = nil
    ) throws(EngineConfigError) {
        self.init(model: model, gpu: gpu, tensorParallelSize: gpuCount ?? 1)
        self.routing = routing
        self.seed = seed
        if let calibration { self.calibration = calibration }
        guard !backendConfig.isNull else {
            try validate()
            return
        }
        guard case .object(let object) = backendConfig else {
            throw EngineConfigError("backend_config must be a JSON object")
        }
        func int(_ key: String) throws(EngineConfigError) -> Int? {
            guard let v = object[key], !v.isNull else { return nil }
            guard let i = v.intValue, v.boolValue == nil else {
                throw EngineConfigError("backend_config.\(key) must be an integer, got \(v.serialized())")
            }
            return i
        }
        func bool(_ key: String) throws(EngineConfigError) -> Bool? {
            guard let v = object[key], !v.isNull else { return nil }
            if let b = v.boolValue { return b }
            if case .int(let i) = v, i == 0 || i == 1 { return i == 1 }
            throw EngineConfigError("backend_config.\(key) must be true or false, got \(v.serialized())")
        }
        func string(_ key: String) throws(EngineConfigError) -> String? {
            guard let v = object[key], !v.isNull else { return nil }
            guard let s = v.stringValue else {
                throw EngineConfigError("backend_config.\(key) must be a string, got \(v.serialized())")
            }
            return s
        }
        if let tp = try int("tensor_parallel_size") { tensorParallelSize = tp }
        if let n = try int("max_num_seqs") { maxNumSeqs = n }
        if let n = try int("max_num_batched_tokens") { maxNumBatchedTokens = n }
        if let n = try int("max_model_len") { maxModelLen = n }
        if let v = object["gpu_memory_utilization"], !v.isNull {
            guard let u = v.doubleValue else {
                throw EngineConfigError("backend_config.gpu_memory_utilization must be a number, got \(v.serialized())")
            }
            gpuMemoryUtilization = u
        }
        if let n = try int("block_size") { blockSize = n }
        if let b = try bool("enable_prefix_caching") { enablePrefixCaching = b }
        if let b = try bool("enforce_eager") { enforceEager = b }
        if let b = try bool("async_scheduling") { asyncScheduling = b }
        if let n = try int("num_gpu_blocks_override") { numGPUBlocksOverride = n }
        // ServerlessLLM maps `torch_dtype` to vLLM's `dtype` (docs/sllm-api.md §3.2); an explicit `dtype` wins.
        if let d = try string("torch_dtype") { dtype = d }
        if let d = try string("dtype") { dtype = d }
        if let q = try string("quantization") { quantization = q }
        if let k = try string("kv_cache_dtype") { kvCacheDtype = k }
        try validate()
    }

    /// `max_model_len` in effect.
    var resolvedMaxModelLen: Int { maxModelLen ?? model.maxPositionEmbeddings }

    /// Activation dtype after resolving `auto` as vLLM does (bfloat16 checkpoints stay bfloat16, float16 and
    /// float32 ones run in float16).
    var activationFormat: NumberFormat {
        let name = dtype.lowercased() == "auto" ? model.torchDtype : dtype
        switch NumberFormat(name: name) {
        case .bfloat16?: return .bfloat16
        case .float32?: return dtype.lowercased() == "auto" ? .float16 : .float32
        default: return .float16
        }
    }

    /// Weight storage format: the quantization method (explicit, else the checkpoint's `quantization_config`),
    /// else the activation dtype.
    package var weightFormat: NumberFormat {
        let method = quantization ?? model.quantizationConfig?["quant_method"]?.stringValue
        if let method, let f = NumberFormat(name: method) { return f }
        return activationFormat
    }

    /// KV cache format.
    package var kvFormat: NumberFormat {
        let k = kvCacheDtype.lowercased()
        if k == "auto" { return activationFormat }
        return NumberFormat(name: k) ?? activationFormat
    }

    /// Checks every value the way vLLM's argument validation does.
    /// - Throws: ``EngineConfigError`` with the first problem found.
    package func validate() throws(EngineConfigError) {
        guard tensorParallelSize >= 1 else {
            throw EngineConfigError("tensor_parallel_size must be at least 1, got \(tensorParallelSize)")
        }
        guard model.numAttentionHeads % tensorParallelSize == 0 else {
            throw EngineConfigError(
                "Total number of attention heads (\(model.numAttentionHeads)) must be divisible by tensor "
                    + "parallel size (\(tensorParallelSize)).")
        }
        guard maxNumSeqs >= 1 else { throw EngineConfigError("max_num_seqs must be at least 1, got \(maxNumSeqs)") }
        guard maxNumBatchedTokens >= 1 else {
            throw EngineConfigError("max_num_batched_tokens must be at least 1, got \(maxNumBatchedTokens)")
        }
        guard maxNumBatchedTokens >= maxNumSeqs else {
            throw EngineConfigError(
                "max_num_batched_tokens (\(maxNumBatchedTokens)) must be greater than or equal to max_num_seqs "
                    + "(\(maxNumSeqs)).")
        }
        if let m = maxModelLen {
            guard m >= 1 else { throw EngineConfigError("max_model_len must be at least 1, got \(m)") }
            guard m <= model.maxPositionEmbeddings else {
                throw EngineConfigError(
                    "User-specified max_model_len (\(m)) is greater than the derived max_model_len "
                        + "(max_position_embeddings=\(model.maxPositionEmbeddings) or model_max_length=None in "
                        + "model's config.json). This may lead to incorrect model outputs or CUDA errors. To allow "
                        + "overriding this maximum, set the env var VLLM_ALLOW_LONG_MAX_MODEL_LEN=1")
            }
        }
        guard gpuMemoryUtilization > 0, gpuMemoryUtilization <= 1 else {
            throw EngineConfigError(
                "GPU memory utilization must be within (0, 1]. Got \(gpuMemoryUtilization).")
        }
        if let n = numGPUBlocksOverride, n < 2 {
            throw EngineConfigError("num_gpu_blocks_override must be at least 2, got \(n)")
        }
        guard [1, 8, 16, 32, 64, 128].contains(blockSize) else {
            throw EngineConfigError("block_size must be one of 1, 8, 16, 32, 64, 128; got \(blockSize)")
        }
        let d = dtype.lowercased()
        guard d == "auto" || ["float32", "float16", "bfloat16", "half", "float", "fp16", "bf16"].contains(d) else {
            throw EngineConfigError(
                "invalid dtype '\(dtype)': expected auto, bfloat16, float16 or float32")
        }
        if let q = quantization, NumberFormat(name: q) == nil {
            throw EngineConfigError(
                "unsupported quantization '\(q)': the simulator knows fp8, int8, awq, gptq, int4, fp4/mxfp4/nvfp4")
        }
        let k = kvCacheDtype.lowercased()
        guard k == "auto" || NumberFormat(name: k) != nil else {
            throw EngineConfigError(
                "invalid kv_cache_dtype '\(kvCacheDtype)': expected auto, fp8, fp8_e4m3 or fp8_e5m2")
        }
        if case .zipf(let e) = routing, !(e.isFinite && e >= 0) {
            throw EngineConfigError("Zipf routing exponent must be a finite number ≥ 0, got \(e)")
        }
    }
}
