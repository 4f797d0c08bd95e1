// Built-in model configs (ModelCatalog): the public `config.json` facts of each model, the keys the simulator and
// MoE-CAP's formulas read. Sources are each model's Hugging Face `config.json`; docs/engine.md "Model catalog".

extension ModelCatalog {
    /// Zhipu's GLM-4.5 family (`Glm4MoeForCausalLM`): grouped-query attention with 96 query and 8 KV heads of 128,
    /// one shared expert, top-8 of the routed experts, the first `first_k_dense_replace` layers dense; a
    /// multi-token-prediction layer ships beside the model. GLM-4.5 and GLM-4.6 share one architecture (4.6 has a
    /// 202,752-token context). Published under both `zai-org/` and the older `THUDM/` names; `-FP8` releases are
    /// compressed-tensors checkpoints: the linear layers as FP8 E4M3 with one scale per output channel, activations
    /// quantized per token at run time (``channelFP8``; docs/engine.md "Model catalog" gives the evidence). Not
    /// 128×128 blocks: vLLM's block-FP8 MoE refuses an expert slice that is not a multiple of 128 wide, and these
    /// releases run at TP8 (GLM-4.6: 1536 / 8 = 192) and TP4 (GLM-4.5-Air: 1408 / 4 = 352).
    static let glmConfigs: [(id: String, json: String)] = [
        ("zai-org/GLM-4.5-Air", glm45Air),
        ("THUDM/GLM-4.5-Air", glm45Air),
        ("zai-org/GLM-4.5-Air-FP8", withQuantization(glm45Air, channelFP8)),
        ("zai-org/GLM-4.5", glm45),
        ("THUDM/GLM-4.5", glm45),
        ("zai-org/GLM-4.5-FP8", withQuantization(glm45, channelFP8)),
        ("zai-org/GLM-4.6", withContext(glm45, 202_752)),
        ("zai-org/GLM-4.6-FP8", withQuantization(withContext(glm45, 202_752), channelFP8)),
    ]

    static let glm45Air = """
        {"architectures": ["Glm4MoeForCausalLM"], "model_type": "glm4_moe", "hidden_size": 4096,
         "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 46,
         "num_attention_heads": 96, "num_key_value_heads": 8, "head_dim": 128, "attention_bias": true,
         "partial_rotary_factor": 0.5, "n_routed_experts": 128, "n_shared_experts": 1, "num_experts_per_tok": 8,
         "first_k_dense_replace": 1, "n_group": 1, "topk_group": 1, "routed_scaling_factor": 1.0,
         "norm_topk_prob": true, "use_qk_norm": false, "num_nextn_predict_layers": 1,
         "max_position_embeddings": 131072, "vocab_size": 151552, "tie_word_embeddings": false,
         "rope_theta": 1000000, "rms_norm_eps": 1e-05, "torch_dtype": "bfloat16"}
        """
    static let glm45 = """
        {"architectures": ["Glm4MoeForCausalLM"], "model_type": "glm4_moe", "hidden_size": 5120,
         "intermediate_size": 12288, "moe_intermediate_size": 1536, "num_hidden_layers": 92,
         "num_attention_heads": 96, "num_key_value_heads": 8, "head_dim": 128, "attention_bias": true,
         "partial_rotary_factor": 0.5, "n_routed_experts": 160, "n_shared_experts": 1, "num_experts_per_tok": 8,
         "first_k_dense_replace": 3, "n_group": 1, "topk_group": 1, "routed_scaling_factor": 2.5,
         "norm_topk_prob": true, "use_qk_norm": true, "num_nextn_predict_layers": 1,
         "max_position_embeddings": 131072, "vocab_size": 151552, "tie_word_embeddings": false,
         "rope_theta": 1000000, "rms_norm_eps": 1e-05, "torch_dtype": "bfloat16"}
        """
}
