import MoECore

@testable import SimEngine

/// Namespace of the engine's test suites (`swift test --filter EngineTests` runs them all).
enum EngineTests {}

/// Builders shared by the engine tests.
enum EngineFixture {
    static let h100 = HardwareCatalog.gpu(named: "H100")!
    static let qwen3 = ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")!
    static let mixtral = ModelCatalog.spec(for: "mistralai/Mixtral-8x7B-v0.1")!
    static let deepseek = ModelCatalog.spec(for: "deepseek-ai/DeepSeek-V2-Lite")!
    static let qwen15 = ModelCatalog.spec(for: "Qwen/Qwen1.5-MoE-A2.7B")!

    /// Qwen3-30B-A3B on one H100 with the given knobs.
    static func config(
        maxNumSeqs: Int = 256, maxNumBatchedTokens: Int = 8192, maxModelLen: Int? = nil, blocks: Int? = nil,
        prefixCaching: Bool = true, eager: Bool = false, async: Bool = false, seed: UInt64 = 0
    ) -> EngineConfig {
        var c = EngineConfig(model: qwen3, gpu: h100)
        c.maxNumSeqs = maxNumSeqs
        c.maxNumBatchedTokens = maxNumBatchedTokens
        c.maxModelLen = maxModelLen
        c.numGPUBlocksOverride = blocks
        c.enablePrefixCaching = prefixCaching
        c.enforceEager = eager
        c.asyncScheduling = async
        c.seed = seed
        return c
    }

    static func request(
        _ id: UInt64, prompt: Int, output: Int, maxTokens: Int? = nil, hashes: [UInt64] = [], ignoreEOS: Bool = false,
        minTokens: Int = 0
    ) -> EngineRequest {
        EngineRequest(
            id: id, promptTokens: prompt, maxTokens: maxTokens ?? output, outputTokens: output, minTokens: minTokens,
            ignoreEOS: ignoreEOS, prefixBlockHashes: hashes)
    }

    /// Steps until idle (at most `limit` steps), collecting the outcomes.
    static func drain(_ engine: EngineCore, limit: Int = 100_000) -> [StepOutcome] {
        var out: [StepOutcome] = []
        var now = 0.0
        while engine.hasUnfinishedRequests, out.count < limit, let o = engine.step(now: now) {
            out.append(o)
            now = o.end
        }
        return out
    }
}
