import MoECore
import Testing

@testable import SimEngine

extension EngineTests {
    /// The vLLM v1 scheduling rules: budget, chunking, sequence cap, preemption, prefix hits, padding, limits.
    @Suite struct SchedulerRules {
        typealias F = EngineFixture

        @Test func tokenBudgetIsNeverExceededAndRunningRequestsGoFirst() throws {
            let engine = try EngineCore(config: F.config(maxNumSeqs: 64, maxNumBatchedTokens: 256))
            for i in 0..<8 { try engine.add(F.request(UInt64(i), prompt: 100, output: 20)) }
            let steps = F.drain(engine)
            #expect(steps.allSatisfy { $0.scheduledTokens <= 256 })
            // Step 1 fits two whole prompts and a 56-token chunk of the third.
            #expect(steps[0].scheduledTokens == 256)
            #expect(steps[0].events.map(\.newTokens) == [1, 1, 0])
            // Step 2: the two decodes come first, then the rest of prompt 3 (44 tokens), then new prompts.
            let second = steps[1].events.map(\.id)
            #expect(Array(second.prefix(3)) == [0, 1, 2])
            #expect(steps[1].scheduledTokens == 256)
            let produced = steps.flatMap(\.events).filter { $0.finished != nil }
            #expect(produced.count == 8)
            #expect(produced.allSatisfy { $0.outputTokens == 20 })
        }

        @Test func longPromptsAreChunkedAndProduceNoTokenUntilComplete() throws {
            let engine = try EngineCore(config: F.config(maxNumSeqs: 8, maxNumBatchedTokens: 512))
            try engine.add(F.request(7, prompt: 1300, output: 3))
            let steps = F.drain(engine)
            #expect(steps.map(\.scheduledTokens) == [512, 512, 276, 1, 1])
            #expect(steps.map(\.forwardMode) == [.prefill, .prefill, .prefill, .decode, .decode])
            #expect(steps.map { $0.events[0].newTokens } == [0, 0, 1, 1, 1])
            #expect(steps[2].events[0].isFirstToken)
            #expect(steps[4].events[0].finished == .length)
        }

        @Test func maxNumSeqsCapsTheRunningBatch() throws {
            let engine = try EngineCore(config: F.config(maxNumSeqs: 4, maxNumBatchedTokens: 4096))
            for i in 0..<10 { try engine.add(F.request(UInt64(i), prompt: 10, output: 5)) }
            let steps = F.drain(engine)
            #expect(steps.allSatisfy { $0.numRequests <= 4 })
            #expect(steps[0].numRequests == 4)
            #expect(steps[0].numWaiting == 6)
            #expect(steps.flatMap(\.events).filter { $0.finished != nil }.count == 10)
        }

        @Test func runningOutOfBlocksPreemptsTheNewestRequestWhichLaterRecomputes() throws {
            // 20 usable blocks of 16 tokens = 320 tokens; two requests that grow to 208 tokens each cannot coexist.
            let engine = try EngineCore(config: F.config(maxModelLen: 320, blocks: 21, prefixCaching: false))
            #expect(engine.kvCacheTokens == 320)
            try engine.add(F.request(1, prompt: 96, output: 112))
            try engine.add(F.request(2, prompt: 96, output: 112))
            let steps = F.drain(engine)
            let preempted = steps.flatMap(\.events).filter(\.preempted)
            #expect(!preempted.isEmpty)
            #expect(preempted.allSatisfy { $0.id == 2 })  // the newest request is the victim
            #expect(engine.preemptions == preempted.count)
            // Both finish with all their tokens; the victim recomputed prompt + generated tokens in a prefill step.
            let finished = steps.flatMap(\.events).filter { $0.finished != nil }
            #expect(Set(finished.map(\.id)) == [1, 2])
            #expect(finished.allSatisfy { $0.outputTokens == 112 })
            let firstPreemption = try #require(steps.firstIndex { s in s.events.contains(where: \.preempted) })
            let recompute = steps[(firstPreemption + 1)...].first { s in
                s.events.contains { $0.id == 2 && !$0.preempted } && s.scheduledTokens > 96 + 1
            }
            #expect(recompute != nil)
            #expect(steps.allSatisfy { $0.kvCacheUsage <= 1 })
        }

        @Test func prefixCacheReusesFullBlocksButLeavesTheLastTokenToCompute() throws {
            let hashes = BlockHasher.hashes(tokens: Array(0..<64), blockSize: 16)
            #expect(hashes.count == 4)
            let engine = try EngineCore(config: F.config())
            try engine.add(F.request(1, prompt: 64, output: 2, hashes: hashes))
            _ = F.drain(engine)
            // Same 64-token prompt: 3 blocks (48 tokens) are reused, 16 are recomputed (the last token must run).
            try engine.add(F.request(2, prompt: 64, output: 2, hashes: hashes))
            let again = F.drain(engine)
            #expect(again[0].scheduledTokens == 16)
            #expect(engine.prefixCacheHitTokens == 48)
            // A prompt sharing only the first two blocks reuses 32 tokens.
            let other = BlockHasher.hashes(tokens: Array(0..<32) + Array(1000..<1040), blockSize: 16)
            #expect(other.prefix(2) == hashes.prefix(2) && other[2] != hashes[2])
            try engine.add(F.request(3, prompt: 72, output: 2, hashes: other))
            #expect(F.drain(engine)[0].scheduledTokens == 40)
        }

        @Test func freedBlocksKeepTheirContentUntilTheOldestAreReallocated() throws {
            // 20 usable blocks. Request 1 leaves its 4 prompt blocks cached and free, tail block first in line.
            let engine = try EngineCore(config: F.config(maxModelLen: 320, blocks: 21))
            let hashes = BlockHasher.hashes(tokens: Array(0..<64), blockSize: 16)
            try engine.add(F.request(1, prompt: 64, output: 1, hashes: hashes))
            _ = F.drain(engine)
            // An 18-block request uses the 16 never-used blocks, then evicts request 1's last two blocks.
            try engine.add(F.request(2, prompt: 288, output: 1))
            _ = F.drain(engine)
            #expect(engine.prefixCacheEvictions == 2)
            // The first two blocks survived: a repeat of request 1 reuses 32 tokens and computes 32.
            try engine.add(F.request(3, prompt: 64, output: 1, hashes: hashes))
            #expect(engine.step(now: 0)?.scheduledTokens == 32)
            #expect(engine.prefixCacheHitTokens == 32)
        }

        @Test func requestsScheduledInTheSameStepShareBlocksAndCachingCanBeOff() throws {
            let hashes = BlockHasher.hashes(tokens: Array(0..<160), blockSize: 16)
            let on = try EngineCore(config: F.config())
            for i in 0..<2 { try on.add(F.request(UInt64(i), prompt: 160, output: 1, hashes: hashes)) }
            // vLLM caches blocks as it allocates them: the second request reuses 144 tokens already in this step.
            #expect(on.step(now: 0)?.scheduledTokens == 160 + 16)
            let off = try EngineCore(config: F.config(prefixCaching: false))
            for i in 0..<2 { try off.add(F.request(UInt64(i), prompt: 160, output: 1, hashes: hashes)) }
            #expect(off.step(now: 0)?.scheduledTokens == 320)
            #expect(off.prefixCacheHitTokens == 0)
        }

        @Test func stepsArePaddedToCUDAGraphSizesUnlessEager() throws {
            let plan = CUDAGraphPlan(maxNumSeqs: 256, maxNumBatchedTokens: 8192, enforceEager: false)
            #expect(plan.captureSizes.prefix(5) == [1, 2, 4, 8, 16])
            #expect(plan.largest == 512)
            #expect(
                [1, 2, 3, 5, 9, 17, 511, 512, 513, 4000].map(plan.padded) == [1, 2, 4, 8, 16, 24, 512, 512, 513, 4000])
            #expect(CUDAGraphPlan(maxNumSeqs: 128, maxNumBatchedTokens: 2048, enforceEager: false).largest == 256)
            #expect(CUDAGraphPlan(maxNumSeqs: 256, maxNumBatchedTokens: 8192, enforceEager: true).padded(3) == 3)
            // gpt-oss's own list: multiples of 8 below 256, of 16 from 256 to 992, whatever max_num_seqs.
            let ossSizes = ModelCatalog.spec(for: "openai/gpt-oss-120b")?.cudaGraphCaptureSizes
            let oss = CUDAGraphPlan(
                maxNumSeqs: 64, maxNumBatchedTokens: 8192, enforceEager: false, modelCaptureSizes: ossSizes)
            #expect(oss.largest == 992 && oss.captureSizes.count == 3 + 31 + 47)
            #expect([9, 249, 256, 257, 511, 513, 992, 993].map(oss.padded) == [16, 256, 256, 272, 512, 528, 992, 993])
            #expect(
                CUDAGraphPlan(
                    maxNumSeqs: 1024, maxNumBatchedTokens: 512, enforceEager: false, modelCaptureSizes: ossSizes
                ).largest == 512)
            #expect(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")?.cudaGraphCaptureSizes == nil)

            for eager in [false, true] {
                let engine = try EngineCore(config: F.config(eager: eager))
                for i in 0..<3 { try engine.add(F.request(UInt64(i), prompt: 10, output: 4)) }
                let steps = F.drain(engine)
                #expect(steps[0].scheduledTokens == 30)
                #expect(steps[0].batchSize == (eager ? 30 : 32))  // piecewise graphs pad prefill steps too
                #expect(steps[1].forwardMode == .decode)
                #expect(steps[1].batchSize == (eager ? 3 : 4))
                #expect(steps[1].scheduledTokens == 3)
            }
        }

        @Test func forwardModeIsDecodeOnlyWhenEveryRequestRunsOneToken() throws {
            let engine = try EngineCore(config: F.config(maxNumBatchedTokens: 4096))
            try engine.add(F.request(1, prompt: 20, output: 10))
            _ = engine.step(now: 0)
            #expect(engine.step(now: 1)?.forwardMode == .decode)
            try engine.add(F.request(2, prompt: 20, output: 10))
            let mixed = try #require(engine.step(now: 2))
            #expect(mixed.forwardMode == .prefill)
            #expect(mixed.scheduledTokens == 21)
        }

        @Test func finishReasonsFollowVLLMsStopOrder() throws {
            let engine = try EngineCore(config: F.config())
            try engine.add(F.request(1, prompt: 10, output: 5, maxTokens: 100))  // EOS at 5
            try engine.add(F.request(2, prompt: 10, output: 50, maxTokens: 8))  // length at 8
            try engine.add(F.request(3, prompt: 10, output: 5, maxTokens: 100, minTokens: 9))  // EOS held to 9
            try engine.add(F.request(4, prompt: 10, output: 5, maxTokens: 12, ignoreEOS: true))  // length at 12
            try engine.add(F.request(5, prompt: 10, output: 8, maxTokens: 8))  // both: length wins
            let done = Dictionary(
                uniqueKeysWithValues: F.drain(engine).flatMap(\.events).compactMap { e in
                    e.finished.map { (e.id, ($0, e.outputTokens)) }
                })
            #expect(done[1]?.0 == .stop && done[1]?.1 == 5)
            #expect(done[2]?.0 == .length && done[2]?.1 == 8)
            #expect(done[3]?.0 == .stop && done[3]?.1 == 9)
            #expect(done[4]?.0 == .length && done[4]?.1 == 12)
            #expect(done[5]?.0 == .length && done[5]?.1 == 8)
        }

        @Test func maxModelLenIsEnforcedWithVLLMsErrorAndCapsGeneration() throws {
            let engine = try EngineCore(config: F.config(maxModelLen: 64))
            #expect(throws: EngineError.promptTooLong(length: 65, maxModelLen: 64)) {
                try engine.add(F.request(1, prompt: 65, output: 1))
            }
            #expect(
                EngineError.promptTooLong(length: 65, maxModelLen: 64).description
                    == "The decoder prompt (length 65) is longer than the maximum model length of 64. Make sure that "
                    + "`max_model_len` is no smaller than the number of text tokens.")
            #expect(throws: EngineError.emptyPrompt) { try engine.add(F.request(2, prompt: 0, output: 1)) }
            #expect(throws: EngineError.invalidMaxTokens(0)) {
                try engine.add(F.request(3, prompt: 5, output: 1, maxTokens: 0))
            }
            // Prompt + max_tokens beyond the limit is accepted and stops by length at max_model_len.
            try engine.add(F.request(4, prompt: 60, output: 100, maxTokens: 100))
            try engine.add(F.request(5, prompt: 64, output: 100, maxTokens: 100))
            #expect(throws: EngineError.duplicateID(4)) { try engine.add(F.request(4, prompt: 5, output: 1)) }
            let done = F.drain(engine).flatMap(\.events).filter { $0.finished != nil }
            #expect(done.first { $0.id == 4 }?.outputTokens == 4)
            #expect(done.first { $0.id == 4 }?.finished == .length)
            #expect(done.first { $0.id == 5 }?.outputTokens == 1)
        }

        @Test func abortFreesTheRequestAndItsBlocks() throws {
            let engine = try EngineCore(config: F.config())
            try engine.add(F.request(1, prompt: 500, output: 100))
            try engine.add(F.request(2, prompt: 500, output: 100))
            _ = engine.step(now: 0)
            #expect(engine.kvCacheUsage > 0)
            engine.abort(id: 1)
            engine.abort(id: 2)
            engine.abort(id: 99)
            #expect(!engine.hasUnfinishedRequests)
            #expect(engine.kvCacheUsage == 0)
            #expect(engine.step(now: 1) == nil)
        }

        @Test func asyncSchedulingAdmitsNewRequestsOneStepLater() throws {
            for async in [false, true] {
                let engine = try EngineCore(config: F.config(async: async))
                try engine.add(F.request(1, prompt: 10, output: 50))
                // An idle engine schedules at once, async or not.
                #expect(engine.step(now: 0)?.numRequests == 1)
                try engine.add(F.request(2, prompt: 10, output: 50))
                #expect(engine.step(now: 1)?.numRequests == (async ? 1 : 2))
                #expect(engine.step(now: 2)?.numRequests == 2)
            }
        }

        @Test func kvCacheSizeFollowsMemoryAndOversizedDeploymentsFailClearly() throws {
            let engine = try EngineCore(config: F.config())
            // 0.9 × 79.2 GiB − 56.9 GiB of weights − activations: about 12–13 GiB of KV at 96 KiB per token.
            #expect(engine.kvCacheTokens > 120_000 && engine.kvCacheTokens < 145_000)
            #expect(engine.memory.weights > 61e9 && engine.memory.weights < 61.2e9)
            var big = EngineConfig(model: ModelCatalog.spec(for: "Qwen/Qwen3-235B-A22B")!, gpu: F.h100)
            #expect {
                try EngineCore(config: big)
            } throws: { error in
                let text = String(describing: error)
                return text.contains("the model weights do not fit") && text.contains("GiB")
                    && text.contains("tensor_parallel_size")
            }
            big.tensorParallelSize = 8
            #expect(try EngineCore(config: big).kvCacheTokens > 100_000)
            #expect {
                try EngineCore(config: F.config(maxModelLen: 40960, blocks: 100))
            } throws: { error in
                String(describing: error).hasPrefix(
                    "To serve at least one request with the models's max seq len (40960), (3.75 GiB KV cache is needed")
            }
        }

        @Test func backendConfigIsReadAndValidatedLikeVLLM() throws {
            let json = try JSONValue.parse(
                """
                {"tensor_parallel_size": 2, "max_model_len": 4096, "enforce_eager": true, "enable_prefix_caching": false,
                 "gpu_memory_utilization": 0.85, "max_num_seqs": 128, "max_num_batched_tokens": 2048,
                 "trust_remote_code": true, "torch_dtype": "float16", "kv_cache_dtype": "fp8"}
                """)
            let c = try EngineConfig(backendConfig: json, model: F.mixtral, gpu: F.h100, gpuCount: 4)
            #expect(c.tensorParallelSize == 2)
            #expect(c.resolvedMaxModelLen == 4096)
            #expect(c.enforceEager && !c.enablePrefixCaching)
            #expect(c.weightFormat == .float16 && c.kvFormat == .fp8)
            #expect(
                try EngineConfig(backendConfig: .null, model: F.mixtral, gpu: F.h100, gpuCount: 4).tensorParallelSize
                    == 4)
            func error(_ text: String) -> String {
                do {
                    _ = try EngineConfig(backendConfig: try JSONValue.parse(text), model: F.qwen3, gpu: F.h100)
                    return ""
                } catch { return String(describing: error) }
            }
            #expect(
                error(#"{"max_num_seqs": "many"}"#) == #"backend_config.max_num_seqs must be an integer, got "many""#)
            #expect(
                error(#"{"tensor_parallel_size": 3}"#).hasPrefix(
                    "Total number of attention heads (32) must be divisible"))
            #expect(error(#"{"max_model_len": 50000}"#).hasPrefix("User-specified max_model_len (50000) is greater"))
            #expect(
                error(#"{"max_num_batched_tokens": 100}"#).hasPrefix("max_num_batched_tokens (100) must be greater"))
            #expect(
                error(#"{"gpu_memory_utilization": 1.5}"#).hasPrefix("GPU memory utilization must be within (0, 1]"))
            #expect(error(#"{"enforce_eager": "yes"}"#).hasPrefix("backend_config.enforce_eager must be true or false"))
            #expect(error("[1]") == "backend_config must be a JSON object")
        }
    }
}
