import Testing

@testable import MoECore

/// gpt-oss's MXFP4 experts through vLLM's Marlin MoE path, and the activation peak vLLM 0.11's profiling run
/// measures (docs/engine.md §3 "Activation peak", §8 "MXFP4 experts through Marlin").
@Suite struct MarlinMXFP4AndProfilePeakTests {
    static let gptOss = ModelCatalog.spec(for: "openai/gpt-oss-120b")!
    static let qwen3 = ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!
    static let mixtral = ModelCatalog.spec(for: "mistralai/Mixtral-8x7B-Instruct-v0.1")!
    static let h100 = HardwareCatalog.gpu(named: "H100")!
    static let a100 = HardwareCatalog.gpu(named: "A100")!
    static let b200 = HardwareCatalog.gpu(named: "B200")!

    static func footprint(_ model: ModelSpec, tp: Int = 1) -> ModelFootprint {
        ModelFootprint(model: model, tensorParallelSize: tp, weightFormat: .bfloat16, kvFormat: .bfloat16)
    }

    @Test func profilePeakIsTheLargerPhaseNotTheirSum() {
        let fp = Self.footprint(Self.gptOss)
        let v = Double(Self.gptOss.vocabSize)
        let d = Double(Self.gptOss.hiddenSize)
        // GPUStack's gpt-oss-120b row: 16,384 tokens over 1,024 requests. The sampler phase holds the kept hidden
        // states and 10 bytes per logit (16-bit gathered, float32 copy, float32 softmax).
        let samplerPhase = (16384 + 1024) * d * 2 + 1024 * v * 10
        #expect(abs(fp.activationBytes(tokens: 16384, sequences: 1024) - samplerPhase) < 1)
        #expect(samplerPhase / 1_073_741_824 > 1.9 && samplerPhase / 1_073_741_824 < 2.1)
        // The dummy forward spreads its tokens over min(tokens, max_num_seqs) requests.
        #expect(fp.activationBytes(tokens: 256, sequences: 1024) == fp.activationBytes(tokens: 256, sequences: 256))
        // V1's logits are all-gathered: every rank holds the whole vocabulary, so TP does not shrink the sampler.
        #expect(Self.footprint(Self.gptOss, tp: 4).activationBytes(tokens: 16384, sequences: 1024) >= 1024 * v * 10)
        // Mixtral at V1's settings: the forward phase is the larger, and nothing of the sampler is added to it.
        let mixtral = Self.footprint(Self.mixtral, tp: 2)
        let forwardOnly = mixtral.activationBytes(tokens: 2048, sequences: 1)
        #expect(mixtral.activationBytes(tokens: 2048, sequences: 128) == forwardOnly)
    }

    @Test func mxfp4RunsThroughMarlinWithoutFP4TensorCoresUnlessTritonKernelsOnHopper() {
        let fp = Self.footprint(Self.gptOss)
        #expect(fp.expertGemmPath(on: Self.h100).kind == .marlinMXFP4)
        #expect(fp.expertGemmPath(on: Self.a100).kind == .marlinMXFP4)
        #expect(fp.expertGemmPath(on: Self.b200).kind == .fp4Native)
        #expect(fp.expertGemmPath(on: Self.h100, tritonKernels: true).kind == .weightOnly4Bit)
        // triton_kernels serve Hopper only (SM90–SM100): Ampere stays on Marlin.
        #expect(fp.expertGemmPath(on: Self.a100, tritonKernels: true).kind == .marlinMXFP4)
        // Attention stays bf16; NVFP4 and other formats never take the Marlin-MXFP4 path.
        #expect(fp.denseGemmPath(on: Self.h100).kind == .native)
        #expect(GemmPath(weights: .nvfp4, gpu: Self.h100).kind == .weightOnly4Bit)
        #expect(Self.footprint(Self.qwen3).expertGemmPath(on: Self.h100).kind == .native)
    }

    @Test func marlinPadsExpertsTo256By128() {
        // 2880 × 2880 experts: hidden → 3072, per-rank width 2880 → 2944 (TP1), 1440 → 1536 (TP2).
        #expect(Self.footprint(Self.gptOss).marlinPaddedExpertParams == 3 * 3072 * 2944)
        #expect(Self.footprint(Self.gptOss, tp: 2).marlinPaddedExpertParams == 3 * 3072 * 1536)
        // Shapes already aligned need nothing (Qwen3-30B-A3B: 2048 × 768).
        let qwen = Self.footprint(Self.qwen3)
        #expect(qwen.marlinPaddedExpertParams == qwen.expertParams)
        // Loaded size: padding only where Marlin runs.
        let gib = 1_073_741_824.0
        let fp = Self.footprint(Self.gptOss)
        let padding = fp.loadedWeightBytesPerRank(on: Self.h100) - fp.weightBytesPerRank
        #expect(padding / gib > 5.0 && padding / gib < 5.3)
        #expect(fp.loadedWeightBytesPerRank(on: Self.h100, tritonKernels: true) == fp.weightBytesPerRank)
        #expect(fp.loadedWeightBytesPerRank(on: Self.b200) == fp.weightBytesPerRank)
    }

    @Test func marlinDecodeReadsPaddedExpertsAtItsOwnEfficiency() {
        let fp = Self.footprint(Self.gptOss)
        let shape = StepShape.decode(batch: 64, context: 2000, touchedExperts: 36 * 100, cudaGraph: true)
        var calibration = Calibration()
        let triton = StepCostModel(footprint: fp, gpu: Self.h100, calibration: calibration, tritonKernels: true)
        calibration.marlinMXFP4ExpertEfficiency = 1
        let marlinFull = StepCostModel(footprint: fp, gpu: Self.h100, calibration: calibration)
        calibration.marlinMXFP4ExpertEfficiency = 0.7
        let marlin = StepCostModel(footprint: fp, gpu: Self.h100, calibration: calibration)
        // Every touched expert is read padded: 100 per layer × 36 layers × the padding × 4.25 bits.
        let extra = 36 * 100 * (fp.marlinPaddedExpertParams - fp.expertParams) * fp.expertBytesPerParam
        #expect(abs(marlinFull.cost(shape).weightBytes - triton.cost(shape).weightBytes - extra) < 1)
        #expect(marlinFull.cost(shape).latency > triton.cost(shape).latency)
        #expect(marlin.cost(shape).latency > marlinFull.cost(shape).latency)
        // Ampere's Marlin keeps the fused-MoE curves (vllm#22428's A100 decode figures), padded reads only.
        let a100 = StepCostModel(footprint: fp, gpu: Self.a100, calibration: calibration)
        calibration.marlinMXFP4ExpertEfficiency = 1
        #expect(
            a100.cost(shape).latency
                == StepCostModel(footprint: fp, gpu: Self.a100, calibration: calibration).cost(shape).latency)
        calibration.marlinMXFP4ExpertEfficiency = 0.7
        // Other models ignore the constant.
        let qwen = Self.footprint(Self.qwen3)
        #expect(
            StepCostModel(footprint: qwen, gpu: Self.h100, calibration: calibration).cost(shape).latency
                == StepCostModel(footprint: qwen, gpu: Self.h100, calibration: Calibration()).cost(shape).latency)
    }
}
