// Built-in model configs (ModelCatalog): the public `config.json` facts of each model, the keys the simulator and
// MoE-CAP's formulas read. Sources are each model's Hugging Face `config.json`; docs/engine.md "Model catalog".

extension ModelCatalog {
    /// Qwen MoE models. The FP8 releases (`-FP8`) store every linear layer but the routers and the LM head as
    /// FP8 E4M3 with one scale per 128×128 block (their `quantization_config`); the 2507 releases have a native
    /// context of 262,144 tokens.
    static let qwenConfigs: [(id: String, json: String)] = [
        ("Qwen/Qwen3-30B-A3B", qwen3_30b),
        ("Qwen/Qwen3-30B-A3B-FP8", withQuantization(qwen3_30b, blockFP8)),
        ("Qwen/Qwen3-30B-A3B-Instruct-2507", withContext(qwen3_30b, 262_144)),
        ("Qwen/Qwen3-30B-A3B-Instruct-2507-FP8", withQuantization(withContext(qwen3_30b, 262_144), blockFP8)),
        ("Qwen/Qwen3-30B-A3B-Thinking-2507", withContext(qwen3_30b, 262_144)),
        ("Qwen/Qwen3-235B-A22B", qwen3_235b),
        ("Qwen/Qwen3-235B-A22B-FP8", withQuantization(qwen3_235b, blockFP8)),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507", withContext(qwen3_235b, 262_144)),
        ("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", withQuantization(withContext(qwen3_235b, 262_144), blockFP8)),
        ("Qwen/Qwen3-235B-A22B-Thinking-2507", withContext(qwen3_235b, 262_144)),
        ("Qwen/Qwen3-235B-A22B-Thinking-2507-FP8", withQuantization(withContext(qwen3_235b, 262_144), blockFP8)),
        ("Qwen/Qwen1.5-MoE-A2.7B", qwen15moe),
        ("Qwen/Qwen1.5-MoE-A2.7B-Chat", qwen15moe),
    ]

    static let qwen3_30b = """
        {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 2048,
         "intermediate_size": 6144, "moe_intermediate_size": 768, "num_hidden_layers": 48,
         "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128, "num_experts": 128,
         "num_experts_per_tok": 8, "decoder_sparse_step": 1, "mlp_only_layers": [], "norm_topk_prob": true,
         "max_position_embeddings": 40960, "vocab_size": 151936, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "torch_dtype": "bfloat16"}
        """
    static let qwen3_235b = """
        {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 4096,
         "intermediate_size": 12288, "moe_intermediate_size": 1536, "num_hidden_layers": 94,
         "num_attention_heads": 64, "num_key_value_heads": 4, "head_dim": 128, "num_experts": 128,
         "num_experts_per_tok": 8, "decoder_sparse_step": 1, "mlp_only_layers": [], "norm_topk_prob": true,
         "max_position_embeddings": 40960, "vocab_size": 151936, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "torch_dtype": "bfloat16"}
        """
    static let qwen15moe = """
        {"architectures": ["Qwen2MoeForCausalLM"], "model_type": "qwen2_moe", "hidden_size": 2048,
         "intermediate_size": 5632, "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632,
         "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 16, "num_experts": 60,
         "num_experts_per_tok": 4, "decoder_sparse_step": 1, "norm_topk_prob": false,
         "max_position_embeddings": 8192, "vocab_size": 151936, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-06, "torch_dtype": "bfloat16"}
        """
}
