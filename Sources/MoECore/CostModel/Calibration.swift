/// The fitted constants of the step cost model: efficiencies (fractions of datasheet peaks) and fixed costs.
///
/// The defaults are fitted to the measurements V1 (Mixtral-8x7B, 2×H100, TP2) and V4 (Qwen3-30B-A3B, 1×H100) of
/// `docs/validation-targets.md`; `fake-sllm fidelity` prints the fit error. Shapes matter: a matrix product
/// with few rows per weight matrix runs far below the compute peak, so compute efficiency is
/// `peak · rows / (rows + halfRows)` per operator (a saturating curve), while weight and KV streaming run at a
/// fixed fraction of the memory bandwidth plus a fixed latency per kernel. Orientation values other simulators
/// published (BLIS: MFU prefill 0.45 / decode 0.30, ~32 µs per layer, ~126 µs per step, TP communication
/// ×0.75) are in the same reference.
///
/// A plain value; every field can be overridden from JSON (``init(json:base:)``) with the names of ``fields``.
package struct Calibration: Sendable, Equatable {
    // MARK: Memory-bound efficiencies (fraction of the datasheet bandwidth)

    /// Streaming dense weights (attention projections, dense FFNs, shared experts, LM head). (Single-row bf16
    /// products over weights larger than the L2 cache streamed at 0.75–0.91 of an H100's bandwidth through
    /// PyTorch 2.11.)
    package var denseWeightBandwidth = 0.85
    /// The fused-MoE kernel reading the touched experts' weights, for large experts; a rank's slice of one expert
    /// of S bytes streams at `expertWeightBandwidth · S / (S + expertHalfBytes)` (small experts such as Qwen3's
    /// 9 MB ones pay a fixed cost per expert tile: vLLM's fused-MoE kernel moves Qwen3-30B-A3B's 604 MB of FP8
    /// experts per layer in about 270 µs, ~0.67 of an H100's bandwidth, vLLM PR #24700).
    package var expertWeightBandwidth = 0.88
    /// Expert size (bytes per rank) at which expert streaming and compute reach half their large-expert
    /// efficiency.
    package var expertHalfBytes = 1.5e6
    /// vLLM's Marlin MoE kernel on MXFP4 experts on Hopper relative to the fused-MoE curves above, compute and
    /// weight streaming alike (docs/engine.md §8 "MXFP4 experts through Marlin"; Ampere's Marlin keeps the
    /// curves). Fitted over the validation suite's gpt-oss-120b H100 fit rows (vLLM 0.10.2, Marlin):
    /// docs/calibration.md "Marlin MXFP4 experts".
    package var marlinMXFP4ExpertEfficiency = 0.7
    /// Paged-attention KV cache reads and writes. (Decode attention through PyTorch 2.11 on an H100 SXM read KV
    /// at 0.44–0.88 of the bandwidth, more for larger caches: 52 MB → 0.44, 143 MB → 0.72, 537 MB → 0.88.)
    package var kvBandwidth = 0.78
    /// Activations (inputs/outputs of each operator).
    package var activationBandwidth = 0.6

    // MARK: Compute efficiencies (fraction of the dense datasheet peak)

    /// Dense matrix products: asymptotic efficiency and the row count at which half of it is reached. (cuBLAS
    /// bf16 on an H100 SXM through PyTorch 2.11: 700–760 TFLOP/s, 0.71–0.77 of the dense peak, from 1024 rows;
    /// 0.45–0.62 at 256 rows for Qwen3's and Mixtral's projection shapes.)
    package var denseGemmPeak = 0.75
    package var denseGemmHalfRows = 64.0
    /// Fused-MoE grouped products (rows = tokens routed to one expert), for large experts; scaled down for
    /// small experts like the streaming efficiency. vLLM's Triton kernel is far from the tensor-core peak on
    /// small experts: Qwen3-30B-A3B's runs 1024–4096 tokens at 144–188 TFLOP/s (vLLM PR #24700), 15–19 % of
    /// an H100's 16-bit dense peak.
    package var moeGemmPeak = 0.34
    package var moeGemmHalfRows = 28.0
    /// Flash attention over prefill chunks and over decode queries. (Causal flash attention, 32 heads of 128,
    /// ran at 340–550 TFLOP/s on an H100 SXM through PyTorch 2.11: 0.34–0.56 of the dense peak.)
    package var attentionPrefillEfficiency = 0.45
    package var attentionDecodeEfficiency = 0.25

    // MARK: Communication

    /// Fraction of the per-direction interconnect bandwidth an all-reduce achieves.
    package var interconnectEfficiency = 0.7
    /// Fixed latency of one all-reduce (s).
    package var allReduceLatency = 9e-6

    // MARK: Fixed costs

    /// GPU-side time per transformer layer that no roofline term covers: norms, rotary, top-k, small kernels and
    /// the gaps between them (s), with CUDA graphs and without them.
    package var layerOverheadGraph = 34e-6
    package var layerOverheadEager = 80e-6
    /// GPU time per MoE layer and step of the fused-MoE call apart from streaming expert weights and computing
    /// (s): the top-k softmax, the sort/align kernel, SiLU-and-multiply, the top-k sum and the grouped products'
    /// own fixed latency. 0 in the H100 fit, whose layer overhead and MoE curves absorbed it (V1, V4); the A100
    /// profile takes it from published kernel times (docs/calibration.md "A100 fused-MoE kernels").
    package var moeLayerOverhead = 0.0
    /// Block-wise FP8 dense products (128 × 128 weight scales: DeepSeek-V3/R1, Qwen3 `-FP8`) on Hopper. vLLM 0.11
    /// quantises each product's input per token group (`per_token_group_quant_fp8`) and runs its CUTLASS
    /// block-FP8 kernel (`apply_w8a8_block_fp8_linear`; DeepGEMM where installed), which at small batch is one
    /// wave of tiles each looping over K: a fixed time per product (the quantisation kernel included, s), a time
    /// per 128 columns of the product's input width (s), and a compute rate below the dense curve's at large
    /// batch. Fitted to published vLLM kernel times on H100s (docs/calibration.md "Block-FP8 dense products on
    /// Hopper", Fixtures/calibration/Hopper.published-block-fp8-gemms.json); other GPUs and formats ignore them.
    package var blockFP8GemmCall = 11.6e-6
    package var blockFP8GemmKBlock = 0.287e-6
    package var blockFP8GemmEfficiency = 0.704
    /// GPU time per layer of DeepSeek's multi-head latent attention beyond a GQA layer's kernels, with CUDA
    /// graphs (s): vLLM 0.11's MLA decode runs two more RMSNorms (`q_a_layernorm`, `kv_a_layernorm`), the absorbed
    /// W_UK and W_UV batched products, the concatenation of the query's two parts and the copy of the output
    /// (`MultiHeadLatentAttention.forward_native`, `MLACommonImpl._forward_decode`/`_v_up_proj`). Two product
    /// intercepts and four small kernels at the H200 probe's measured times (docs/calibration.md "Block-FP8 dense
    /// products on Hopper").
    package var mlaLayerOverhead = 17.0e-6
    /// Per step, inside the recorded latency: sampling, bookkeeping, output construction (s).
    package var stepOverheadGraph = 0.45e-3
    package var stepOverheadEager = 0.9e-3
    /// Per request in the step, inside the recorded latency (s).
    package var requestOverhead = 4e-6
    /// CPU time between steps, outside the recorded latency: scheduling and input preparation (s), per step and
    /// per scheduled request.
    package var schedulerOverhead = 0.7e-3
    package var schedulerRequestOverhead = 8e-6
    /// Engine-core CPU per request scheduled for the first time in a step (s): vLLM's `Request` set-up, the
    /// input batch's new row (token ids, block table, sampling parameters) and its first output's bookkeeping.
    package var schedulerNewRequestOverhead = 40e-6
    /// Fixed latency from the end of a request's set-up in the API server to its arrival in the engine (IPC to
    /// the engine-core process, the engine loop picking it up) plus the first token's way back (s). The work on
    /// the API server's event loop itself is priced by the `api…` constants below (docs/engine.md §10).
    package var frontendLatency = 6.63e-3
    /// API-server loop CPU per request on receipt (s): HTTP parsing, request validation, the chat template,
    /// sampling parameters; the prompt then goes to the tokenizer thread. Fitted over the validation suite's fit
    /// rows (docs/calibration.md), with ``frontendLatency`` holding V1's and V4's TTFT.
    package var apiRequestOverhead = 6e-3
    /// The part of ``apiRequestOverhead`` that renders the chat template (`apply_hf_chat_template`, Jinja, on the
    /// loop), s. A model whose chat requests vLLM renders with harmony (``ModelSpec/rendersChatWithHarmony``,
    /// gpt-oss) skips it, and its prompt is tokenised by that render on the loop instead of on the tokenizer
    /// thread (docs/engine.md §10). Fitted over the gpt-oss fit rows of the validation suite (docs/calibration.md).
    package var apiChatTemplateOverhead = 3e-3
    /// Tokenizer-thread CPU per prompt token (vLLM's single-worker tokenizer executor, beside the loop), s.
    package var apiPromptTokenOverhead = 0.5e-6
    /// API-server loop CPU per request once its prompt is tokenised (s): building the engine request
    /// (`Processor.process_inputs`), registering it with the output processor, sending it to the engine core.
    /// Fitted with ``apiRequestOverhead`` (docs/calibration.md).
    package var apiSubmitOverhead = 0.5e-3
    /// API-server loop CPU per request output of an engine step (s): the output handler's incremental
    /// detokenising and stop checks, before the output reaches the request's collector.
    package var apiOutputTokenOverhead = 20e-6
    /// API-server loop CPU per stream chunk (s): the request's task wakes, builds the chunk, serialises it to JSON
    /// and writes it. Outputs put while the task is behind merge into one chunk. Fitted (docs/calibration.md).
    package var apiStreamChunkOverhead = 50e-6

    // MARK: Memory

    /// Memory outside PyTorch's allocator on each rank (CUDA context extras, cuBLAS workspaces, NCCL buffers),
    /// bytes, and the extra per rank when tensor parallelism is on.
    package var nonTorchMemory = 0.6 * 1_073_741_824.0
    package var nonTorchMemoryTP = 0.6 * 1_073_741_824.0

    /// The fitted defaults.
    package init() {}

    /// Every field by its JSON name, in declaration order.
    package static let fields: [(name: String, path: any WritableKeyPath<Calibration, Double> & Sendable)] = [
        ("dense_weight_bandwidth", \.denseWeightBandwidth),
        ("expert_weight_bandwidth", \.expertWeightBandwidth),
        ("expert_half_bytes", \.expertHalfBytes),
        ("marlin_mxfp4_expert_efficiency", \.marlinMXFP4ExpertEfficiency),
        ("kv_bandwidth", \.kvBandwidth),
        ("activation_bandwidth", \.activationBandwidth),
        ("dense_gemm_peak", \.denseGemmPeak),
        ("dense_gemm_half_rows", \.denseGemmHalfRows),
        ("moe_gemm_peak", \.moeGemmPeak),
        ("moe_gemm_half_rows", \.moeGemmHalfRows),
        ("attention_prefill_efficiency", \.attentionPrefillEfficiency),
        ("attention_decode_efficiency", \.attentionDecodeEfficiency),
        ("interconnect_efficiency", \.interconnectEfficiency),
        ("all_reduce_latency_s", \.allReduceLatency),
        ("layer_overhead_graph_s", \.layerOverheadGraph),
        ("layer_overhead_eager_s", \.layerOverheadEager),
        ("moe_layer_overhead_s", \.moeLayerOverhead),
        ("block_fp8_gemm_call_s", \.blockFP8GemmCall),
        ("block_fp8_gemm_k_block_s", \.blockFP8GemmKBlock),
        ("block_fp8_gemm_efficiency", \.blockFP8GemmEfficiency),
        ("mla_layer_overhead_s", \.mlaLayerOverhead),
        ("step_overhead_graph_s", \.stepOverheadGraph),
        ("step_overhead_eager_s", \.stepOverheadEager),
        ("request_overhead_s", \.requestOverhead),
        ("scheduler_overhead_s", \.schedulerOverhead),
        ("scheduler_request_overhead_s", \.schedulerRequestOverhead),
        ("scheduler_new_request_overhead_s", \.schedulerNewRequestOverhead),
        ("frontend_latency_s", \.frontendLatency),
        ("api_request_overhead_s", \.apiRequestOverhead),
        ("api_chat_template_overhead_s", \.apiChatTemplateOverhead),
        ("api_prompt_token_overhead_s", \.apiPromptTokenOverhead),
        ("api_submit_overhead_s", \.apiSubmitOverhead),
        ("api_output_token_overhead_s", \.apiOutputTokenOverhead),
        ("api_stream_chunk_overhead_s", \.apiStreamChunkOverhead),
        ("non_torch_memory_bytes", \.nonTorchMemory),
        ("non_torch_memory_tp_bytes", \.nonTorchMemoryTP),
    ]

    /// Fields that are fractions of a peak and must lie in (0, 1].
    private static let fractions: Set<String> = [
        "dense_weight_bandwidth", "expert_weight_bandwidth", "marlin_mxfp4_expert_efficiency", "kv_bandwidth",
        "activation_bandwidth",
        "dense_gemm_peak", "moe_gemm_peak", "attention_prefill_efficiency", "attention_decode_efficiency",
        "interconnect_efficiency", "block_fp8_gemm_efficiency",
    ]

    /// `base` with the members of a JSON object applied.
    ///
    /// Keys that begin with `_` are provenance (the GPU, the probe's command and date, its fit report: see
    /// docs/calibration.md) and are not applied.
    /// - Throws: ``CalibrationError`` for a non-object, an unknown key, a non-number, or a value out of range
    ///   (efficiencies in (0, 1], everything else ≥ 0).
    package init(json: JSONValue, base: Calibration = Calibration()) throws(CalibrationError) {
        guard case .object(let object) = json else { throw CalibrationError("calibration must be a JSON object") }
        self = base
        for (key, value) in object.pairs where !key.hasPrefix("_") {
            guard let field = Calibration.fields.first(where: { $0.name == key }) else {
                throw CalibrationError(
                    "unknown calibration key '\(key)' (known: \(Calibration.fields.map(\.name).joined(separator: ", ")))"
                )
            }
            guard let number = value.doubleValue, number.isFinite else {
                throw CalibrationError("calibration key '\(key)' must be a number")
            }
            if Calibration.fractions.contains(key) {
                guard number > 0, number <= 1 else {
                    throw CalibrationError("calibration key '\(key)' must be in (0, 1], got \(number)")
                }
            } else if number < 0 {
                throw CalibrationError("calibration key '\(key)' must be ≥ 0, got \(number)")
            }
            self[keyPath: field.path] = number
        }
    }

    /// All fields as an ordered JSON object.
    package var json: JSONValue {
        .object(JSONObject(Calibration.fields.map { ($0.name, JSONValue.double(self[keyPath: $0.path])) }))
    }
}

/// A calibration file or override that cannot be applied.
package struct CalibrationError: Error, CustomStringConvertible, Sendable, Equatable {
    package let description: String
    package init(_ d: String) { description = d }
}
