/// How a tensor is stored (weights or KV cache) and which tensor-core peak its arithmetic runs at.
///
/// vLLM names: `dtype` (`bfloat16`, `float16`, `float32`, `auto`), `quantization` (`fp8`, `awq`, `gptq`, …) and
/// `kv_cache_dtype` (`auto`, `fp8`, `fp8_e4m3`, `fp8_e5m2`). Weight-only 4-bit formats (AWQ, GPTQ) dequantize to
/// 16-bit before the matrix product, so they read half a byte per parameter but compute at the 16-bit peak;
/// FP8 (w8a8) computes at the FP8 peak.
package enum NumberFormat: String, Sendable, Equatable, CaseIterable {
    case float32, float16, bfloat16, fp8, int8, int4

    /// Bytes per element.
    package var bytes: Double {
        switch self {
        case .float32: return 4
        case .float16, .bfloat16: return 2
        case .fp8, .int8: return 1
        case .int4: return 0.5
        }
    }

    /// The `PEAK_FLOPS_DICT` section (``GPUSpec/denseFlops(_:)``) that matrix products on these weights run at.
    package var computeSection: String {
        switch self {
        case .float32: return "float32"
        case .float16: return "float16"
        case .bfloat16, .int4: return "bfloat16"
        case .fp8: return "fp8"
        case .int8: return "int8"
        }
    }

    /// Parses a vLLM/Hugging Face dtype or quantization name; nil when unknown.
    ///
    /// `auto` is not accepted here: resolve it against the model's `torch_dtype` first.
    package init?(name: String) {
        switch name.lowercased() {
        case "float32", "fp32", "float": self = .float32
        case "float16", "fp16", "half": self = .float16
        case "bfloat16", "bf16": self = .bfloat16
        case "fp8", "fp8_e4m3", "fp8_e5m2", "float8", "fbgemm_fp8", "compressed-tensors-fp8": self = .fp8
        case "int8", "w8a8", "smoothquant": self = .int8
        case "int4", "awq", "gptq", "awq_marlin", "gptq_marlin", "w4a16", "fp4", "mxfp4", "nvfp4": self = .int4
        default: return nil
        }
    }
}
