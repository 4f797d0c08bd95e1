/// How a checkpoint stores one group of linear-layer weights, read from its `config.json`
/// (`torch_dtype` and `quantization_config`; docs/engine.md "Weight formats").
///
/// A plain value: the cost model decides what each format costs on each GPU; this type only says what is stored
/// and how many bits a weight takes on disk and in GPU memory, scales included.
package enum WeightFormat: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Unquantized floating point (`torch_dtype`: bfloat16, float16 or float32).
    case float(NumberFormat)
    /// FP8 (E4M3) with one float32 scale per tensor or per output channel (vLLM `fp8`, compressed-tensors
    /// `tensor`/`channel` strategies, online `--quantization fp8`).
    case fp8
    /// FP8 (E4M3) with one float32 scale per `rows` × `columns` block (`weight_block_size`, DeepSeek-V3, Qwen3-FP8).
    case fp8Block(rows: Int, columns: Int)
    /// OCP MXFP4: 4-bit E2M1 values in blocks of 32 that share one 8-bit E8M0 scale (gpt-oss experts).
    case mxfp4
    /// NVIDIA NVFP4: 4-bit E2M1 values in blocks of 16 that share one FP8 (E4M3) scale.
    case nvfp4
    /// Weight-only integers (AWQ, GPTQ, compressed-tensors `int`): `bits` per weight plus one 16-bit scale and one
    /// `bits`-bit zero point per `groupSize` weights (per output channel when nil).
    case int(bits: Int, groupSize: Int?)

    /// Storage bits per weight, scales included.
    package var bitsPerWeight: Double {
        switch self {
        case .float(let f): return f.bytes * 8
        case .fp8: return 8
        case .fp8Block(let r, let c): return 8 + 32 / Double(max(1, r * c))
        case .mxfp4: return 4 + 8.0 / 32
        case .nvfp4: return 4 + 8.0 / 16
        case .int(let bits, let group):
            guard let group, group > 0 else { return Double(bits) }
            return Double(bits) + Double(16 + bits) / Double(group)
        }
    }

    /// Storage bytes per weight, scales included.
    package var bytesPerWeight: Double { bitsPerWeight / 8 }

    /// Whether the weights are stored below their activation precision.
    package var isQuantized: Bool {
        if case .float = self { return false }
        return true
    }

    /// The closest ``NumberFormat`` (the element width; FP8 kinds are `.fp8`, 4-bit kinds `.int4`).
    package var numberFormat: NumberFormat {
        switch self {
        case .float(let f): return f
        case .fp8, .fp8Block: return .fp8
        case .mxfp4, .nvfp4: return .int4
        case .int(let bits, _): return bits <= 4 ? .int4 : .int8
        }
    }

    /// The short name the validation suite and reports use: `bf16`, `fp16`, `fp32`, `fp8`, `fp8-block`, `mxfp4`,
    /// `nvfp4`, `int4`, `int8`.
    package var description: String {
        switch self {
        case .float(.float32): return "fp32"
        case .float(.float16): return "fp16"
        case .float: return "bf16"
        case .fp8: return "fp8"
        case .fp8Block: return "fp8-block"
        case .mxfp4: return "mxfp4"
        case .nvfp4: return "nvfp4"
        case .int(let bits, _): return "int\(bits)"
        }
    }
}

/// The weight formats of one checkpoint: routed experts and everything else quantized (attention, dense FFNs,
/// shared experts), as its `quantization_config` says. Embeddings, the LM head, MoE routers and norms are never
/// quantized by these schemes and are not described here.
package struct CheckpointWeights: Sendable, Equatable {
    /// Routed-expert weights.
    package var experts: WeightFormat
    /// Attention projections, dense FFN layers and shared experts.
    package var dense: WeightFormat
    /// `quantization_config.quant_method` as written (nil for an unquantized checkpoint).
    package var method: String?

    package init(experts: WeightFormat, dense: WeightFormat, method: String?) {
        self.experts = experts
        self.dense = dense
        self.method = method
    }

    /// Reads `quantization_config` (top level or nested) against the checkpoint's float format `unquantized`.
    ///
    /// - `fp8` (vLLM `Fp8Config`): `weight_block_size` → block-wise, else per-tensor.
    /// - `mxfp4` (gpt-oss): MXFP4.
    /// - `awq`/`gptq`/`awq_marlin`/`gptq_marlin`: `bits` (`w_bit`) and `group_size` (`q_group_size`).
    /// - `compressed-tensors`: the first `config_groups` entry's `weights` (`num_bits`, `type`, `strategy`,
    ///   `block_structure`, `group_size`).
    /// - Anything else quantized: 4-bit integers when the method names 4 bits, else per-tensor FP8.
    ///
    /// Modules listed in `modules_to_not_convert` / `ignore` / `ignored_layers` stay `unquantized`: an entry naming
    /// `self_attn`/`attn` keeps attention (the dense group) unquantized, one naming `experts` keeps the experts.
    package init(quantizationConfig q: JSONValue?, unquantized: WeightFormat) {
        guard let q, q.objectValue != nil else {
            self.init(experts: unquantized, dense: unquantized, method: nil)
            return
        }
        let method = q["quant_method"]?.stringValue?.lowercased()
        var format: WeightFormat
        switch method {
        case "fp8"?, "fbgemm_fp8"?:
            if let block = q["weight_block_size"]?.arrayValue?.compactMap(\.intValue), block.count == 2 {
                format = .fp8Block(rows: block[0], columns: block[1])
            } else {
                format = .fp8
            }
        case "mxfp4"?:
            format = .mxfp4
        case "nvfp4"?, "modelopt_fp4"?:
            format = .nvfp4
        case "awq"?, "gptq"?, "awq_marlin"?, "gptq_marlin"?:
            let bits = q["bits"]?.intValue ?? q["w_bit"]?.intValue ?? 4
            let group = q["group_size"]?.intValue ?? q["q_group_size"]?.intValue
            format = .int(bits: bits, groupSize: group.flatMap { $0 > 0 ? $0 : nil })
        case "compressed-tensors"?:
            format = Self.compressedTensors(q) ?? .fp8
        case let m?:
            format = m.contains("4") ? .int(bits: 4, groupSize: 128) : .fp8
        case nil:
            format = Self.compressedTensors(q) ?? unquantized
        }
        let skipped = ["modules_to_not_convert", "ignore", "ignored_layers"]
            .compactMap { q[$0]?.arrayValue }.flatMap { $0 }.compactMap(\.stringValue)
        let attentionSkipped = skipped.contains { $0.contains("self_attn") || $0.hasSuffix(".attn") }
        let expertsSkipped = skipped.contains { $0.contains("experts") }
        self.init(
            experts: expertsSkipped ? unquantized : format, dense: attentionSkipped ? unquantized : format,
            method: method)
    }

    /// The weight scheme of a compressed-tensors `config_groups` entry, nil when it has none.
    private static func compressedTensors(_ q: JSONValue) -> WeightFormat? {
        guard case .object(let groups)? = q["config_groups"] else { return nil }
        for (_, group) in groups.pairs {
            guard let w = group["weights"], let bits = w["num_bits"]?.intValue else { continue }
            let type = w["type"]?.stringValue ?? "int"
            if bits == 8, type == "float" {
                if w["strategy"]?.stringValue == "block",
                    let b = w["block_structure"]?.arrayValue?.compactMap(\.intValue), b.count == 2
                {
                    return .fp8Block(rows: b[0], columns: b[1])
                }
                return .fp8
            }
            if bits == 4, type == "float" { return w["group_size"]?.intValue == 16 ? .nvfp4 : .mxfp4 }
            return .int(bits: bits, groupSize: w["group_size"]?.intValue)
        }
        return nil
    }
}
