import MoECore
import Testing

@testable import SimEngine

extension EngineTests {
    /// vLLM 0.11's per-GPU scheduler defaults, the API server in front of the engine, the engine's CPU time per
    /// step, and quantized products priced by what the GPU can multiply (docs/engine.md §2, §8, §10).
    @Suite struct FrontEndDefaultsAndQuantization {
        typealias F = EngineFixture

        @Test func schedulerDefaultsFollowTheGPUAsVLLMsEngineArgsDo() {
            func defaults(_ gpu: String) -> (Int, Int) {
                let c = EngineConfig(model: F.qwen3, gpu: HardwareCatalog.gpu(named: gpu)!)
                return (c.maxNumSeqs, c.maxNumBatchedTokens)
            }
            #expect(defaults("A100") == (256, 2048))
            #expect(defaults("A100-40GB") == (256, 2048))
            #expect(defaults("H100") == (1024, 8192))
            #expect(defaults("H200") == (1024, 8192))
            #expect(defaults("A6000") == (256, 2048))
            // A deployment's own values win.
            let set = try? EngineConfig(
                backendConfig: .object(
                    JSONObject([("max_num_seqs", .int(64)), ("max_num_batched_tokens", .int(4096))])),
                model: F.qwen3, gpu: HardwareCatalog.gpu(named: "A100")!)
            #expect(set?.maxNumSeqs == 64 && set?.maxNumBatchedTokens == 4096)
        }

        @Test func theAPIServerSetsRequestsUpOneAtATime() throws {
            var config = F.config()
            config.calibration.apiRequestOverhead = 2e-3
            config.calibration.apiPromptTokenOverhead = 1e-6
            config.calibration.apiSubmitOverhead = 1e-3
            let driver = EngineDriver(core: try EngineCore(config: config))
            driver.submit(F.request(1, prompt: 1000, output: 2), at: 0)
            driver.submit(F.request(2, prompt: 1000, output: 2), at: 0)
            // Both receives (2 ms each) run before the first submit (1 ms): the loop took them first.
            var first = driver.advance()
            while first.admitted.isEmpty, driver.nextEventTime != nil { first = driver.advance() }
            #expect(first.admitted == [1])
            #expect(abs((first.outcome?.start ?? 0) - (4e-3 + 1e-3 + driver.frontendLatency)) < 1e-12)
            // The second request's submit follows the first's; it reaches a later step.
            var admitted: [UInt64] = []
            var when = 0.0
            while driver.nextEventTime != nil {
                let before = driver.now
                let s = driver.advance()
                if s.admitted.contains(2) {
                    admitted += s.admitted
                    when = max(before, s.outcome?.start ?? before)
                }
            }
            #expect(admitted == [2])
            #expect(when >= 4e-3 + 2e-3 + driver.frontendLatency - 1e-12)
        }

        @Test func aBurstsTTFTGrowsWithTheAPIServersPerRequestCost() throws {
            func meanTTFT(perRequest: Double) throws -> Double {
                var config = F.config()
                config.calibration.apiRequestOverhead = perRequest
                let work = SyntheticWorkload(
                    count: 1000, arrival: .allAtOnce, promptTokens: .fixed(32), outputTokens: .fixed(4), maxTokens: 4,
                    ignoreEOS: true, seed: 1
                ).generate()
                return try Simulation.run(config: config, workload: work, keepSteps: false).mean(\.ttft)
            }
            let free = try meanTTFT(perRequest: 0)
            let dear = try meanTTFT(perRequest: 2e-3)
            let dearer = try meanTTFT(perRequest: 4e-3)
            // 1,000 receives of 2 ms hold the loop for 2 s before any request is submitted (4 ms: 4 s), so every
            // first token comes after that; the rest of the path is the same in both runs.
            #expect(dear > free + 1.5)
            #expect(dear > 2.0 && dearer > 4.0)
            #expect(abs((dearer - dear) - 2.0) < 0.5)
        }

        @Test func outputProcessingDelaysTheSetUpOfLaterRequests() throws {
            var config = F.config()
            config.calibration.apiOutputTokenOverhead = 1e-3
            let driver = EngineDriver(core: try EngineCore(config: config))
            for i in 0..<50 { driver.submit(F.request(UInt64(i), prompt: 16, output: 20), at: 0) }
            var step = driver.advance()
            while step.outcome == nil { step = driver.advance() }
            let end = try #require(step.outcome).end
            // Submitted after the first step ended: waits behind that step's outputs (tokens × 1 ms).
            let tokens = step.outcome!.events.reduce(0) { $0 + $1.newTokens }
            driver.submit(F.request(99, prompt: 16, output: 2), at: end)
            while driver.nextEventTime != nil {
                let before = driver.now
                let s = driver.advance()
                if s.admitted.contains(99) {
                    #expect(before >= end + Double(tokens) * 1e-3)
                    return
                }
            }
            Issue.record("request 99 never admitted")
        }

        @Test func newRequestsCostTheEngineCPUTime() {
            let m = StepCostModel(
                footprint: ModelFootprint(
                    model: F.qwen3, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16),
                gpu: F.h100, calibration: Calibration())
            let c = Calibration()
            #expect(
                m.schedulingTime(requests: 100, newRequests: 100) - m.schedulingTime(requests: 100) == 100
                    * c.schedulerNewRequestOverhead)
            #expect(m.schedulingTime(requests: 200) > m.schedulingTime(requests: 100))
        }

        @Test func fp8OnAnA100IsWeightOnlyAndOnAHopperW8A8() {
            let a100 = HardwareCatalog.gpu(named: "A100")!
            let h100 = F.h100
            #expect(!a100.hasFP8TensorCores && h100.hasFP8TensorCores)
            #expect(GemmPath(format: .fp8, gpu: a100).kind == .weightOnly8Bit)
            #expect(GemmPath(format: .fp8, gpu: a100).peakFlops(on: a100) == a100.denseFlops("bfloat16"))
            #expect(GemmPath(format: .fp8, gpu: h100).kind == .fp8W8A8)
            #expect(GemmPath(format: .fp8, gpu: h100).peakFlops(on: h100) == 2 * h100.denseFlops("bfloat16"))
            #expect(GemmPath(format: .int4, gpu: h100).kind == .weightOnly4Bit)
            func step(_ gpu: GPUSpec, _ w: NumberFormat, tokens: Int) -> Double {
                let m = StepCostModel(
                    footprint: ModelFootprint(
                        model: F.qwen3, tensorParallelSize: 1, weightFormat: w, kvFormat: .bfloat16),
                    gpu: gpu, calibration: Calibration())
                let shape = StepShape(
                    tokens: tokens, scheduledTokens: tokens, requests: 1, decodeRequests: 0,
                    prefillAttentionPairs: Double(tokens) * Double(tokens + 1) / 2, decodeAttentionPairs: 0,
                    kvTokensRead: Double(tokens), touchedExperts: 128 * 48, cudaGraph: false)
                return m.cost(shape).latency
            }
            // A compute-bound prefill: FP8 buys nothing on an A100 (16-bit products) but about 2x on an H100's
            // tensor cores for the linear layers.
            let a100Ratio = step(a100, .fp8, tokens: 8192) / step(a100, .bfloat16, tokens: 8192)
            let h100Ratio = step(h100, .fp8, tokens: 8192) / step(h100, .bfloat16, tokens: 8192)
            #expect(a100Ratio > 0.9 && a100Ratio < 1.1)
            #expect(h100Ratio < 0.8)
        }
    }
}
