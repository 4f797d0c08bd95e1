// Built-in model configs (ModelCatalog): the public `config.json` facts of each model, the keys the simulator and
// MoE-CAP's formulas read. Sources are each model's Hugging Face `config.json`; docs/engine.md "Model catalog".

extension ModelCatalog {
    /// OpenAI's gpt-oss models (`GptOssForCausalLM`): every layer MoE (top-4 of `num_local_experts`, no shared
    /// expert, biased SwiGLU experts), 64 query and 8 KV heads of 64 with learned attention sinks, layers alternating
    /// between a 128-token sliding window and full attention (`layer_types`). Experts ship as MXFP4; attention,
    /// routers, embeddings and the LM head stay bf16 (`modules_to_not_convert`).
    static let gptOssConfigs: [(id: String, json: String)] = [
        ("openai/gpt-oss-20b", gptOss(layers: 24, experts: 32)),
        ("openai/gpt-oss-120b", gptOss(layers: 36, experts: 128)),
    ]

    /// The gpt-oss config of `layers` layers and `experts` experts per layer (the two releases differ in nothing
    /// else).
    static func gptOss(layers: Int, experts: Int) -> String {
        let types = Array(repeating: #""sliding_attention", "full_attention""#, count: layers / 2)
            .joined(separator: ", ")
        return """
            {"architectures": ["GptOssForCausalLM"], "model_type": "gpt_oss", "hidden_size": 2880,
             "intermediate_size": 2880, "num_hidden_layers": \(layers), "num_attention_heads": 64,
             "num_key_value_heads": 8, "head_dim": 64, "attention_bias": true, "num_local_experts": \(experts),
             "num_experts_per_tok": 4, "experts_per_token": 4, "sliding_window": 128, "layer_types": [\(types)],
             "swiglu_limit": 7.0, "initial_context_length": 4096, "max_position_embeddings": 131072,
             "vocab_size": 201088, "tie_word_embeddings": false, "rope_theta": 150000, "rms_norm_eps": 1e-05,
             "torch_dtype": "bfloat16",
             "quantization_config": {"quant_method": "mxfp4", "modules_to_not_convert": ["model.layers.*.self_attn",
              "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"]}}
            """
    }
}
