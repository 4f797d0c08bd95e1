import MoECore
import Testing

@testable import SimEngine

extension EngineTests {
    /// Invariants of the step cost model: the roofline floor, monotonicity, tensor parallelism, formats, MLA.
    @Suite struct CostModelInvariants {
        typealias F = EngineFixture

        func model(
            _ spec: ModelSpec, tp: Int = 1, gpu: String = "H100", weights: NumberFormat = .bfloat16,
            kv: NumberFormat = .bfloat16
        ) -> StepCostModel {
            StepCostModel(
                footprint: ModelFootprint(model: spec, tensorParallelSize: tp, weightFormat: weights, kvFormat: kv),
                gpu: HardwareCatalog.gpu(named: gpu)!, calibration: Calibration())
        }

        @Test func footprintsMatchTheModelsPublishedSizes() {
            func billions(_ spec: ModelSpec) -> Double {
                ModelFootprint(model: spec, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16)
                    .totalParameters / 1e9
            }
            #expect(abs(billions(F.qwen3) - 30.5) < 0.2)
            #expect(abs(billions(F.mixtral) - 46.7) < 0.2)
            #expect(abs(billions(F.deepseek) - 15.7) < 0.2)
            #expect(abs(billions(F.qwen15) - 14.3) < 0.2)
            let q = ModelFootprint(model: F.qwen3, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16)
            #expect(abs(q.activeParameters / 1e9 - 3.3) < 0.3)
            // Sharding keeps the total; replicated parts make ranks a little heavier than 1/TP.
            let q4 = ModelFootprint(model: F.qwen3, tensorParallelSize: 4, weightFormat: .bfloat16, kvFormat: .bfloat16)
            #expect(abs(q4.totalParameters - q.totalParameters) < 1e3)
            #expect(q4.weightBytesPerRank > q.weightBytesPerRank / 4)
        }

        @Test func kvCacheSizesFollowAttentionKindFormatAndSharding() {
            let gqa = ModelFootprint(
                model: F.qwen3, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16)
            #expect(gqa.kvBytesPerTokenPerRank == 48 * 2 * 4 * 128 * 2)
            let gqa8 = ModelFootprint(model: F.qwen3, tensorParallelSize: 8, weightFormat: .bfloat16, kvFormat: .fp8)
            #expect(gqa8.kvBytesPerTokenPerRank == 48 * 2 * 1 * 128 * 1)  // 4 KV heads replicated over 8 ranks
            let mla = ModelFootprint(
                model: F.deepseek, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16)
            #expect(mla.kvBytesPerTokenPerRank == 27 * (512 + 64) * 2)
            let mla2 = ModelFootprint(
                model: F.deepseek, tensorParallelSize: 2, weightFormat: .bfloat16, kvFormat: .bfloat16)
            #expect(mla2.kvBytesPerTokenPerRank == mla.kvBytesPerTokenPerRank)  // the latent is not split
            #expect(mla.denseLayers == 1 && mla.moeLayers == 26)
            #expect(mla.sharedExpertParams == 3 * 2048 * 1408 * 2)
        }

        @Test func stepsAreNeverFasterThanTheDatasheetRoofline() {
            var rng = SimRandom(seed: 42)
            let specs = [F.qwen3, F.mixtral, F.deepseek, F.qwen15]
            for _ in 0..<400 {
                let spec = specs[rng.below(specs.count)]
                let tp = [1, 2, 4][rng.below(3)]
                let fmt = [NumberFormat.bfloat16, .fp8, .int4][rng.below(3)]
                let m = model(spec, tp: tp, gpu: ["H100", "A100", "H200"][rng.below(3)], weights: fmt)
                let batch = 1 + rng.below(512)
                let isDecode = rng.below(2) == 0
                let experts = Double(spec.numMoELayers * min(spec.numExperts, spec.topK + rng.below(spec.numExperts)))
                let shape =
                    isDecode
                    ? StepShape.decode(
                        batch: batch, context: 1 + rng.below(8000), touchedExperts: experts,
                        cudaGraph: rng.below(2) == 0)
                    : StepShape.prefill(
                        requests: 1 + rng.below(4), promptTokens: batch * 4, touchedExperts: experts,
                        cudaGraph: false)
                let c = m.cost(shape)
                let bytesPerRank = c.bytes / Double(tp)
                let flopsPerRank = c.flops / Double(tp)
                #expect(c.latency >= flopsPerRank / m.peakFlops)
                #expect(c.latency >= bytesPerRank / m.bandwidth)
                #expect(c.latency >= c.rooflineTime)
                #expect(c.bandwidthUtilization <= 1 && c.flopsUtilization <= 1)
                #expect(c.latency >= c.operatorTime + c.commTime)
            }
        }

        @Test func stepTimeGrowsWithBatchAndContext() {
            let m = model(F.qwen3)
            var last = 0.0
            for batch in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] {
                let t = m.cost(.decode(batch: batch, context: 1000, touchedExperts: 48 * 64, cudaGraph: true)).latency
                #expect(t > last)
                last = t
            }
            last = 0
            for context in [1, 100, 1000, 4000, 16000, 32000] {
                let t = m.cost(.decode(batch: 32, context: context, touchedExperts: 48 * 64, cudaGraph: true)).latency
                #expect(t > last)
                last = t
            }
            last = 0
            for touched in [8, 16, 32, 64, 128] {
                let t = m.cost(.decode(batch: 32, context: 1000, touchedExperts: Double(48 * touched), cudaGraph: true))
                    .latency
                #expect(t > last)
                last = t
            }
            last = 0
            for tokens in [128, 512, 2048, 8192] {
                let t = m.cost(.prefill(requests: 1, promptTokens: tokens, touchedExperts: 48 * 128, cudaGraph: false))
                #expect(t.latency > last)
                last = t.latency
            }
        }

        @Test func tensorParallelismSplitsWorkButPaysForCommunication() {
            let tp1 = model(F.mixtral, tp: 1)
            let tp2 = model(F.mixtral, tp: 2)
            let big = StepShape.prefill(requests: 4, promptTokens: 2048, touchedExperts: 32 * 8, cudaGraph: false)
            let one = tp1.cost(big)
            let two = tp2.cost(big)
            #expect(two.latency < one.latency)
            #expect(two.latency > one.latency / 2)  // communication and replicated work keep it above half
            #expect(one.commTime == 0 && two.commTime > 0)
            #expect(abs(two.flops - one.flops) / one.flops < 0.01)  // the same work, split
            let small = StepShape.decode(batch: 8, context: 500, touchedExperts: 32 * 8, cudaGraph: true)
            #expect(tp2.cost(small).latency > tp1.cost(small).latency / 2)
            #expect(tp2.cost(small).commTime > 0)
            // The ring all-reduce: 2(TP−1)/TP of the message over the link, plus its latency.
            let c = Calibration()
            let expected = c.allReduceLatency + 2 * 0.5 * 1e6 / (450e9 * c.interconnectEfficiency)
            #expect(abs(tp2.allReduceTime(bytes: 1e6) - expected) < 1e-12)
            #expect(tp1.allReduceTime(bytes: 1e6) == 0)
        }

        @Test func narrowerFormatsReadFewerBytes() {
            let decode = StepShape.decode(batch: 16, context: 2000, touchedExperts: 48 * 60, cudaGraph: true)
            let bf16 = model(F.qwen3).cost(decode)
            let fp8 = model(F.qwen3, weights: .fp8).cost(decode)
            let int4 = model(F.qwen3, weights: .int4).cost(decode)
            let kv8 = model(F.qwen3, kv: .fp8).cost(decode)
            #expect(fp8.weightBytes < bf16.weightBytes && int4.weightBytes < fp8.weightBytes)
            #expect(fp8.latency < bf16.latency && int4.latency < fp8.latency)
            #expect(abs(kv8.kvBytes - bf16.kvBytes / 2) < 1)
            #expect(kv8.weightBytes == bf16.weightBytes)
            // FP8 weights compute at the FP8 peak; weight-only int4 at the 16-bit peak.
            #expect(model(F.qwen3, weights: .fp8).peakFlops == 2 * model(F.qwen3).peakFlops)
            #expect(model(F.qwen3, weights: .int4).peakFlops == model(F.qwen3).peakFlops)
        }

        @Test func cudaGraphsLowerFixedCosts() {
            let m = model(F.qwen3)
            let graph = m.cost(.decode(batch: 4, context: 100, touchedExperts: 48 * 30, cudaGraph: true))
            let eager = m.cost(.decode(batch: 4, context: 100, touchedExperts: 48 * 30, cudaGraph: false))
            #expect(graph.overheadTime < eager.overheadTime)
            #expect(graph.operatorTime == eager.operatorTime)
        }

        @Test func calibrationOverridesAreValidated() throws {
            let c = try Calibration(json: try JSONValue.parse(#"{"kv_bandwidth": 0.5, "frontend_latency_s": 0.01}"#))
            #expect(c.kvBandwidth == 0.5 && c.frontendLatency == 0.01)
            #expect(c.denseWeightBandwidth == Calibration().denseWeightBandwidth)
            #expect(throws: CalibrationError.self) {
                _ = try Calibration(json: try JSONValue.parse(#"{"kv_bandwidth": 1.5}"#))
            }
            #expect(throws: CalibrationError.self) { _ = try Calibration(json: try JSONValue.parse(#"{"nope": 1}"#)) }
            #expect(throws: CalibrationError.self) {
                _ = try Calibration(json: try JSONValue.parse(#"{"kv_bandwidth": "x"}"#))
            }
            #expect(try Calibration(json: Calibration().json) == Calibration())
        }
    }
}
