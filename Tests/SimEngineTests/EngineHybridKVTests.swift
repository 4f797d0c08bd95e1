import MoECore
import Testing

@testable import SimEngine

extension EngineTests {
    /// gpt-oss on vLLM 0.11: MXFP4 experts load padded for Marlin without FP4 tensor cores, and the KV cache has
    /// a full-attention and a sliding-window group sharing one block pool (docs/engine.md §3).
    @Suite struct HybridKVAndMarlinPadding {
        typealias F = EngineFixture
        static let gptOss = ModelCatalog.spec(for: "openai/gpt-oss-120b")!
        static let gib = 1_073_741_824.0

        @Test func gptOssLoadsAsTheMarlinLogsSayOnHopperAndUnpaddedWithFP4TensorCores() throws {
            var config = EngineConfig(model: Self.gptOss, gpu: F.h100)
            // The full 131,072-token context does not fit one H100 beside 65.8 GiB of weights (as in vllm#27508).
            #expect(throws: EngineConfigError.self) { try EngineCore(config: config) }
            config.maxModelLen = 32768
            let h100 = try EngineCore(config: config)
            // "Model loading took 65.9651 GiB" (vllm#23278, Marlin, one H100).
            #expect(h100.memory.weights / Self.gib > 65.6 && h100.memory.weights / Self.gib < 66.1)
            config.gpu = HardwareCatalog.gpu(named: "B200")!
            let b200 = try EngineCore(config: config)
            #expect(b200.memory.weights / Self.gib > 60.5 && b200.memory.weights / Self.gib < 61)
            // Models without MXFP4 experts are untouched.
            let fp = ModelFootprint(model: F.qwen3, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16)
            #expect(fp.loadedWeightBytesPerRank(on: F.h100) == fp.weightBytesPerRank)
        }

        @Test func gpustacksLargeBatchGptOssConfigurationFitsAsItDidOnTheRealServer() throws {
            // GPUStack ran gpt-oss-120b on one H100 at max_num_batched_tokens 16384, 1024 sequences and a
            // 32768-token context: the profiling peak is the sampler phase alone (docs/engine.md §3), which leaves
            // room for vLLM's own check (1.69 GiB of KV for one request of max_model_len).
            var config = EngineConfig(model: Self.gptOss, gpu: F.h100)
            config.maxModelLen = 32768
            config.maxNumBatchedTokens = 16384
            config.maxNumSeqs = 1024
            let engine = try EngineCore(config: config)
            #expect(engine.memory.activations / Self.gib < 2.1)
            #expect(engine.memory.kvCacheBytes / Self.gib > 1.69)
        }

        @Test func slidingWindowBlocksAreFreedOnceOutsideTheWindow() throws {
            var kv = KVCacheManager(numBlocks: 64, blockSize: 16, enablePrefixCaching: false, slidingWindow: 32)
            var r = RequestState(F.request(1, prompt: 100, output: 10))
            #expect(kv.allocateSlots(&r, newTokens: 100, computed: []))
            // 100 tokens: 7 full-attention blocks and, with nothing computed yet, 7 window blocks.
            #expect(r.blocks.count == 7 && r.windowBlocks.count == 7 && kv.pool.usedBlocks == 14)
            r.numComputed = 100
            // Tokens before 100 − 32 + 1 = 69 are out of the window: blocks 0…3 are freed, no new block is needed.
            #expect(kv.allocateSlots(&r, newTokens: 1))
            #expect(r.windowSkipped == 4 && r.windowBlocks.count == 3 && kv.pool.usedBlocks == 10)
            kv.free(&r)
            #expect(kv.pool.usedBlocks == 0 && r.windowSkipped == 0)
        }

        @Test func gptOssKVHoldsTwiceTheBlocksOfHalfTheLayersAndLongDecodesStayCheap() throws {
            var config = EngineConfig(model: Self.gptOss, gpu: F.h100)
            config.maxModelLen = 8192
            let engine = try EngineCore(config: config)
            let fp = engine.footprint
            let blockBytes = 16 * fp.kvBytesPerTokenPerLayer * 18
            #expect(engine.kvCacheBlocks == Int(engine.memory.kvCacheBytes / blockBytes) - 1)
            // vLLM's "GPU KV cache size": blocks per group.
            #expect(engine.kvCacheTokens == engine.kvCacheBlocks / 2 * 16)
            try engine.add(F.request(1, prompt: 4000, output: 200))
            let steps = F.drain(engine)
            let blocks = Double(engine.kvCacheBlocks)
            // The prefill step allocates both groups for the whole chunk (250 + 250 blocks), as vLLM does; from
            // then on a 4200-token request holds at most 263 full-attention blocks and 9 window blocks.
            #expect(abs(steps[0].kvCacheUsage * blocks - 500) < 0.5)
            let decodePeak = steps.dropFirst().map(\.kvCacheUsage).max() ?? 0
            #expect(decodePeak * blocks < 263 + 9 + 0.5)
            #expect(decodePeak * blocks > 263)
        }
    }
}
