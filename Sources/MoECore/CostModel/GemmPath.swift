/// The kernel path a group of linear layers' matrix products takes on one GPU: which tensor-core peak it runs
/// against, given how the weights are stored and what the GPU can multiply (docs/engine.md §8 "Quantized products
/// by GPU").
///
/// vLLM 0.11 picks the kernel by weight format and compute capability:
/// - 16-bit weights: cuBLAS / the Triton fused-MoE kernel at the 16-bit peak.
/// - FP8 (per-tensor, per-channel or block-wise scales) on GPUs with FP8 tensor cores (Hopper, Ada, Blackwell,
///   CDNA3): W8A8, activations quantized per token or per block on the fly, products at the FP8 peak
///   (`Fp8LinearMethod` / `Fp8MoEMethod`, CUTLASS `scaled_mm` or the block-wise Triton/DeepGEMM kernels; the
///   experts' kernel family, Triton or CUTLASS, is ``FusedMoEKernelConfig/backend(footprint:gpu:)``).
/// - FP8 on Ampere (no FP8 tensor cores): weight-only through Marlin (`prepare_fp8_layer_for_marlin`,
///   `fused_marlin_moe`): one byte per weight read, each tile dequantized to 16 bits in registers and multiplied
///   at the 16-bit peak. MoE-CAP's table lists an A100 `fp8` peak, but no kernel reaches it.
/// - 4-bit weights (AWQ, GPTQ, MXFP4 on Hopper and Ampere): weight-only, half a byte plus scales read, 16-bit
///   products; native FP4 products only on GPUs with FP4 tensor cores (Blackwell). MXFP4 experts on GPUs without
///   them run through vLLM 0.10–0.11's Marlin MoE kernel (``Kind/marlinMXFP4``: `get_mxfp4_backend` picks
///   Triton only when the separate `triton_kernels` package is installed), which pads the experts.
/// - INT8 W8A8: the INT8 peak.
///
/// A plain value.
package struct GemmPath: Sendable, Equatable {
    /// How the product is computed.
    package enum Kind: String, Sendable, Equatable {
        /// Unquantized weights at their own precision.
        case native
        /// FP8 weights and FP8 activations (FP8 tensor cores).
        case fp8W8A8
        /// 8-bit weights dequantized to 16 bits (Marlin FP8 on Ampere, GPTQ 8-bit).
        case weightOnly8Bit
        /// INT8 weights and activations.
        case int8W8A8
        /// 4-bit weights dequantized to 16 bits (Marlin, Triton MXFP4).
        case weightOnly4Bit
        /// MXFP4 experts dequantized to 16 bits by vLLM's Marlin MoE kernel, which stores, reads and multiplies
        /// them padded (``ModelFootprint/marlinPaddedExpertParams``; docs/engine.md §8 "MXFP4 experts through
        /// Marlin").
        case marlinMXFP4
        /// 4-bit weights and activations on FP4 tensor cores.
        case fp4Native
    }

    package let kind: Kind
    /// The `PEAK_FLOPS_DICT` section whose dense peak the products run against.
    package let computeSection: String

    /// The peak-table section of 16-bit math with activations of `activation` (weight-only paths).
    private static func sixteenBitSection(_ activation: NumberFormat) -> String {
        activation == .float16 ? "float16" : "bfloat16"
    }

    private init(kind: Kind, computeSection: String) {
        self.kind = kind
        self.computeSection = computeSection
    }

    /// The path of weights stored as `format` on `gpu`, with 16-bit activations of `activation`.
    package init(format: NumberFormat, gpu: GPUSpec, activation: NumberFormat = .bfloat16) {
        let sixteen = Self.sixteenBitSection(activation)
        switch format {
        case .float32, .float16, .bfloat16:
            kind = .native
            computeSection = format.computeSection
        case .fp8:
            if gpu.hasFP8TensorCores {
                kind = .fp8W8A8
                computeSection = "fp8"
            } else {
                kind = .weightOnly8Bit
                computeSection = sixteen
            }
        case .int8:
            kind = .int8W8A8
            computeSection = "int8"
        case .int4:
            kind = .weightOnly4Bit
            computeSection = sixteen
        }
    }

    /// The path of a checkpoint's stored weights on `gpu` (block-wise FP8 like per-tensor FP8; MXFP4 and NVFP4
    /// natively only on GPUs with FP4 tensor cores, else weight-only).
    ///
    /// MXFP4 without FP4 tensor cores runs through Marlin (``Kind/marlinMXFP4``) unless `tritonKernels` says the
    /// engine has OpenAI's `triton_kernels` package and the GPU is a Hopper: vLLM's `get_mxfp4_backend` then picks
    /// Triton's `matmul_ogs` on the unpadded weights (``Kind/weightOnly4Bit``). vLLM 0.11.0's wheel lacks the
    /// package; the releases after it depend on it (vllm PR #27370, docs/engine.md §8).
    package init(
        weights: WeightFormat, gpu: GPUSpec, activation: NumberFormat = .bfloat16, tritonKernels: Bool = false
    ) {
        switch weights {
        case .float(let f):
            self.init(format: f, gpu: gpu, activation: activation)
        case .fp8, .fp8Block:
            self.init(format: .fp8, gpu: gpu, activation: activation)
        case .mxfp4, .nvfp4:
            if gpu.hasFP4TensorCores {
                self.init(kind: .fp4Native, computeSection: "fp4")
            } else if case .mxfp4 = weights, !(tritonKernels && gpu.isHopper) {
                self.init(kind: .marlinMXFP4, computeSection: Self.sixteenBitSection(activation))
            } else {
                self.init(format: .int4, gpu: gpu, activation: activation)
            }
        case .int(let bits, _):
            if bits <= 4 {
                self.init(format: .int4, gpu: gpu, activation: activation)
            } else {
                self.init(kind: .weightOnly8Bit, computeSection: Self.sixteenBitSection(activation))
            }
        }
    }

    /// Whether the weights are dequantized to 16 bits inside the kernel (8-bit and 4-bit weight-only paths, Marlin
    /// MXFP4). On GPUs without FP8 tensor cores vLLM 0.11 runs every such product through Marlin
    /// (``Calibration/marlinComputePeak``); on Hopper, MXFP4 may take Triton instead (``init(weights:gpu:activation:tritonKernels:)``).
    package var isWeightOnly: Bool {
        kind == .weightOnly8Bit || kind == .weightOnly4Bit || kind == .marlinMXFP4
    }

    /// The dense peak (FLOP/s) of this path on `gpu`, falling back to the 16-bit peak where the table has none.
    package func peakFlops(on gpu: GPUSpec) -> Double {
        var peak = gpu.denseFlops(computeSection)
        if peak <= 0 { peak = gpu.denseFlops("bfloat16") }
        if peak <= 0 { peak = gpu.denseFlops("float16") }
        return max(peak, 1e9)
    }
}
