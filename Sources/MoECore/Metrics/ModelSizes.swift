/// The model-derived sizes MoE-CAP's performance formulas use (docs/moecap-metrics.md §2), computed exactly as its
/// `basic_utils`/`qwen_utils`/`deepseek_utils` helpers do, from a ``ModelSpec``.
///
/// Sizes are in *parameters or elements* scaled by 1e-12 ("T"), as in MoE-CAP; ``kvPerToken`` is a plain element
/// count. Nothing here is in bytes: MoE-CAP multiplies by the precision later.
package struct ModelSizes: Sendable, Equatable {
    /// The family chosen from the model's HF id (§2).
    package let family: ModelFamily
    /// `n_layers` (`num_hidden_layers`).
    package let numLayers: Int
    /// `per_token_kv_size` (`_calculate_kv_size`): KV elements per token over all layers.
    package let kvPerToken: Int
    /// `attention_size_per_token` (`_calculate_attention_size`): attention weights of one layer, T-params.
    package let attentionSize: Double
    /// `expert_config` (`_calculate_expert_config`).
    package let expert: ExpertConfig
    /// The per-token weights of `_calculate_attention_score` (§2).
    let score: AttentionScoreWeights

    /// MoE-CAP's `expert_config` dict, with the defaults its formulas read through `.get(…)` already applied.
    package struct ExpertConfig: Sendable, Equatable {
        /// `expert_size`: one routed expert (3 matrices of d_model × d_ff), T-params.
        package var expertSize: Double
        /// `shared_experts_size_total` (Qwen1.5/2: one shared expert of `shared_expert_intermediate_size`;
        /// DeepSeek: **hard-coded 2 × moe expert**, a MoE-CAP quirk, §9; others 0).
        package var sharedExpertsSizeTotal: Double
        /// Qwen3 `dense_ffn_size` (`intermediate_size*3*d_model/1e12`; 0 when the Qwen3 branch did not apply).
        package var denseFFNSize: Double
        /// Qwen3 `num_moe_layers` (0 when the Qwen3 branch did not apply).
        package var numMoELayers: Int
        /// Qwen3 `num_dense_layers` (`n_layers` when the Qwen3 branch did not apply, MoE-CAP's `.get` default).
        package var numDenseLayers: Int
        /// `deepseek_dense_ffn_size`.
        package var deepseekDenseFFNSize: Double
        /// `deepseek_sparse_layer_num` (`n_layers - first_k_dense_replace`).
        package var deepseekSparseLayerNum: Int
        /// `deepseek_num_dense_layer` (`first_k_dense_replace`).
        package var deepseekNumDenseLayer: Int
    }

    /// Weights of the attention score: DeepSeek MLA uses separate K and V widths, others one width ×2 (§2).
    enum AttentionScoreWeights: Sendable, Equatable {
        /// `k = L*H*(qk_rope+qk_nope)`, `v = L*H*v_head_dim`.
        case deepSeek(k: Int, v: Int)
        /// `s = L*H*d_head`.
        case standard(s: Int)
    }

    /// Computes the sizes of `model` the way MoE-CAP does for HF id `model.name`.
    /// - Throws: ``ModelConfigError`` where MoE-CAP's Python would fail on a missing attribute (a Qwen3 config with
    ///   `moe_intermediate_size` but no `intermediate_size`).
    package init(model m: ModelSpec) throws(ModelConfigError) {
        let family = ModelFamily(modelName: m.name)
        self.family = family
        let L = m.numLayers
        let d = m.hiddenSize
        let H = m.numAttentionHeads
        numLayers = L

        // _calculate_kv_size: DeepSeek MLA latent when the config has kv_lora_rank and qk_rope_head_dim.
        if family == .deepSeek, let kvLora = m.kvLoraRank, let rope = m.qkRopeHeadDim {
            kvPerToken = L * (kvLora + rope)
        } else {
            kvPerToken = 2 * L * m.headDim * m.numKVHeads
        }

        // _calculate_attention_size: DeepSeek MLA needs all four MLA attributes.
        if family == .deepSeek, let rope = m.qkRopeHeadDim, let nope = m.qkNopeHeadDim, let vHead = m.vHeadDim,
            let kvLora = m.kvLoraRank
        {
            let qhd = rope + nope
            let latentDown: Int = d * (kvLora + rope)
            let latentUp: Int = kvLora * H * (qhd - rope + vHead)
            let output: Int = vHead * H * d
            let base = latentDown + latentUp + output
            let q: Int
            if let qLora = m.qLoraRank, qLora != 0 {
                q = d * qLora + qLora * H * qhd
            } else {
                q = d * H * qhd
            }
            attentionSize = Double(base + q) / 1e12
        } else {
            let dh = m.headDim
            let qkv: Int = d * (H * dh + m.numKVHeads * dh * 2)
            let o: Int = H * dh * d
            attentionSize = Double(qkv + o) / 1e12
        }

        // _calculate_attention_score weights: the DeepSeek branch needs rope, nope and v_head_dim only.
        if family == .deepSeek, let rope = m.qkRopeHeadDim, let nope = m.qkNopeHeadDim, let vHead = m.vHeadDim {
            score = .deepSeek(k: L * H * (rope + nope), v: L * H * vHead)
        } else {
            score = .standard(s: L * H * m.headDim)
        }

        // _calculate_expert_config: defaults, then the family helper's dict (empty when its attributes are absent).
        var e = ExpertConfig(
            expertSize: Double(m.dFF * 3 * d) / 1e12, sharedExpertsSizeTotal: 0, denseFFNSize: 0, numMoELayers: 0,
            numDenseLayers: L, deepseekDenseFFNSize: 0, deepseekSparseLayerNum: 0, deepseekNumDenseLayer: 0)
        switch family {
        case .qwen:
            if let moe = m.moeIntermediateSize, let shared = m.sharedExpertIntermediateSize {
                e.expertSize = Double(moe * 3 * d) / 1e12
                e.sharedExpertsSizeTotal = Double(shared * 3 * d) / 1e12
            }
        case .qwen3:
            if let moe = m.moeIntermediateSize {
                guard let dense = m.intermediateSize else {
                    throw ModelConfigError(
                        "model config of \(m.name) has moe_intermediate_size but no intermediate_size")
                }
                // Layers counted from the config's own num_hidden_layers, mlp_only_layers, decoder_sparse_step.
                let skip = Set(m.mlpOnlyLayers)
                // A decoder_sparse_step of 0 would raise ZeroDivisionError in Python; no real config has one.
                let step = max(m.decoderSparseStep, 1)
                let moeLayers = (0..<L).filter { !skip.contains($0) && ($0 + 1) % step == 0 }.count
                e.expertSize = Double(moe * 3 * d) / 1e12
                e.denseFFNSize = Double(dense * 3 * d) / 1e12
                e.numMoELayers = moeLayers
                e.numDenseLayers = L - moeLayers
            }
        case .deepSeek:
            // transformers' DeepseekV2Config always defines first_k_dense_replace (default 0), as ModelSpec does.
            if let moe = m.moeIntermediateSize, let dense = m.intermediateSize {
                e.expertSize = Double(moe * 3 * d) / 1e12
                // MoE-CAP quirk (§2, §9): two shared experts hard-coded, whatever n_shared_experts says.
                e.sharedExpertsSizeTotal = Double(moe * 3 * d * 2) / 1e12
                e.deepseekDenseFFNSize = Double(dense * 3 * d) / 1e12
                e.deepseekSparseLayerNum = L - m.firstKDenseReplace
                e.deepseekNumDenseLayer = m.firstKDenseReplace
            }
        case .default:
            break
        }
        expert = e
    }

    /// `_calculate_attention_score(prefill_len, output_len)` (§2), T-units. The continuous path always passes
    /// `output_len = 1` and `prefill_len = seq_lens_sum` of the whole batch.
    package func attentionScore(prefillLength ctx: Int, outputLength out: Int = 1) -> Double {
        switch score {
        case .deepSeek(let k, let v):
            // Python: ctx*k + (out-1)*k/2 + ctx*v + (out-1)*v/2, left to right, true division.
            let halfK = Double((out - 1) * k) / 2
            let halfV = Double((out - 1) * v) / 2
            return (Double(ctx * k) + halfK + Double(ctx * v) + halfV) / 1e12
        case .standard(let s):
            let half = Double((out - 1) * s) / 2
            return (Double(ctx * s) + half) * 2 / 1e12
        }
    }

    /// `kv_size` of `_process_outputs_continuous`: `ctx * kv_tok / 1e12` (T-elements; used inside S-MBU).
    package func kvSizeT(contextTokens ctx: Int) -> Double {
        Double(ctx * kvPerToken) / 1e12
    }

    /// `true_kv_size` of `_process_outputs_continuous`: `(ctx*kv_tok + kv_tok) / 1e9 * 1e3`, the published
    /// `kv_size` — millions of KV **elements**, not bytes (§2).
    package func trueKVSize(contextTokens ctx: Int) -> Double {
        Double(ctx * kvPerToken + kvPerToken) / 1e9 * 1e3
    }
}
