import Testing

@testable import MoECore

/// vLLM's fused-MoE config lookup and the measured cost of its default block config (docs/engine.md §8
/// "Fused-MoE block configs", docs/calibration.md "Fused-MoE kernel configs").
@Suite struct FusedMoEKernelConfigTests {
    static let h100 = HardwareCatalog.gpu(named: "H100")!
    static let h200 = HardwareCatalog.gpu(named: "H200")!
    static let a100 = HardwareCatalog.gpu(named: "A100")!

    static func footprint(_ id: String, tp: Int) -> ModelFootprint {
        ModelFootprint(
            model: ModelCatalog.spec(for: id)!, tensorParallelSize: tp, weightFormat: .bfloat16, kvFormat: .bfloat16)
    }

    @Test func fileNamesAreBuiltAsVLLMBuildsThem() {
        let mixtral = Self.footprint("mistralai/Mixtral-8x7B-v0.1", tp: 2)
        #expect(
            FusedMoEKernelConfig.fileName(footprint: mixtral, gpu: Self.h100)
                == "E=8,N=7168,device_name=NVIDIA_H100_80GB_HBM3.json")
        // Every H200 folds to one device name.
        #expect(
            FusedMoEKernelConfig.fileName(footprint: mixtral, gpu: Self.h200)
                == "E=8,N=7168,device_name=NVIDIA_H200.json")
        let glmAir = Self.footprint("zai-org/GLM-4.5-Air", tp: 4)
        #expect(
            FusedMoEKernelConfig.fileName(footprint: glmAir, gpu: Self.h100)
                == "E=128,N=352,device_name=NVIDIA_H100_80GB_HBM3.json")
        let qwenFP8 = Self.footprint("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", tp: 8)
        #expect(
            FusedMoEKernelConfig.fileName(footprint: qwenFP8, gpu: Self.h100)
                == "E=128,N=192,device_name=NVIDIA_H100_80GB_HBM3,dtype=fp8_w8a8,block_shape=[128,128].json")
        // Compressed-tensors per-channel FP8 (GLM) runs CUTLASS on Hopper, FP8 on an A100 runs Marlin, gpt-oss's
        // MXFP4 experts their own kernels: no Triton config lookup.
        let glm46 = Self.footprint("zai-org/GLM-4.6-FP8", tp: 8)
        #expect(FusedMoEKernelConfig.fileName(footprint: glm46, gpu: Self.h100) == nil)
        #expect(FusedMoEKernelConfig.fileName(footprint: glm46, gpu: Self.a100) == nil)
        let gptOss = Self.footprint("openai/gpt-oss-120b", tp: 1)
        #expect(FusedMoEKernelConfig.fileName(footprint: gptOss, gpu: Self.h100) == nil)
    }

    @Test(arguments: [
        ("mistralai/Mixtral-8x7B-v0.1", 2, "H100", FusedMoEKernelConfig.Source.tuned),
        ("zai-org/GLM-4.5-Air", 4, "H100", .default),
        ("Qwen/Qwen3-30B-A3B", 1, "A100", .default),
        // V4's own shape is the calibration's reference, and a shape nobody recorded or a non-Triton path is
        // priced as calibrated.
        ("Qwen/Qwen3-30B-A3B", 1, "H100", .unknown),
        ("zai-org/GLM-4.5-Air", 2, "H100", .unknown),
        ("openai/gpt-oss-120b", 1, "H100", .unknown),
    ])
    func sourcesFollowTheRecordedFiles(model: String, tp: Int, gpu: String, expected: FusedMoEKernelConfig.Source) {
        let source = FusedMoEKernelConfig.source(
            footprint: Self.footprint(model, tp: tp), gpu: HardwareCatalog.gpu(named: gpu)!)
        #expect(source == expected)
    }

    /// vLLM 0.11's MoE kernel family by checkpoint scheme and GPU: block-wise and vLLM `fp8` checkpoints run the
    /// Triton kernel on Hopper, compressed-tensors per-channel FP8 the CUTLASS grouped GEMM on compute capability
    /// 9.0/10.x only (Triton on Ada-class and 12.x Blackwells), every FP8 checkpoint Marlin on Ampere.
    @Test(arguments: [
        ("zai-org/GLM-4.6-FP8", 8, "H100", FusedMoEKernelConfig.Backend.cutlassGroupedGEMM),
        ("zai-org/GLM-4.6-FP8", 8, "H200", .cutlassGroupedGEMM),
        ("zai-org/GLM-4.5-Air-FP8", 4, "B200", .cutlassGroupedGEMM),
        ("zai-org/GLM-4.5-Air-FP8", 4, "rtx-pro-6000", .tritonFusedMoE),
        ("zai-org/GLM-4.5-Air-FP8", 4, "MI300X", .tritonFusedMoE),
        ("zai-org/GLM-4.6-FP8", 8, "A100", .marlin),
        ("Qwen/Qwen3-235B-A22B-FP8", 4, "H100", .tritonFusedMoE),
        ("Qwen/Qwen3-235B-A22B-FP8", 4, "A100", .marlin),
        ("deepseek-ai/DeepSeek-R1", 8, "H200", .tritonFusedMoE),
        ("zai-org/GLM-4.5-Air", 4, "H100", .tritonFusedMoE),
        ("openai/gpt-oss-120b", 1, "H100", .other),
    ])
    func backendFollowsTheSchemeAndTheGPU(
        model: String, tp: Int, gpu: String, expected: FusedMoEKernelConfig.Backend
    ) {
        let g = HardwareCatalog.gpu(named: gpu)!
        let fp = Self.footprint(model, tp: tp)
        #expect(FusedMoEKernelConfig.backend(footprint: fp, gpu: g) == expected)
        if expected != .tritonFusedMoE {
            #expect(FusedMoEKernelConfig.source(footprint: fp, gpu: g) == .unknown)
        }
    }

    /// Through the cost model: GLM-4.6-FP8's experts (CUTLASS on an H100) are priced as calibrated, with no
    /// default-config slowdown, while Qwen3-235B-FP8's block-FP8 experts (Triton, no tuned H100 file) pay it.
    @Test func cutlassExpertsArePricedAsCalibrated() {
        let glm = Self.footprint("zai-org/GLM-4.6-FP8", tp: 8)
        let cutlass = StepCostModel(footprint: glm, gpu: Self.h100, calibration: Calibration())
        #expect(cutlass.moeKernelSource == .unknown)
        #expect(cutlass.moeKernelSlowdown(tokens: 8192, rows: 410) == 1)
        let asCalibrated = StepCostModel(
            footprint: glm, gpu: Self.h100, calibration: Calibration(), moeKernelSource: .tuned)
        let prefill = StepShape.prefill(
            requests: 1, promptTokens: 8192, touchedExperts: 160 * Double(glm.moeLayers), cudaGraph: false)
        #expect(cutlass.cost(prefill).latency == asCalibrated.cost(prefill).latency)
        let qwen = Self.footprint("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", tp: 4)
        let triton = StepCostModel(footprint: qwen, gpu: Self.h100, calibration: Calibration())
        #expect(triton.moeKernelSource == .default)
        #expect(triton.moeKernelSlowdown(tokens: 8192, rows: 410) > 1)
    }

    @Test func defaultSlowdownFollowsTheMeasuredBranches() {
        func s(_ tokens: Double, _ rows: Double, block: Bool = false, _ gpu: GPUSpec = Self.h100) -> Double {
            FusedMoEKernelConfig.defaultSlowdown(
                tokens: tokens, experts: 128, rowsPerExpert: rows, blockFP8: block, gpu: gpu)
        }
        #expect(s(1, 1) == FusedMoEKernelConfig.hopper.singleToken)
        #expect(s(64, 3.8) == FusedMoEKernelConfig.hopper.fewTokens)
        // Many tokens: the measured points, flat beyond them, increasing between.
        #expect(abs(s(2048, 128) - 1.45) < 1e-12)
        #expect(s(200_000, 100_000) == 2.27)
        #expect(s(129, 2) == 1.22)
        var last = 0.0
        for rows in [8.0, 16, 32, 64, 128, 256, 512, 1024, 2048] {
            let v = s(100_000, rows)
            #expect(v >= last && v >= 1)
            last = v
        }
        // Block-wise FP8's default tile is close to tuned; Ampere's default costs less than Hopper's.
        #expect(s(8192, 512, block: true) < s(8192, 512))
        #expect(s(8192, 512, Self.a100) < s(8192, 512))
        #expect(s(8192, 512, Self.a100) >= 1)
    }

    @Test func aDefaultConfigSlowsPrefillMoreThanDecode() {
        let fp = Self.footprint("zai-org/GLM-4.5-Air", tp: 4)
        let tuned = StepCostModel(footprint: fp, gpu: Self.h100, calibration: Calibration(), moeKernelSource: .tuned)
        let looked = StepCostModel(footprint: fp, gpu: Self.h100, calibration: Calibration())
        #expect(looked.moeKernelSource == .default)
        let layers = Double(fp.moeLayers)
        let prefill = StepShape.prefill(requests: 1, promptTokens: 8192, touchedExperts: 128 * layers, cudaGraph: false)
        let decode = StepShape.decode(batch: 8, context: 1000, touchedExperts: 52 * layers, cudaGraph: true)
        let prefillRatio = looked.cost(prefill).latency / tuned.cost(prefill).latency
        let decodeRatio = looked.cost(decode).latency / tuned.cost(decode).latency
        #expect(prefillRatio > 1.1 && prefillRatio < FusedMoEKernelConfig.hopper.manyTokens.last!.slowdown)
        #expect(decodeRatio >= 1 && decodeRatio < 1.03)
        #expect(prefillRatio > decodeRatio)
        // Tuned or unknown: exactly the calibrated price.
        let unknown = StepCostModel(
            footprint: fp, gpu: Self.h100, calibration: Calibration(), moeKernelSource: .unknown)
        #expect(unknown.cost(prefill).latency == tuned.cost(prefill).latency)
    }
}
