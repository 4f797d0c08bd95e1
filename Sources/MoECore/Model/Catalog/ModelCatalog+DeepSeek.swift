// Built-in model configs (ModelCatalog): the public `config.json` facts of each model, the keys the simulator and
// MoE-CAP's formulas read. Sources are each model's Hugging Face `config.json`; docs/engine.md "Model catalog".

extension ModelCatalog {
    /// DeepSeek models: multi-head latent attention, shared experts, the first `first_k_dense_replace` layers dense.
    /// DeepSeek-V3 and R1 (and their 0324/0528 and V3.1 updates) share one architecture: 61 layers (3 dense), 256 routed
    /// experts plus 1 shared, top-8, shipped as FP8 E4M3 with one scale per 128×128 block; the multi-token-prediction
    /// layer (`num_nextn_predict_layers`) is not part of the 671B total.
    static let deepSeekConfigs: [(id: String, json: String)] = [
        ("deepseek-ai/DeepSeek-V2-Lite", deepseekV2Lite),
        ("deepseek-ai/DeepSeek-V2-Lite-Chat", deepseekV2Lite),
        ("deepseek-ai/DeepSeek-V3", deepseekV3),
        ("deepseek-ai/DeepSeek-V3-0324", deepseekV3),
        ("deepseek-ai/DeepSeek-V3.1", deepseekV3),
        ("deepseek-ai/DeepSeek-R1", deepseekV3),
        ("deepseek-ai/DeepSeek-R1-0528", deepseekV3),
    ]

    static let deepseekV2Lite = """
        {"architectures": ["DeepseekV2ForCausalLM"], "model_type": "deepseek_v2", "hidden_size": 2048,
         "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 27,
         "num_attention_heads": 16, "num_key_value_heads": 16, "n_routed_experts": 64, "n_shared_experts": 2,
         "num_experts_per_tok": 6, "first_k_dense_replace": 1, "moe_layer_freq": 1, "kv_lora_rank": 512,
         "q_lora_rank": null, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
         "topk_method": "greedy", "n_group": 1, "topk_group": 1, "max_position_embeddings": 163840,
         "vocab_size": 102400, "tie_word_embeddings": false, "rms_norm_eps": 1e-06, "torch_dtype": "bfloat16"}
        """
    static let deepseekV3 = """
        {"architectures": ["DeepseekV3ForCausalLM"], "model_type": "deepseek_v3", "hidden_size": 7168,
         "intermediate_size": 18432, "moe_intermediate_size": 2048, "num_hidden_layers": 61,
         "num_attention_heads": 128, "num_key_value_heads": 128, "n_routed_experts": 256, "n_shared_experts": 1,
         "num_experts_per_tok": 8, "first_k_dense_replace": 3, "moe_layer_freq": 1, "kv_lora_rank": 512,
         "q_lora_rank": 1536, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
         "topk_method": "noaux_tc", "scoring_func": "sigmoid", "n_group": 8, "topk_group": 4,
         "routed_scaling_factor": 2.5, "norm_topk_prob": true, "num_nextn_predict_layers": 1,
         "max_position_embeddings": 163840, "vocab_size": 129280, "tie_word_embeddings": false,
         "rms_norm_eps": 1e-06, "rope_theta": 10000, "torch_dtype": "bfloat16",
         "quantization_config": {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
          "weight_block_size": [128, 128]}}
        """
}
