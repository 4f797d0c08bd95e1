/// Parameter and cache sizes of one model sharded over `tensorParallelSize` GPUs, per GPU.
///
/// Sharding follows vLLM: attention heads, FFN and expert intermediate dimensions and the vocabulary are split
/// across ranks; KV heads are replicated when there are fewer of them than ranks; the MoE router, norms and
/// MLA's `kv_a_proj_with_mqa` (and `q_a_proj`) are replicated; the MLA latent KV cache is replicated on every rank.
/// Every count is in parameters (elements) unless its name says bytes. Values are computed once; the type is a
/// plain value, safe to share between threads.
package struct ModelFootprint: Sendable, Equatable {
    /// The model.
    package let model: ModelSpec
    /// Tensor-parallel ranks.
    package let tensorParallelSize: Int
    /// Weight storage format of the linear layers (embeddings, LM head, router and norms stay 16-bit).
    package let weightFormat: NumberFormat
    /// KV cache element format.
    package let kvFormat: NumberFormat
    /// Stored bytes per routed-expert weight, scales included: the checkpoint's own format when it is quantized
    /// (MXFP4 4.25 bits, block-wise FP8 1 byte plus a float32 per 128×128 block, …), else ``weightFormat``'s width
    /// (an unquantized checkpoint, or one quantized online by `--quantization`).
    package let expertBytesPerParam: Double
    /// Stored bytes per weight of attention, dense FFNs and shared experts, chosen as ``expertBytesPerParam`` is.
    package let denseBytesPerParam: Double

    /// Query heads per rank.
    package let queryHeadsPerRank: Int
    /// KV heads per rank (GQA; ≥ 1: replicated when fewer KV heads than ranks).
    package let kvHeadsPerRank: Int
    /// Attention projection parameters per layer per rank (Q, K, V, O; MLA: its down/up projections).
    package let attentionParamsPerLayer: Double
    /// Attention projection parameters of one whole layer (all ranks, each parameter once).
    package let wholeAttentionParamsPerLayer: Double
    /// Attention-core FLOPs per (query, key) pair per layer per rank, for prefill tokens.
    package let attentionFlopsPerPairPrefill: Double
    /// Attention-core FLOPs per (query, key) pair per layer per rank, for decode tokens (MLA: absorbed form).
    package let attentionFlopsPerPairDecode: Double
    /// Parameters of one routed expert per rank (gate, up, down: 3·d·ff/TP).
    package let expertParams: Double
    /// Router (gate) parameters per MoE layer (replicated).
    package let routerParams: Double
    /// Shared-expert parameters per MoE layer per rank (Qwen's shared expert and its gate, DeepSeek's shared
    /// experts); 0 when the model has none.
    package let sharedExpertParams: Double
    /// Dense FFN parameters per non-MoE layer per rank.
    package let denseFFNParams: Double
    /// Number of MoE layers and of dense (non-MoE) layers.
    package let moeLayers: Int
    package let denseLayers: Int
    /// LM head parameters per rank (vocabulary split across ranks).
    package let lmHeadParams: Double
    /// Embedding parameters per rank (0 extra when tied to the LM head).
    package let embeddingParams: Double
    /// Norm parameters of the whole model (replicated).
    package let normParams: Double
    /// KV cache bytes one token occupies on one layer of one rank.
    package let kvBytesPerTokenPerLayer: Double
    /// Input widths (K, per rank) of the dense products one layer runs, as vLLM fuses them: attention (QKV and O;
    /// MLA: the fused q_a/kv_a, q_b and O — its kv_b runs as 16-bit absorbed products in decode), the shared
    /// experts' gate/up and down on MoE layers, the dense FFN's gate/up and down on dense layers. They price the
    /// per-product fixed times of block-FP8 kernels (``Calibration/blockFP8GemmCall``).
    package let attentionProductInputs: [Double]
    package let sharedExpertProductInputs: [Double]
    package let denseFFNProductInputs: [Double]

    /// - Parameters:
    ///   - model: the architecture.
    ///   - tensorParallelSize: ranks (≥ 1).
    ///   - weightFormat: linear-layer weight format.
    ///   - kvFormat: KV cache format.
    package init(model: ModelSpec, tensorParallelSize: Int, weightFormat: NumberFormat, kvFormat: NumberFormat) {
        let tp = Double(max(1, tensorParallelSize))
        let d = Double(model.hiddenSize)
        self.model = model
        self.tensorParallelSize = max(1, tensorParallelSize)
        self.weightFormat = weightFormat
        self.kvFormat = kvFormat
        if model.checkpointWeights.method != nil {
            expertBytesPerParam = model.checkpointWeights.experts.bytesPerWeight
            denseBytesPerParam = model.checkpointWeights.dense.bytesPerWeight
        } else {
            expertBytesPerParam = weightFormat.bytes
            denseBytesPerParam = weightFormat.bytes
        }
        let hq = max(1, (model.numAttentionHeads + self.tensorParallelSize - 1) / self.tensorParallelSize)
        let hkv = max(1, model.numKVHeads / self.tensorParallelSize)
        queryHeadsPerRank = hq
        kvHeadsPerRank = hkv
        attentionParamsPerLayer = Self.attentionParams(model, queryHeads: hq, kvHeads: hkv)
        wholeAttentionParamsPerLayer = Self.attentionParams(
            model, queryHeads: model.numAttentionHeads, kvHeads: model.numKVHeads)
        let dh = Double(model.headDim)
        if model.usesMLA {
            // DeepSeek-V2/V3 multi-head latent attention (vLLM's MLA layers).
            let rope = Double(model.qkRopeHeadDim ?? 64)
            let nope = Double(model.qkNopeHeadDim ?? 128)
            let vdim = Double(model.vHeadDim ?? 128)
            let lora = Double(model.kvLoraRank ?? 512)
            let qhd = rope + nope
            let h = Double(hq)
            attentionFlopsPerPairPrefill = 2 * h * (qhd + vdim)
            // Absorbed decode: scores over the latent (kv_lora + rope), values in the latent space. The absorbed
            // W_UK/W_UV products per decode token cost as much as kv_b_proj per token, counted with the projections.
            attentionFlopsPerPairDecode = 2 * h * (lora + rope + lora)
            kvBytesPerTokenPerLayer = (lora + rope) * kvFormat.bytes
        } else {
            let h = Double(hq)
            let kv = Double(hkv)
            attentionFlopsPerPairPrefill = 4 * h * dh
            attentionFlopsPerPairDecode = 4 * h * dh
            kvBytesPerTokenPerLayer = 2 * kv * dh * kvFormat.bytes
        }
        if model.usesMLA {
            let oInput = Double(hq) * Double(model.vHeadDim ?? 128)
            if let qLora = model.qLoraRank, qLora > 0 {
                attentionProductInputs = [d, Double(qLora), oInput]
            } else {
                attentionProductInputs = [d, d, oInput]
            }
        } else {
            attentionProductInputs = [d, Double(hq) * dh]
        }
        let moeFF = Double(model.moeIntermediateSize ?? model.dFF)
        let numMoE = model.numMoELayers
        moeLayers = numMoE
        denseLayers = model.numLayers - numMoE
        if model.numExperts > 0 {
            expertParams = 3 * d * moeFF / tp
            routerParams = d * Double(model.numExperts)
            if let sharedFF = model.sharedExpertIntermediateSize, sharedFF > 0 {
                // Qwen2-MoE: one shared expert of its own width plus a scalar gate (d × 1, replicated).
                sharedExpertParams = 3 * d * Double(sharedFF) / tp + d
            } else if model.numSharedExperts > 0 {
                sharedExpertParams = 3 * d * moeFF * Double(model.numSharedExperts) / tp
            } else {
                sharedExpertParams = 0
            }
        } else {
            expertParams = 0
            routerParams = 0
            sharedExpertParams = 0
        }
        if model.numExperts > 0, let sharedFF = model.sharedExpertIntermediateSize, sharedFF > 0 {
            sharedExpertProductInputs = [d, Double(sharedFF) / tp]
        } else if model.numExperts > 0, model.numSharedExperts > 0 {
            sharedExpertProductInputs = [d, moeFF * Double(model.numSharedExperts) / tp]
        } else {
            sharedExpertProductInputs = []
        }
        let denseFF = Double(model.intermediateSize ?? model.dFF)
        denseFFNParams = 3 * d * denseFF / tp
        denseFFNProductInputs = [d, denseFF / tp]
        let vocab = Double(model.vocabSize)
        lmHeadParams = vocab * d / tp
        embeddingParams = model.tieWordEmbeddings ? 0 : vocab * d / tp
        normParams = Double(2 * model.numLayers + 1) * d
    }

    /// Bytes of one 16-bit parameter (embeddings, LM head, router, norms are never quantized by vLLM's schemes).
    package var highPrecisionBytes: Double { weightFormat == .float32 ? 4 : 2 }

    /// Weight bytes resident on one rank.
    package var weightBytesPerRank: Double {
        let experts = Double(moeLayers) * Double(model.numExperts) * expertParams
        let dense =
            Double(model.numLayers) * attentionParamsPerLayer + Double(moeLayers) * sharedExpertParams
            + Double(denseLayers) * denseFFNParams
        let highPrecision = Double(moeLayers) * routerParams + lmHeadParams + embeddingParams + normParams
        return experts * expertBytesPerParam + dense * denseBytesPerParam + highPrecision * highPrecisionBytes
    }

    /// The kernel path of the routed experts' products on `gpu`: the checkpoint's expert format when it is
    /// quantized, else ``weightFormat`` (docs/engine.md §8 "Quantized products by GPU"). `tritonKernels`: the
    /// engine has OpenAI's `triton_kernels` (``GemmPath/init(weights:gpu:activation:tritonKernels:)``).
    package func expertGemmPath(on gpu: GPUSpec, tritonKernels: Bool = false) -> GemmPath {
        GemmPath(weights: expertWeights, gpu: gpu, tritonKernels: tritonKernels)
    }

    /// The routed experts' weights as the engine runs them: the checkpoint's expert format when it is quantized,
    /// else ``weightFormat``.
    package var expertWeights: WeightFormat {
        model.checkpointWeights.method != nil ? model.checkpointWeights.experts : .float(weightFormat)
    }

    /// The kernel path of attention, shared experts and dense FFNs on `gpu`, chosen as ``expertGemmPath(on:)``.
    package func denseGemmPath(on gpu: GPUSpec) -> GemmPath {
        model.checkpointWeights.method != nil
            ? GemmPath(weights: model.checkpointWeights.dense, gpu: gpu) : GemmPath(format: weightFormat, gpu: gpu)
    }

    /// Parameters of one routed expert per rank as vLLM's Marlin MoE path stores them: `Mxfp4MoEMethod`'s
    /// `create_weights` pads the per-rank intermediate width to a multiple of 128 and the hidden size to a
    /// multiple of 256 (docs/engine.md §3, "Loaded size"); ``expertParams`` where nothing needs padding.
    package var marlinPaddedExpertParams: Double {
        func roundUp(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }
        guard model.numExperts > 0 else { return 0 }
        let ffRank = (model.moeIntermediateSize ?? model.dFF) / tensorParallelSize
        return max(expertParams, 3 * Double(roundUp(model.hiddenSize, 256)) * Double(roundUp(ffRank, 128)))
    }

    /// Weight bytes one rank loads on `gpu`: ``weightBytesPerRank`` plus the padding of MXFP4 experts where they
    /// run through Marlin (``GemmPath/Kind/marlinMXFP4``).
    package func loadedWeightBytesPerRank(on gpu: GPUSpec, tritonKernels: Bool = false) -> Double {
        guard expertGemmPath(on: gpu, tritonKernels: tritonKernels).kind == .marlinMXFP4 else {
            return weightBytesPerRank
        }
        let padding = (marlinPaddedExpertParams - expertParams) * Double(moeLayers) * Double(model.numExperts)
        return weightBytesPerRank + padding * expertBytesPerParam
    }

    /// KV cache bytes of one token on one rank (all layers).
    package var kvBytesPerTokenPerRank: Double { kvBytesPerTokenPerLayer * Double(model.numLayers) }

    /// Total parameters of the model (all ranks, replicated parts counted once).
    package var totalParameters: Double {
        let tp = Double(tensorParallelSize)
        // Replicated parts (MLA's `_a` projections, KV heads when fewer than ranks) counted once.
        return Double(model.numLayers) * wholeAttentionParamsPerLayer + Double(moeLayers)
            * (Double(model.numExperts) * expertParams * tp + sharedExpertParams * tp + routerParams)
            + Double(denseLayers) * denseFFNParams * tp + (lmHeadParams + embeddingParams) * tp + normParams
    }

    /// Parameters a single token activates (attention, top-k experts, shared experts, dense FFNs, LM head),
    /// whole model.
    package var activeParameters: Double {
        let tp = Double(tensorParallelSize)
        return Double(model.numLayers) * wholeAttentionParamsPerLayer + Double(moeLayers)
            * (Double(model.topK) * expertParams * tp + sharedExpertParams * tp + routerParams)
            + Double(denseLayers) * denseFFNParams * tp + lmHeadParams * tp
    }

    /// Active parameters without the embedding and the LM head (the convention of GLM-4.5's "12B/32B active").
    package var activeNonEmbeddingParameters: Double {
        activeParameters - lmHeadParams * Double(tensorParallelSize)
    }

    /// Attention projection parameters of one layer holding `queryHeads` query and `kvHeads` KV heads (Q, K, V, O;
    /// MLA: `q_a`/`q_b` or `q_proj`, `kv_a_proj_with_mqa`, `kv_b_proj`, `o_proj`, the `_a` projections whole).
    static func attentionParams(_ model: ModelSpec, queryHeads: Int, kvHeads: Int) -> Double {
        let d = Double(model.hiddenSize)
        let h = Double(queryHeads)
        if model.usesMLA {
            let rope = Double(model.qkRopeHeadDim ?? 64)
            let nope = Double(model.qkNopeHeadDim ?? 128)
            let vdim = Double(model.vHeadDim ?? 128)
            let lora = Double(model.kvLoraRank ?? 512)
            let q: Double
            if let qlora = model.qLoraRank, qlora > 0 {
                q = d * Double(qlora) + Double(qlora) * h * (rope + nope)  // q_a (replicated) + q_b (split)
            } else {
                q = d * h * (rope + nope)
            }
            let kvA = d * (lora + rope)  // kv_a_proj_with_mqa, replicated
            return q + kvA + lora * h * (nope + vdim) + h * vdim * d
        }
        let dh = Double(model.headDim)
        return d * h * dh + 2 * d * Double(kvHeads) * dh + h * dh * d
    }

    /// Peak PyTorch memory per rank of vLLM 0.11's profiling run above the weights (docs/engine.md §3, "Activation
    /// peak"): the larger of its two phases, which run one after the other.
    ///
    /// `profile_run` first runs the model over `tokens` dummy tokens spread over `min(tokens, sequences)` requests
    /// (`_dummy_run`), whose intermediates are freed when it returns; it keeps the final hidden states and one row
    /// per request, then runs the sampler over those rows (`_dummy_sampler_run`). torch's
    /// `allocated_bytes.all.peak` is therefore max(forward peak, kept hidden states + sampler peak), never their
    /// sum. The sampler holds the logits all-gathered over the whole vocabulary on every rank (V1's
    /// `LogitsProcessor` all-gathers): 16-bit, their float32 copy and one float32 working buffer of top-k/top-p
    /// sampling (its softmax), 10 bytes per element.
    package func activationBytes(tokens: Int, sequences: Int) -> Double {
        let t = Double(tokens)
        let d = Double(model.hiddenSize)
        let tp = Double(tensorParallelSize)
        let qkv = Double(queryHeadsPerRank + 2 * kvHeadsPerRank * (model.usesMLA ? 0 : 1)) * Double(model.headDim)
        let attention = t * (3 * d + qkv) * 2
        var ffn: Double
        if model.numExperts > 0 {
            let ff = Double(model.moeIntermediateSize ?? model.dFF) / tp
            // fused_moe caches: w13 output (T·k·2ff), activation (T·k·ff), w2 output (T·k·d), plus the hidden state.
            ffn = t * Double(model.topK) * (3 * ff + d) * 2 + t * 2 * d * 2
        } else {
            ffn = 0
        }
        let dense = t * 3 * Double(model.intermediateSize ?? model.dFF) / tp * 2
        ffn = max(ffn, denseLayers > 0 ? dense : 0)
        let forward = max(attention, ffn) + t * d * 2 * 2
        let rows = Double(max(1, min(tokens, sequences)))
        let keptHiddenStates = (t + rows) * d * 2
        let sampler = rows * Double(model.vocabSize) * (2 + 4 + 4)
        return max(forward, keptHiddenStates + sampler)
    }
}
