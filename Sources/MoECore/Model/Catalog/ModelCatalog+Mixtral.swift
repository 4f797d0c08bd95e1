// Built-in model configs (ModelCatalog): the public `config.json` facts of each model, the keys the simulator and
// MoE-CAP's formulas read. Sources are each model's Hugging Face `config.json`; docs/engine.md "Model catalog".

extension ModelCatalog {
    /// Mistral's Mixtral models (8 experts, top-2, no shared experts).
    static let mixtralConfigs: [(id: String, json: String)] = [
        ("mistralai/Mixtral-8x7B-v0.1", mixtral8x7b),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", mixtral8x7b),
        ("mistralai/Mixtral-8x22B-v0.1", mixtral8x22b),
        ("mistralai/Mixtral-8x22B-Instruct-v0.1", mixtral8x22bInstruct),
    ]

    static let mixtral8x7b = """
        {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 4096,
         "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
         "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2,
         "max_position_embeddings": 32768, "vocab_size": 32000, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-05, "sliding_window": null, "torch_dtype": "bfloat16"}
        """
    static let mixtral8x22b = """
        {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 6144,
         "intermediate_size": 16384, "num_hidden_layers": 56, "num_attention_heads": 48,
         "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2,
         "max_position_embeddings": 65536, "vocab_size": 32000, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-05, "sliding_window": null, "torch_dtype": "bfloat16"}
        """
    static let mixtral8x22bInstruct = """
        {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 6144,
         "intermediate_size": 16384, "num_hidden_layers": 56, "num_attention_heads": 48,
         "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2,
         "max_position_embeddings": 65536, "vocab_size": 32768, "tie_word_embeddings": false,
         "rope_theta": 1000000.0, "rms_norm_eps": 1e-05, "sliding_window": null, "torch_dtype": "bfloat16"}
        """
}
