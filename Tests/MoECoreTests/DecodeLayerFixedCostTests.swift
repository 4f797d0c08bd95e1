import Testing

@testable import MoECore

/// Fixed GPU times of a decode layer beyond the roofline terms: block-FP8 non-expert products on Hopper (a fixed time
/// per product and per 128 input columns, and a lower compute rate) and MLA's extra kernels (docs/engine.md §8
/// "Block-FP8 dense products on Hopper", docs/calibration.md of the same name).
@Suite struct DecodeLayerFixedCostTests {
    static let h100 = HardwareCatalog.gpu(named: "H100")!
    static let h200 = HardwareCatalog.gpu(named: "H200")!
    static let a100 = HardwareCatalog.gpu(named: "A100")!

    static func model(_ id: String, tp: Int, gpu: GPUSpec, calibration: Calibration = Calibration())
        -> StepCostModel
    {
        let fp = ModelFootprint(
            model: ModelCatalog.spec(for: id)!, tensorParallelSize: tp, weightFormat: .bfloat16, kvFormat: .bfloat16)
        return StepCostModel(footprint: fp, gpu: gpu, calibration: calibration)
    }

    /// The H100 fit with the three block-FP8 constants neutral (no fixed time, the dense curve's rate).
    static var without: Calibration {
        var c = Calibration()
        c.blockFP8GemmCall = 0
        c.blockFP8GemmKBlock = 0
        c.blockFP8GemmEfficiency = 1
        return c
    }

    /// Extra latency of a batch-16 decode step (short contexts) that the block-FP8 constants add.
    static func decodeExtra(_ id: String, tp: Int, gpu: GPUSpec) -> Double {
        let with = model(id, tp: tp, gpu: gpu)
        let step = StepShape.decode(
            batch: 16, context: 64, touchedExperts: 64 * Double(with.footprint.moeLayers), cudaGraph: true)
        let base = model(id, tp: tp, gpu: gpu, calibration: without)
        return with.cost(step).latency - base.cost(step).latency
    }

    @Test func theDefaultsAreTheCommittedFit() throws {
        let file = try fixtureJSON("Hopper.published-block-fp8-gemms.json")
        let c = Calibration()
        #expect(file["block_fp8_gemm_call_s"]?.doubleValue == c.blockFP8GemmCall)
        #expect(file["block_fp8_gemm_k_block_s"]?.doubleValue == c.blockFP8GemmKBlock)
        #expect(file["block_fp8_gemm_efficiency"]?.doubleValue == c.blockFP8GemmEfficiency)
    }

    @Test func deepSeekPaysEveryProductOfItsLayers() {
        let c = Calibration()
        func product(_ k: Double) -> Double { c.blockFP8GemmCall + c.blockFP8GemmKBlock * k / 128 }
        // DeepSeek-V3/R1 at TP 8: MLA's fused q_a/kv_a (K 7168), q_b (K 1536), O (16 heads × 128) on 61 layers; the
        // shared expert's gate/up (K 7168) and down (K 2048 / 8) on 58 MoE layers; the dense FFN's gate/up and
        // down (K 18432 / 8) on the first 3.
        let expected =
            61 * (product(7168) + product(1536) + product(2048)) + 58 * (product(7168) + product(256)) + 3
            * (product(7168) + product(2304))
        for gpu in [Self.h100, Self.h200] {
            let extra = Self.decodeExtra("deepseek-ai/DeepSeek-R1", tp: 8, gpu: gpu)
            #expect(abs(extra / expected - 1) < 1e-9, "\(gpu.key): \(extra) vs \(expected)")
        }
        #expect(expected > 5e-3 && expected < 7e-3)
    }

    @Test func onlyBlockFP8OnHopperPays() {
        // Qwen3 -FP8 (block-wise) on an H100: QKV and O per layer.
        #expect(Self.decodeExtra("Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", tp: 4, gpu: Self.h100) > 0)
        // Not on an A100 (Marlin, weight-only), not for per-channel FP8 (GLM-4.6-FP8: CUTLASS scaled_mm), not
        // for 16-bit checkpoints (V1's and V4's models).
        #expect(Self.decodeExtra("deepseek-ai/DeepSeek-R1", tp: 8, gpu: Self.a100) == 0)
        #expect(Self.decodeExtra("zai-org/GLM-4.6-FP8", tp: 8, gpu: Self.h100) == 0)
        #expect(Self.decodeExtra("mistralai/Mixtral-8x7B-v0.1", tp: 2, gpu: Self.h100) == 0)
        #expect(Self.decodeExtra("Qwen/Qwen3-30B-A3B", tp: 1, gpu: Self.h100) == 0)
    }

    @Test func prefillRunsBelowTheDenseCurve() {
        let id = "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"
        let with = Self.model(id, tp: 4, gpu: Self.h100)
        var onlyFixed = Self.without
        onlyFixed.blockFP8GemmCall = Calibration().blockFP8GemmCall
        onlyFixed.blockFP8GemmKBlock = Calibration().blockFP8GemmKBlock
        let fixedOnly = Self.model(id, tp: 4, gpu: Self.h100, calibration: onlyFixed)
        let prefill = StepShape.prefill(
            requests: 1, promptTokens: 8192, touchedExperts: 128 * Double(with.footprint.moeLayers), cudaGraph: false)
        // 8,192 rows: the attention products are compute-bound, so the lower rate makes the step slower.
        #expect(with.cost(prefill).latency > fixedOnly.cost(prefill).latency * 1.01)
    }

    @Test func mlaLayersPayTheirExtraKernels() {
        var noMLA = Calibration()
        noMLA.mlaLayerOverhead = 0
        func extra(_ id: String, tp: Int) -> Double {
            let with = Self.model(id, tp: tp, gpu: Self.a100)
            let step = StepShape.decode(
                batch: 16, context: 64, touchedExperts: 64 * Double(with.footprint.moeLayers), cudaGraph: true)
            return with.cost(step).latency
                - Self.model(id, tp: tp, gpu: Self.a100, calibration: noMLA).cost(step).latency
        }
        // Every one of DeepSeek-R1's 61 layers, whatever the GPU; nothing for GQA models.
        #expect(abs(extra("deepseek-ai/DeepSeek-R1", tp: 8) / (61 * Calibration().mlaLayerOverhead) - 1) < 1e-9)
        #expect(extra("Qwen/Qwen3-30B-A3B", tp: 1) == 0)
    }
}
