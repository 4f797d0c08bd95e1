import Foundation

/// Which block configuration vLLM's Triton fused-MoE kernel runs for a model on a GPU, and what the built-in
/// default costs against a tuned one (docs/engine.md §11 "Fused-MoE kernel configs", docs/calibration.md
/// "Fused-MoE kernel configs").
///
/// vLLM looks up `configs/E=<experts>,N=<intermediate per rank>,device_name=<GPU>[,dtype=…][,block_shape=…].json`
/// (`get_config_file_name`, `try_get_optimal_moe_config`); with no such file it logs "Using default MoE config.
/// Performance might be sub-optimal!" and runs `get_default_config`: 16×32×64 tiles (group 1) while the batch has
/// no more tokens than experts, 64×64×32 (group 8) beyond, 4 warps and 3 pipeline stages; 64×128×128 (group 32)
/// for block-wise FP8. ``shippedInVLLM011`` lists the files that decide the catalog's validation rows, with the
/// evidence; a shape not listed is ``Source/unknown`` and is priced as the calibration was (no adjustment).
///
/// ``defaultSlowdown(tokens:experts:rowsPerExpert:blockFP8:gpu:)`` is the measured time of the default config over the best of a tuned
/// candidate list for the same product, by tokens per expert: our own Triton grouped GEMM written after vLLM's
/// kernel, timed on an H100 SXM (`scripts/gpu/moe_kernel_bench.py`, `Fixtures/calibration/fused-moe-configs.json`).
/// Ampere uses vLLM PR #40542's published A100 default-vs-tuned kernel times. A plain value namespace.
package enum FusedMoEKernelConfig {
    /// Where a model's fused-MoE block config comes from on a GPU.
    package enum Source: String, Sendable, Equatable {
        /// vLLM ships a tuned JSON for this (E, N, GPU, dtype).
        case tuned
        /// No file: `get_default_config`.
        case `default`
        /// Not recorded here, or not the Triton fused-MoE path (Marlin weight-only, gpt-oss's MXFP4 kernels):
        /// priced as calibrated.
        case unknown
    }

    /// vLLM's `device_name` for a catalog GPU (`torch.cuda.get_device_name()` with spaces as underscores; every
    /// H200 folds to `NVIDIA_H200`), nil for GPUs whose files are not recorded here.
    package static func vllmDeviceName(_ gpu: GPUSpec) -> String? {
        switch gpu.key {
        case "NVIDIA-H100-HBM3-80GB": return "NVIDIA_H100_80GB_HBM3"
        case "NVIDIA-H200-141GB", "NVIDIA-H200-140GB": return "NVIDIA_H200"
        case "NVIDIA-A100-SXM4-80GB": return "NVIDIA_A100-SXM4-80GB"
        case "NVIDIA-A100-SXM4-40GB": return "NVIDIA_A100-SXM4-40GB"
        default: return nil
        }
    }

    /// The kernel family vLLM 0.11 runs a model's routed experts through on a GPU (docs/engine.md §8 "Quantized
    /// products by GPU").
    package enum Backend: String, Sendable, Equatable {
        /// The Triton fused-MoE kernel (`fused_experts`), which reads a tuned block config when one ships:
        /// 16-bit experts, vLLM `fp8` checkpoints (`Fp8MoEMethod`, per-tensor or block-wise scales) on GPUs with
        /// FP8 tensor cores, compressed-tensors FP8 where CUTLASS does not run it.
        case tritonFusedMoE
        /// The CUTLASS grouped GEMM (`cutlass_moe_fp8`): compressed-tensors FP8 experts with per-tensor or
        /// per-channel weight scales on compute capability 9.0 and 10.x (`CompressedTensorsW8A8Fp8MoEMethod`,
        /// `use_cutlass`); no block config file is read.
        case cutlassGroupedGEMM
        /// Weight-only Marlin (`fused_marlin_moe`): FP8 experts on GPUs without FP8 tensor cores (Ampere).
        case marlin
        /// The experts' own kernels (MXFP4, NVFP4, integer formats) or no experts.
        case other
    }

    /// The routed experts' kernel family for `footprint` on `gpu`: by the checkpoint's scheme
    /// (`quantization_config.quant_method` and the weights' scales) and the GPU's FP8 support.
    package static func backend(footprint: ModelFootprint, gpu: GPUSpec) -> Backend {
        let m = footprint.model
        guard m.numExperts > 1 else { return .other }
        let checkpoint = m.checkpointWeights
        let experts = footprint.expertWeights
        switch experts {
        case .float: return .tritonFusedMoE
        case .fp8, .fp8Block:
            guard gpu.hasFP8TensorCores else { return .marlin }
            if case .fp8 = experts, checkpoint.method == "compressed-tensors", gpu.runsCutlassFP8MoE {
                return .cutlassGroupedGEMM
            }
            return .tritonFusedMoE
        case .mxfp4, .nvfp4, .int: return .other
        }
    }

    /// The config file name vLLM 0.11 looks up for `footprint`'s routed experts on `gpu`, or nil when the experts
    /// do not run the Triton fused-MoE kernel there (``backend(footprint:gpu:)``: FP8 on Ampere goes through
    /// Marlin, compressed-tensors FP8 on Hopper through CUTLASS; MXFP4, NVFP4 and integer weights through their
    /// own kernels) or the GPU is not recorded.
    package static func fileName(footprint: ModelFootprint, gpu: GPUSpec) -> String? {
        let m = footprint.model
        guard backend(footprint: footprint, gpu: gpu) == .tritonFusedMoE, let device = vllmDeviceName(gpu) else {
            return nil
        }
        let n = (m.moeIntermediateSize ?? m.dFF) / footprint.tensorParallelSize
        let experts = footprint.expertWeights
        let suffix: String
        switch experts {
        case .fp8: suffix = ",dtype=fp8_w8a8"
        case .fp8Block(let r, let c): suffix = ",dtype=fp8_w8a8,block_shape=[\(r),\(c)]"
        default: suffix = ""
        }
        return "E=\(m.numExperts),N=\(n),device_name=\(device)\(suffix).json"
    }

    /// Config files whose presence or absence in vLLM 0.11.0 (2025-10) is established, for the shapes the
    /// validation suite and the calibration targets run (docs/calibration.md "Fused-MoE kernel configs" gives the
    /// evidence for each).
    package static let shippedInVLLM011: [String: Bool] = [
        // Mixtral-8x7B: tuned files since early 2024 (V1 runs TP2 on H100).
        "E=8,N=7168,device_name=NVIDIA_H100_80GB_HBM3.json": true,
        "E=8,N=1792,device_name=NVIDIA_H100_80GB_HBM3.json": true,
        "E=8,N=7168,device_name=NVIDIA_A100-SXM4-80GB.json": true,
        // Mixtral-8x22B on A100 TP4/TP8: added by vLLM PR #4002 (April 2024).
        "E=8,N=4096,device_name=NVIDIA_A100-SXM4-80GB.json": true,
        "E=8,N=2048,device_name=NVIDIA_A100-SXM4-80GB.json": true,
        // Qwen3-235B-A22B bf16 TP8 / TP4.
        "E=128,N=192,device_name=NVIDIA_H100_80GB_HBM3.json": true,
        "E=128,N=384,device_name=NVIDIA_H100_80GB_HBM3.json": true,
        "E=128,N=384,device_name=NVIDIA_H200.json": true,
        // DeepSeek-V3/R1 block FP8 TP8 on H200.
        "E=256,N=256,device_name=NVIDIA_H200,dtype=fp8_w8a8,block_shape=[128,128].json": true,
        // Qwen3-30B-A3B TP1 on A100: no file. (On H100 the shape is V4's, whose run the compute curve was
        // calibrated on: it is left unrecorded so that its kernel is not priced twice.)
        "E=128,N=768,device_name=NVIDIA_A100-SXM4-80GB.json": false,
        // GLM-4.5-Air bf16 TP4 on H100: no file. (GLM's -FP8 releases are compressed-tensors per-channel FP8,
        // which runs CUTLASS on Hopper and reads no file.)
        "E=128,N=352,device_name=NVIDIA_H100_80GB_HBM3.json": false,
        // Qwen3-235B-A22B block FP8 on H100 (TP4, TP8): no file.
        "E=128,N=384,device_name=NVIDIA_H100_80GB_HBM3,dtype=fp8_w8a8,block_shape=[128,128].json": false,
        "E=128,N=192,device_name=NVIDIA_H100_80GB_HBM3,dtype=fp8_w8a8,block_shape=[128,128].json": false,
    ]

    /// The config source for `footprint` on `gpu` in vLLM 0.11.
    package static func source(footprint: ModelFootprint, gpu: GPUSpec) -> Source {
        guard let name = fileName(footprint: footprint, gpu: gpu), let shipped = shippedInVLLM011[name] else {
            return .unknown
        }
        return shipped ? .tuned : .default
    }

    /// One measured point: tokens routed to each touched expert, and default-config time over tuned time.
    package struct SlowdownPoint: Sendable, Equatable {
        package let rowsPerExpert: Double
        package let slowdown: Double
        package init(_ rowsPerExpert: Double, _ slowdown: Double) {
            self.rowsPerExpert = rowsPerExpert
            self.slowdown = slowdown
        }
    }

    /// Default-config time over tuned time on one GPU generation, for the three branches of vLLM's
    /// `get_default_config` (16-bit and per-tensor FP8 weights; block-wise FP8 has its own default).
    package struct SlowdownTable: Sendable, Equatable {
        /// A batch of one token (16×32×64 tiles: few programs, a short K step).
        package let singleToken: Double
        /// More than one token but no more tokens than experts (the same 16×32×64 tiles).
        package let fewTokens: Double
        /// More tokens than experts (64×64×32 tiles, group 8): by tokens per touched expert.
        package let manyTokens: [SlowdownPoint]
        /// Block-wise FP8 (64×128×128 tiles, group 32, any batch): by tokens per touched expert.
        package let blockFP8: [SlowdownPoint]
    }

    /// Hopper, measured on an H100 SXM (2026-12-07, Fixtures/calibration/fused-moe-configs.json): the median over
    /// six expert shapes (GLM-4.5-Air TP4, Qwen3-235B TP8, Qwen3-30B TP1, Mixtral-8x7B TP2/TP8; GLM-4.6 block FP8
    /// TP8) of (gate-up + down time with the default config) / (the same with the best candidate config). The H200
    /// has the same multiprocessors and is given the same table. The block-FP8 points were timed at GLM-4.6's
    /// expert shape with 128×128 blocks (E=160, N=192); GLM's own -FP8 release turned out to be per-channel and
    /// runs CUTLASS, so they now price the block-FP8 checkpoints that do run Triton (Qwen3's -FP8, DeepSeek-V3/R1).
    package static let hopper = SlowdownTable(
        singleToken: 1.30, fewTokens: 1.03,
        manyTokens: [
            SlowdownPoint(8, 1.22), SlowdownPoint(32, 1.31), SlowdownPoint(128, 1.45), SlowdownPoint(512, 2.02),
            SlowdownPoint(2048, 2.27),
        ],
        blockFP8: [SlowdownPoint(26, 1.04), SlowdownPoint(102, 1.09), SlowdownPoint(410, 1.15)])

    /// Ampere (A100 SXM4 80GB), from vLLM PR #40542's published default-vs-tuned kernel times for E=64, N=1408,
    /// top-6: M = 1…8 → 1.00, 16 → 1.04, 64 → 1.03 (no more tokens than experts), 256 → 1.07, 1024 → 1.10,
    /// 4096 → 1.11 (rows per expert M·6/64 = 24, 96, 384). No block-FP8 products run on Ampere (Marlin).
    package static let ampere = SlowdownTable(
        singleToken: 1.00, fewTokens: 1.03,
        manyTokens: [SlowdownPoint(24, 1.07), SlowdownPoint(96, 1.10), SlowdownPoint(384, 1.11)],
        blockFP8: [SlowdownPoint(1, 1.0)])

    /// Default-config time over tuned time for one step's routed-expert products: `tokens` in the batch,
    /// `experts` routed experts, `rowsPerExpert` tokens per touched expert; piecewise linear in log(rows) between
    /// measured points and flat beyond them; never below 1.
    package static func defaultSlowdown(
        tokens: Double, experts: Int, rowsPerExpert: Double, blockFP8: Bool, gpu: GPUSpec
    ) -> Double {
        let table = gpu.hasFP8TensorCores ? hopper : ampere
        let value: Double
        if blockFP8 {
            value = interpolate(table.blockFP8, at: rowsPerExpert)
        } else if tokens <= 1 {
            value = table.singleToken
        } else if tokens <= Double(experts) {
            value = table.fewTokens
        } else {
            value = interpolate(table.manyTokens, at: rowsPerExpert)
        }
        return max(1, value)
    }

    static func interpolate(_ curve: [SlowdownPoint], at rows: Double) -> Double {
        guard let first = curve.first, let last = curve.last else { return 1 }
        let r = max(rows, 1e-3)
        if r <= first.rowsPerExpert { return first.slowdown }
        if r >= last.rowsPerExpert { return last.slowdown }
        for (a, b) in zip(curve, curve.dropFirst()) where r <= b.rowsPerExpert {
            let t = (log(r) - log(a.rowsPerExpert)) / (log(b.rowsPerExpert) - log(a.rowsPerExpert))
            return a.slowdown + t * (b.slowdown - a.slowdown)
        }
        return last.slowdown
    }
}
