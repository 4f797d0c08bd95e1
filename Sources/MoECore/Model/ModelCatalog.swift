/// Models known by their Hugging Face id with no file needed at run time. The values are those of each model's
/// public `config.json` (checked against docs/moecap-metrics.md §9); a path to any HF `config.json` works too.
package enum ModelCatalog {
    /// HF id → `config.json` text (the keys that matter for the simulator and MoE-CAP's formulas).
    /// One file per family (`Catalog/ModelCatalog+<Family>.swift`); FP8 and other quantized releases reuse their
    /// base model's text with the release's own `quantization_config` (``withQuantization(_:_:)``).
    package static let configs: [(id: String, json: String)] =
        qwenConfigs + mixtralConfigs + deepSeekConfigs
        + glmConfigs + gptOssConfigs

    /// The ids of ``configs``.
    package static var ids: [String] { configs.map(\.id) }

    /// The `quantization_config` of block-wise FP8 releases (E4M3, one scale per 128×128 block, dynamic
    /// activation scales), as Qwen's and GLM's FP8 checkpoints state it.
    static let blockFP8 = """
        {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8", "weight_block_size": [128, 128]}
        """

    /// The `quantization_config` of compressed-tensors per-channel FP8 releases, as llm-compressor's `FP8_DYNAMIC`
    /// scheme writes it and zai-org's GLM `-FP8` checkpoints carry it: E4M3 weights with one static float32 scale
    /// per output channel (a `[N, 1]` scale tensor), activations quantized per token at run time; the MoE routers
    /// and the LM head stay 16-bit (`ignore`, shortened here to the two patterns that matter).
    static let channelFP8 = """
        {"quant_method": "compressed-tensors", "format": "float-quantized", "quantization_status": "compressed",
         "config_groups": {"group_0": {"targets": ["Linear"],
          "weights": {"num_bits": 8, "type": "float", "strategy": "channel", "symmetric": true, "dynamic": false},
          "input_activations": {"num_bits": 8, "type": "float", "strategy": "token", "symmetric": true,
           "dynamic": true}}},
         "ignore": ["lm_head", "re:.*mlp.gate$"]}
        """

    /// `base` with `"quantization_config": quantization` added (a quantized release of the same architecture).
    static func withQuantization(_ base: String, _ quantization: String) -> String {
        guard let close = base.lastIndex(of: "}") else { return base }
        return base[..<close] + ", \"quantization_config\": " + quantization + "}"
    }

    /// `base` with its `max_position_embeddings` value replaced (a later release with a longer context).
    static func withContext(_ base: String, _ maxPositionEmbeddings: Int) -> String {
        var text = base
        guard let r = text.firstRange(of: "\"max_position_embeddings\": ") else { return base }
        let digits = text[r.upperBound...].prefix(while: \.isNumber)
        text.replaceSubrange(r.upperBound..<digits.endIndex, with: String(maxPositionEmbeddings))
        return text
    }

    /// The built-in spec for `id` (exact HF id, or case-insensitive match of the id or its part after `/`).
    package static func spec(for id: String) -> ModelSpec? {
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
    package static func spec(named name: String) -> ModelSpec? {
        guard var spec = spec(for: name) else { return nil }
        spec.name = name
        return spec
    }
}
