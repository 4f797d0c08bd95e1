/// Models known by their Hugging Face id with no file needed at run time. The values are those of each model's
/// public `config.json` (checked against docs/moecap-metrics.md §9); a path to any HF `config.json` works too.
public enum ModelCatalog {
    /// HF id → `config.json` text (the keys that matter for the simulator and MoE-CAP's formulas).
    public static let configs: [(id: String, json: String)] = [
        ("Qwen/Qwen3-30B-A3B", qwen3_30b),
        ("Qwen/Qwen3-235B-A22B", qwen3_235b),
        ("Qwen/Qwen1.5-MoE-A2.7B", qwen15moe),
        ("Qwen/Qwen1.5-MoE-A2.7B-Chat", qwen15moe),
        ("mistralai/Mixtral-8x7B-v0.1", mixtral8x7b),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", mixtral8x7b),
        ("mistralai/Mixtral-8x22B-v0.1", mixtral8x22b),
        ("mistralai/Mixtral-8x22B-Instruct-v0.1", mixtral8x22bInstruct),
        ("deepseek-ai/DeepSeek-V2-Lite", deepseekV2Lite),
        ("deepseek-ai/DeepSeek-V2-Lite-Chat", deepseekV2Lite),
    ]

    /// The ids of ``configs``.
    public static var ids: [String] { configs.map(\.id) }

    /// The built-in spec for `id` (exact HF id, or case-insensitive match of the id or its part after `/`).
    public static func spec(for id: String) -> ModelSpec? {
        let lower = id.lowercased()
        guard
            let entry = configs.first(where: { $0.id == id })
                ?? configs.first(where: {
                    $0.id.lowercased() == lower
                        || $0.id.split(separator: "/").last.map(String.init)?.lowercased() == lower
                })
        else { return nil }
        // The built-in texts are valid by construction (tested).
        let config = try! JSONValue.parse(entry.json)
        return try! ModelSpec(hfConfig: config, name: entry.id)
    }

    /// The built-in spec for `name` (matched as ``spec(for:)`` does), named as the caller named it: what the
    /// server deploys and the evaluator scores under that name.
    public static func spec(named name: String) -> ModelSpec? {
        guard var spec = spec(for: name) else { return nil }
        spec.name = name
        return spec
    }

    private static let qwen3_30b = """
        {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 2048,
         "intermediate_size": 6144, "moe_intermediate_size": 768, "num_hidden_layers": 48,
         "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128, "num_experts": 128,
         "num_experts_per_tok": 8, "decoder_sparse_step": 1, "mlp_only_layers": [], "norm_topk_prob": true,
         "max_position_embeddings": 40960, "vocab_size": 151936, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "torch_dtype": "bfloat16"}
        """
    private static let qwen3_235b = """
        {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 4096,
         "intermediate_size": 12288, "moe_intermediate_size": 1536, "num_hidden_layers": 94,
         "num_attention_heads": 64, "num_key_value_heads": 4, "head_dim": 128, "num_experts": 128,
         "num_experts_per_tok": 8, "decoder_sparse_step": 1, "mlp_only_layers": [], "norm_topk_prob": true,
         "max_position_embeddings": 40960, "vocab_size": 151936, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "torch_dtype": "bfloat16"}
        """
    private static let qwen15moe = """
        {"architectures": ["Qwen2MoeForCausalLM"], "model_type": "qwen2_moe", "hidden_size": 2048,
         "intermediate_size": 5632, "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632,
         "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 16, "num_experts": 60,
         "num_experts_per_tok": 4, "decoder_sparse_step": 1, "norm_topk_prob": false,
         "max_position_embeddings": 8192, "vocab_size": 151936, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "torch_dtype": "bfloat16"}
        """
    private static let mixtral8x7b = """
        {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 4096,
         "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
         "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2,
         "max_position_embeddings": 32768, "vocab_size": 32000, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-05, "sliding_window": null, "torch_dtype": "bfloat16"}
        """
    private static let mixtral8x22b = """
        {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 6144,
         "intermediate_size": 16384, "num_hidden_layers": 56, "num_attention_heads": 48,
         "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2,
         "max_position_embeddings": 65536, "vocab_size": 32000, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-05, "sliding_window": null, "torch_dtype": "bfloat16"}
        """
    private static let mixtral8x22bInstruct = """
        {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 6144,
         "intermediate_size": 16384, "num_hidden_layers": 56, "num_attention_heads": 48,
         "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2,
         "max_position_embeddings": 65536, "vocab_size": 32768, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-05, "sliding_window": null, "torch_dtype": "bfloat16"}
        """
    private static let deepseekV2Lite = """
        {"architectures": ["DeepseekV2ForCausalLM"], "model_type": "deepseek_v2", "hidden_size": 2048,
         "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 27,
         "num_attention_heads": 16, "num_key_value_heads": 16, "n_routed_experts": 64, "n_shared_experts": 2,
         "num_experts_per_tok": 6, "first_k_dense_replace": 1, "moe_layer_freq": 1, "kv_lora_rank": 512,
         "q_lora_rank": null, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
         "topk_method": "greedy", "n_group": 1, "topk_group": 1, "max_position_embeddings": 163840,
         "vocab_size": 102400, "tie_word_embeddings": false, "rms_norm_eps": 1e-06, "torch_dtype": "bfloat16"}
        """
}
