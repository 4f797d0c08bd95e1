/// Numeric precision of weights (and, by MoE-CAP's convention, of the KV cache).
package enum Precision {
    /// MoE-CAP's `get_model_precision_bytes` (docs/moecap-metrics.md §7) on the lower-cased precision string:
    /// float32/fp32 → 4, float16/fp16/bfloat16/bf16 → 2, int8/fp8 → 1, int4/fp4/mxfp4/nvfp4/awq/gptq → 0.5,
    /// anything else → 2.
    package static func bytesPerParam(_ precision: String) -> Double {
        switch precision.lowercased() {
        case "float32", "fp32": return 4
        case "float16", "fp16", "bfloat16", "bf16": return 2
        case "int8", "fp8": return 1
        case "int4", "fp4", "mxfp4", "nvfp4", "awq", "gptq": return 0.5
        default: return 2
        }
    }

    /// The precision strings MoE-CAP accepts for `--precision` (§7).
    package static let known = [
        "float32", "float16", "bfloat16", "int8", "int4", "awq", "gptq", "fp8", "fp4", "mxfp4", "nvfp4",
    ]

    /// MoE-CAP's `resolve_precision(config.json)` (§7): the quantization method when the config has one,
    /// else `torch_dtype`/`dtype`, else `bfloat16`.
    package static func resolve(config: JSONValue) -> String {
        let candidates = [
            config["quantization_config"], config["text_config"]?["quantization_config"],
            config["thinker_config"]?["quantization_config"], config["language_config"]?["quantization_config"],
        ]
        if let q = candidates.compactMap({ $0 }).first(where: { $0.objectValue != nil }) {
            let method = q["quant_method"]?.stringValue?.lowercased()
            let format = q["format"]?.stringValue?.lowercased() ?? ""
            if method == "compressed-tensors" || q["config_groups"] != nil || format.contains("quantized") {
                var bits: Int?
                var type: String?
                if case .object(let groups)? = q["config_groups"] {
                    for (_, g) in groups.pairs {
                        if let w = g["weights"] {
                            bits = bits ?? w["num_bits"]?.intValue
                            type = type ?? w["type"]?.stringValue
                        }
                    }
                }
                if bits == 4 { return type == "int" ? "int4" : "mxfp4" }
                if bits == 8 { return "fp8" }
            }
            if let method { return method }
        }
        for key in ["torch_dtype", "dtype"] {
            if let s = config[key]?.stringValue { return s }
        }
        return "bfloat16"
    }

    /// Effective precision (§7): an explicit precision wins unless it is `bfloat16`/`bf16`, in which case the
    /// config's own precision is used.
    package static func effective(explicit: String?, config: JSONValue) -> String {
        if let e = explicit?.lowercased(), e != "bfloat16", e != "bf16" { return e }
        return resolve(config: config)
    }
}
