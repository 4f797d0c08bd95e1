/// The architecture numbers of a (MoE) transformer, read from a Hugging Face `config.json`.
///
/// Keys are looked up the way MoE-CAP's `HFModelInfoRetriever._deep_get` does (docs/moecap-metrics.md §2): the
/// first non-null of several candidate keys, searching `thinker_config.text_config` first, then the top level,
/// then nested objects depth-first. Family-specific keys are read directly from the top level, as MoE-CAP does.
package struct ModelSpec: Sendable, Equatable {
    /// The Hugging Face id (`Qwen/Qwen3-30B-A3B`); MoE-CAP dispatches formula families on this string.
    package var name: String
    package var numLayers: Int
    package var hiddenSize: Int
    package var numAttentionHeads: Int
    package var numKVHeads: Int
    /// `head_dim`, or `hidden_size / num_attention_heads` when absent (§2).
    package var headDim: Int
    /// MoE-CAP's `d_ff`: `moe_intermediate_size`, else `intermediate_size`, else `ffn_hidden_size`.
    package var dFF: Int
    /// `moe_intermediate_size` when present.
    package var moeIntermediateSize: Int?
    /// `intermediate_size` (the dense FFN width) when present.
    package var intermediateSize: Int?
    package var sharedExpertIntermediateSize: Int?
    /// Routed experts per MoE layer (`num_experts`, `num_local_experts`, `n_routed_experts`, …); 0 = dense model.
    package var numExperts: Int
    /// Experts chosen per token (`num_experts_per_tok`, …).
    package var topK: Int
    /// Shared experts per MoE layer (`n_shared_experts`); Qwen-style configs express them as one shared expert of
    /// `shared_expert_intermediate_size`.
    package var numSharedExperts: Int
    package var firstKDenseReplace: Int
    package var mlpOnlyLayers: [Int]
    package var decoderSparseStep: Int
    package var moeLayerFreq: Int
    package var kvLoraRank: Int?
    package var qLoraRank: Int?
    package var qkRopeHeadDim: Int?
    package var qkNopeHeadDim: Int?
    package var vHeadDim: Int?
    package var vocabSize: Int
    package var maxPositionEmbeddings: Int
    package var tieWordEmbeddings: Bool
    /// `torch_dtype`/`dtype` of the checkpoint (`bfloat16` when absent).
    package var torchDtype: String
    /// The raw `quantization_config`, if any.
    package var quantizationConfig: JSONValue?
    /// How the checkpoint stores its routed experts and its other linear weights (from `torch_dtype` and
    /// `quantization_config`; docs/engine.md "Weight formats").
    package var checkpointWeights: CheckpointWeights
    /// `model_type` (`qwen3_moe`, `deepseek_v3`, `glm4_moe`, `gpt_oss`, …), when present.
    package var modelType: String?
    /// Sliding-window attention span in tokens (`sliding_window`), when some layers use one.
    package var slidingWindow: Int?
    /// The 0-based layers that attend over ``slidingWindow`` tokens only: those `layer_types` marks
    /// `sliding_attention` (gpt-oss alternates sliding and full layers), or every layer when the config has a
    /// `sliding_window` without `layer_types` and does not turn it off with `use_sliding_window: false`.
    package var slidingWindowLayers: [Int]
    /// Whether attention has learned per-head sink logits (gpt-oss).
    package var attentionSinks: Bool { isGptOss }
    /// Whether vLLM's OpenAI server renders this model's chat requests with the harmony encoding
    /// (`model_type` `gpt_oss`: `serving_chat.py` builds harmony messages and `render_for_completion` returns the
    /// prompt's token ids) instead of the Jinja chat template and the tokenizer thread (docs/engine.md §10).
    package var rendersChatWithHarmony: Bool { isGptOss }
    /// The CUDA-graph capture sizes vLLM 0.11 sets for this architecture in place of its default list, when it
    /// sets any (`model_type` `gpt_oss`: `GptOssForCausalLMConfig` in `model_executor/models/config.py` captures 1,
    /// 2, 4, every multiple of 8 below 256 and every multiple of 16 up to 992; docs/engine.md §6).
    package var cudaGraphCaptureSizes: [Int]? {
        isGptOss
            ? [1, 2, 4] + Array(stride(from: 8, to: 256, by: 8)) + Array(stride(from: 256, through: 992, by: 16)) : nil
    }
    /// Whether vLLM treats this architecture as gpt-oss: the one place `model_type` `gpt_oss` is read.
    private var isGptOss: Bool { modelType == "gpt_oss" }
    /// Multi-token-prediction layers shipped beside the model (`num_nextn_predict_layers`, DeepSeek-V3, GLM-4.5):
    /// not part of the published parameter totals nor of a plain forward pass.
    package var numNextNPredictLayers: Int
    /// The whole config, for anything not modelled above.
    package var raw: JSONValue

    /// Whether the config has DeepSeek-style multi-head latent attention.
    package var usesMLA: Bool { kvLoraRank != nil && qkRopeHeadDim != nil }

    /// Whether layer `i` (0-based) is a MoE layer, following the config's own rules: `first_k_dense_replace` and
    /// `moe_layer_freq` (DeepSeek), `mlp_only_layers` and `decoder_sparse_step` (Qwen).
    package func isMoELayer(_ i: Int) -> Bool {
        guard numExperts > 0 else { return false }
        if i < firstKDenseReplace { return false }
        if mlpOnlyLayers.contains(i) { return false }
        if decoderSparseStep > 1, (i + 1) % decoderSparseStep != 0 { return false }
        if moeLayerFreq > 1, (i - firstKDenseReplace) % moeLayerFreq != 0 { return false }
        return true
    }

    /// Number of MoE layers.
    package var numMoELayers: Int { (0..<numLayers).filter(isMoELayer).count }

    /// Number of dense (non-MoE) decoder layers (DeepSeek's `first_k_dense_replace`, Qwen's `mlp_only_layers`).
    package var numDenseLayers: Int { numLayers - numMoELayers }

    /// Routed-expert weight format of the checkpoint.
    package var expertWeightFormat: WeightFormat { checkpointWeights.experts }

    /// Weight format of attention, dense FFN layers and shared experts in the checkpoint.
    package var denseWeightFormat: WeightFormat { checkpointWeights.dense }
}

/// A config that cannot describe a transformer (a required key is missing or of the wrong type).
package struct ModelConfigError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ d: String) { description = d }
}

extension ModelSpec {
    /// Reads a Hugging Face `config.json` value.
    /// - Parameters:
    ///   - config: the parsed file.
    ///   - name: the HF id the model is known by (used for MoE-CAP's family dispatch).
    /// - Throws: ``ModelConfigError`` naming the missing key.
    package init(hfConfig config: JSONValue, name: String) throws(ModelConfigError) {
        guard case .object = config else { throw ModelConfigError("model config of \(name) is not a JSON object") }
        func deep(_ keys: [String]) -> JSONValue? { ModelSpec.deepGet(config, keys) }
        func int(_ keys: [String]) -> Int? { deep(keys)?.intValue }
        func top(_ key: String) -> JSONValue? {
            if let v = config[key], !v.isNull { return v }
            return nil
        }
        guard let layers = int(["num_hidden_layers", "n_layer", "num_layers"]) else {
            throw ModelConfigError("model config of \(name) has no num_hidden_layers")
        }
        guard let hidden = int(["hidden_size", "d_model", "n_embd"]) else {
            throw ModelConfigError("model config of \(name) has no hidden_size")
        }
        guard let heads = int(["num_attention_heads", "encoder_attention_heads", "num_heads"]) else {
            throw ModelConfigError("model config of \(name) has no num_attention_heads")
        }
        let kvHeads = int(["num_key_value_heads", "num_kv_heads", "num_key_value_groups"]) ?? heads
        var headDim = int(["head_dim"]) ?? 0
        if headDim == 0 { headDim = hidden / max(heads, 1) }
        guard let dff = int(["moe_intermediate_size", "intermediate_size", "ffn_hidden_size"]) else {
            throw ModelConfigError("model config of \(name) has no intermediate_size")
        }
        self.name = name
        numLayers = layers
        hiddenSize = hidden
        numAttentionHeads = heads
        numKVHeads = kvHeads
        self.headDim = headDim
        dFF = dff
        moeIntermediateSize = top("moe_intermediate_size")?.intValue
        intermediateSize = top("intermediate_size")?.intValue ?? int(["intermediate_size"])
        sharedExpertIntermediateSize = top("shared_expert_intermediate_size")?.intValue
        numExperts =
            int([
                "num_experts_per_layer", "n_experts", "num_local_experts", "expert_number", "num_experts",
                "n_routed_experts",
            ]) ?? 0
        topK = int(["moe_top_k", "router_topk", "num_experts_per_tok", "topk"]) ?? (numExperts > 0 ? 1 : 0)
        var shared = int(["n_shared_experts", "num_shared_experts"]) ?? 0
        if shared == 0, sharedExpertIntermediateSize != nil { shared = 1 }
        numSharedExperts = shared
        firstKDenseReplace = top("first_k_dense_replace")?.intValue ?? 0
        mlpOnlyLayers = top("mlp_only_layers")?.arrayValue?.compactMap(\.intValue) ?? []
        decoderSparseStep = top("decoder_sparse_step")?.intValue ?? 1
        moeLayerFreq = top("moe_layer_freq")?.intValue ?? 1
        kvLoraRank = top("kv_lora_rank")?.intValue
        qLoraRank = top("q_lora_rank")?.intValue
        qkRopeHeadDim = top("qk_rope_head_dim")?.intValue
        qkNopeHeadDim = top("qk_nope_head_dim")?.intValue
        vHeadDim = top("v_head_dim")?.intValue
        vocabSize = int(["vocab_size"]) ?? 32000
        maxPositionEmbeddings = int(["max_position_embeddings", "max_sequence_length", "seq_length"]) ?? 4096
        tieWordEmbeddings = top("tie_word_embeddings")?.boolValue ?? false
        torchDtype = (deep(["torch_dtype", "dtype"])?.stringValue) ?? "bfloat16"
        quantizationConfig = deep(["quantization_config"])
        let float: NumberFormat
        switch NumberFormat(name: torchDtype) {
        case .float32?: float = .float32
        case .float16?: float = .float16
        default: float = .bfloat16
        }
        checkpointWeights = CheckpointWeights(quantizationConfig: quantizationConfig, unquantized: .float(float))
        modelType = top("model_type")?.stringValue
        let window = top("sliding_window")?.intValue
        if let window, window > 0 {
            if let types = top("layer_types")?.arrayValue?.map({ $0.stringValue ?? "" }) {
                slidingWindowLayers = types.indices.filter { types[$0] == "sliding_attention" }
            } else if top("use_sliding_window")?.boolValue == false {
                slidingWindowLayers = []
            } else {
                slidingWindowLayers = Array(0..<layers)
            }
        } else {
            slidingWindowLayers = []
        }
        slidingWindow = slidingWindowLayers.isEmpty ? nil : window
        numNextNPredictLayers = top("num_nextn_predict_layers")?.intValue ?? 0
        raw = config
    }

    /// MoE-CAP's `_deep_get`: the first non-null value of `keys`, looked up in `thinker_config.text_config`, then
    /// at the top level, then in nested objects depth-first.
    static func deepGet(_ config: JSONValue, _ keys: [String]) -> JSONValue? {
        if let text = config["thinker_config"]?["text_config"], let v = firstPresent(text, keys) { return v }
        return search(config, keys)
    }

    private static func firstPresent(_ obj: JSONValue, _ keys: [String]) -> JSONValue? {
        for k in keys {
            if let v = obj[k], !v.isNull { return v }
        }
        return nil
    }

    private static func search(_ obj: JSONValue, _ keys: [String]) -> JSONValue? {
        if let v = firstPresent(obj, keys) { return v }
        guard case .object(let o) = obj else { return nil }
        for (_, v) in o.pairs {
            if case .object = v, let found = search(v, keys) { return found }
        }
        return nil
    }
}
