import Testing

@testable import MoECore

/// docs/moecap-metrics.md §9: HF config values of the five reference models.
@Suite struct ModelSpecTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let id: String
        let layers, dModel, heads, kvHeads, headDim, dFF, experts, topK: Int
        var testDescription: String { id }
    }

    static let rows: [Row] = [
        Row(
            id: "Qwen/Qwen3-30B-A3B", layers: 48, dModel: 2048, heads: 32, kvHeads: 4, headDim: 128, dFF: 768,
            experts: 128, topK: 8),
        Row(
            id: "Qwen/Qwen3-235B-A22B", layers: 94, dModel: 4096, heads: 64, kvHeads: 4, headDim: 128, dFF: 1536,
            experts: 128, topK: 8),
        Row(
            id: "Qwen/Qwen1.5-MoE-A2.7B-Chat", layers: 24, dModel: 2048, heads: 16, kvHeads: 16, headDim: 128,
            dFF: 1408, experts: 60, topK: 4),
        Row(
            id: "mistralai/Mixtral-8x7B-Instruct-v0.1", layers: 32, dModel: 4096, heads: 32, kvHeads: 8,
            headDim: 128, dFF: 14336, experts: 8, topK: 2),
        Row(
            id: "deepseek-ai/DeepSeek-V2-Lite-Chat", layers: 27, dModel: 2048, heads: 16, kvHeads: 16, headDim: 128,
            dFF: 1408, experts: 64, topK: 6),
    ]

    @Test(arguments: rows)
    func configValues(row: Row) throws {
        let m = try #require(ModelCatalog.spec(for: row.id))
        #expect(m.name == row.id)
        #expect(m.numLayers == row.layers)
        #expect(m.hiddenSize == row.dModel)
        #expect(m.numAttentionHeads == row.heads)
        #expect(m.numKVHeads == row.kvHeads)
        #expect(m.headDim == row.headDim)
        #expect(m.dFF == row.dFF)
        #expect(m.numExperts == row.experts)
        #expect(m.topK == row.topK)
    }

    @Test func familySpecificKeys() throws {
        let q3 = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B"))
        #expect(q3.intermediateSize == 6144)
        #expect(q3.mlpOnlyLayers == [])
        #expect(q3.decoderSparseStep == 1)
        #expect(q3.vocabSize == 151936)
        #expect(q3.numMoELayers == 48)
        let q15 = try #require(ModelCatalog.spec(for: "Qwen/Qwen1.5-MoE-A2.7B-Chat"))
        #expect(q15.sharedExpertIntermediateSize == 5632)
        #expect(q15.intermediateSize == 5632)
        #expect(q15.numSharedExperts == 1)
        let mix = try #require(ModelCatalog.spec(for: "mistralai/Mixtral-8x7B-Instruct-v0.1"))
        #expect(mix.moeIntermediateSize == nil)
        #expect(mix.vocabSize == 32000)
        let ds = try #require(ModelCatalog.spec(for: "deepseek-ai/DeepSeek-V2-Lite-Chat"))
        #expect(ds.numSharedExperts == 2)
        #expect(ds.firstKDenseReplace == 1)
        #expect(ds.intermediateSize == 10944)
        #expect(ds.kvLoraRank == 512)
        #expect(ds.qLoraRank == nil)
        #expect(ds.qkNopeHeadDim == 128)
        #expect(ds.qkRopeHeadDim == 64)
        #expect(ds.vHeadDim == 128)
        #expect(ds.vocabSize == 102400)
        #expect(ds.usesMLA)
        #expect(ds.numMoELayers == 26)
    }

    @Test func catalogLookupIsExactThenCaseInsensitive() {
        #expect(ModelCatalog.spec(for: "qwen/qwen3-30b-a3b")?.name == "Qwen/Qwen3-30B-A3B")
        #expect(ModelCatalog.spec(for: "Qwen3-30B-A3B")?.name == "Qwen/Qwen3-30B-A3B")
        #expect(ModelCatalog.spec(for: "no/such-model") == nil)
        for id in ModelCatalog.ids { #expect(ModelCatalog.spec(for: id) != nil) }
    }

    @Test func deepGetPrefersThinkerTextConfigThenTopLevelThenNested() throws {
        let config = try JSONValue.parse(
            #"""
            {"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "intermediate_size": 128,
             "nested": {"num_key_value_heads": 2},
             "thinker_config": {"text_config": {"num_hidden_layers": 7}}}
            """#)
        let m = try ModelSpec(hfConfig: config, name: "x/y")
        #expect(m.numLayers == 7)
        #expect(m.numKVHeads == 2)
        #expect(m.headDim == 16)
    }

    @Test func missingRequiredKeyNamesIt() {
        do {
            _ = try ModelSpec(hfConfig: ["hidden_size": 8], name: "x/y")
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("num_hidden_layers"))
        }
    }
}
