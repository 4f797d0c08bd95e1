import Foundation
import Testing

@testable import MoECore

/// docs/moecap-metrics.md §9, second table: the sizes MoE-CAP's own functions derive (params/elements).
@Suite struct ModelSizesTests {
    struct Row: Sendable, CustomTestStringConvertible {
        let id: String
        let family: ModelFamily
        let kvTok: Int
        let attn, expert, shared, denseFFN: Int
        let moeLayers, denseLayers: Int
        var testDescription: String { id }
    }

    static let rows: [Row] = [
        Row(
            id: "Qwen/Qwen3-30B-A3B", family: .qwen3, kvTok: 49152, attn: 18_874_368, expert: 4_718_592, shared: 0,
            denseFFN: 37_748_736, moeLayers: 48, denseLayers: 0),
        Row(
            id: "Qwen/Qwen3-235B-A22B", family: .qwen3, kvTok: 96256, attn: 71_303_168, expert: 18_874_368,
            shared: 0, denseFFN: 150_994_944, moeLayers: 94, denseLayers: 0),
        Row(
            id: "Qwen/Qwen1.5-MoE-A2.7B-Chat", family: .qwen, kvTok: 98304, attn: 16_777_216, expert: 8_650_752,
            shared: 34_603_008, denseFFN: 0, moeLayers: 0, denseLayers: 24),
        Row(
            id: "mistralai/Mixtral-8x7B-Instruct-v0.1", family: .default, kvTok: 65536, attn: 41_943_040,
            expert: 176_160_768, shared: 0, denseFFN: 0, moeLayers: 0, denseLayers: 32),
        Row(
            id: "deepseek-ai/DeepSeek-V2-Lite-Chat", family: .deepSeek, kvTok: 15552, attn: 13_762_560,
            expert: 8_650_752, shared: 17_301_504, denseFFN: 67_239_936, moeLayers: 26, denseLayers: 1),
    ]

    /// `x` (T-units) equals `params` × 1e-12 to double precision.
    static func sameT(_ x: Double, _ params: Int) -> Bool {
        abs(x * 1e12 - Double(params)) <= 1e-6 * max(1, Double(params))
    }

    @Test(arguments: rows)
    func derivedSizes(row: Row) throws {
        let m = try #require(ModelCatalog.spec(for: row.id))
        let s = try ModelSizes(model: m)
        #expect(s.family == row.family)
        #expect(s.kvPerToken == row.kvTok)
        #expect(Self.sameT(s.attentionSize, row.attn))
        #expect(Self.sameT(s.expert.expertSize, row.expert))
        #expect(Self.sameT(s.expert.sharedExpertsSizeTotal, row.shared))
        switch row.family {
        case .qwen3:
            #expect(Self.sameT(s.expert.denseFFNSize, row.denseFFN))
            #expect(s.expert.numMoELayers == row.moeLayers)
            #expect(s.expert.numDenseLayers == row.denseLayers)
        case .deepSeek:
            #expect(Self.sameT(s.expert.deepseekDenseFFNSize, row.denseFFN))
            #expect(s.expert.deepseekSparseLayerNum == row.moeLayers)
            #expect(s.expert.deepseekNumDenseLayer == row.denseLayers)
        case .qwen, .default:
            // MoE-CAP's `.get` defaults: no Qwen3 split, all layers "dense" with a zero-size dense FFN.
            #expect(s.expert.numMoELayers == 0)
            #expect(s.expert.numDenseLayers == m.numLayers)
            #expect(s.expert.denseFFNSize == 0)
        }
    }

    @Test(arguments: [
        ("Qwen/Qwen1.5-MoE-A2.7B", ModelFamily.qwen), ("Qwen/Qwen2-57B-A14B", .qwen), ("Qwen/Qwen3-30B-A3B", .qwen3),
        ("Qwen/Qwen3-Next-80B", .qwen3), ("deepseek-ai/DeepSeek-V3", .deepSeek), ("deepseek-ai/deepseek-v3", .default),
        ("qwen/qwen3-30b-a3b", .default), ("mistralai/Mixtral-8x7B-v0.1", .default), ("openai/gpt-oss-120b", .default),
    ])
    func familyDispatchIsCaseSensitiveSubstring(name: String, family: ModelFamily) {
        #expect(ModelFamily(modelName: name) == family)
    }

    @Test func attentionScoreMatchesHandFormulas() throws {
        let q3 = try ModelSizes(model: #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")))
        // other: (ctx * L*H*d_head) * 2 / 1e12, with L*H*d_head = 48*32*128 = 196608.
        #expect(q3.attentionScore(prefillLength: 144_000) == Double(144_000 * 196_608) * 2 / 1e12)
        // output_len > 1 adds (out-1)*s/2 before the ×2.
        let withOutputs: Double = (Double(10 * 196_608) + 4.0 * 196_608 / 2) * 2 / 1e12
        #expect(q3.attentionScore(prefillLength: 10, outputLength: 5) == withOutputs)
        let ds = try ModelSizes(model: #require(ModelCatalog.spec(for: "deepseek-ai/DeepSeek-V2-Lite-Chat")))
        // DeepSeek: k = 27*16*192 = 82944, v = 27*16*128 = 55296; score = ctx*(k+v)/1e12 for out = 1.
        #expect(ds.attentionScore(prefillLength: 4000) == (Double(4000 * 82944) + Double(4000 * 55296)) / 1e12)
    }

    @Test func kvTermsUseElementsNotBytes() throws {
        let q3 = try ModelSizes(model: #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B")))
        #expect(q3.kvSizeT(contextTokens: 144_000) == 144_000 * 49152 / 1e12)
        // true_kv_size = (ctx+1)*kv_tok/1e6: millions of elements.
        #expect(abs(q3.trueKVSize(contextTokens: 4000) - 4001 * 49152 / 1e6) < 1e-9)
    }

    @Test func qwenWithoutSharedExpertKeyFallsBackToDefaultSizes() throws {
        let config = try JSONValue.parse(
            #"{"num_hidden_layers": 4, "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2,"#
                + #" "moe_intermediate_size": 32, "intermediate_size": 256}"#)
        let s = try ModelSizes(model: ModelSpec(hfConfig: config, name: "Qwen/Qwen2-Tiny"))
        // d_ff = moe_intermediate_size (first of the _deep_get keys), shared = 0.
        #expect(s.expert.expertSize == Double(32 * 3 * 64) / 1e12)
        #expect(s.expert.sharedExpertsSizeTotal == 0)
    }

    @Test func qwen3LayerSplitFollowsMlpOnlyLayersAndSparseStep() throws {
        let config = try JSONValue.parse(
            #"{"num_hidden_layers": 8, "hidden_size": 64, "num_attention_heads": 4, "num_key_value_heads": 2,"#
                + #" "moe_intermediate_size": 32, "intermediate_size": 256, "mlp_only_layers": [3],"#
                + #" "decoder_sparse_step": 2}"#)
        let s = try ModelSizes(model: ModelSpec(hfConfig: config, name: "Qwen/Qwen3-Tiny"))
        // MoE layers: (i+1) % 2 == 0 → 1, 3, 5, 7; minus mlp_only 3 → 3 layers.
        #expect(s.expert.numMoELayers == 3)
        #expect(s.expert.numDenseLayers == 5)
    }

    @Test func qwen3WithoutIntermediateSizeThrows() throws {
        let config = try JSONValue.parse(
            #"{"num_hidden_layers": 2, "hidden_size": 64, "num_attention_heads": 4, "moe_intermediate_size": 32}"#)
        #expect(throws: ModelConfigError.self) {
            try ModelSizes(model: ModelSpec(hfConfig: config, name: "Qwen/Qwen3-Tiny"))
        }
    }

    @Test func deepSeekWithQLoraRankUsesLowRankQuery() throws {
        var text = ModelCatalogTestConfigs.deepSeekV2Lite
        text = text.replacingOccurrences(of: #""q_lora_rank": null"#, with: #""q_lora_rank": 1536"#)
        let s = try ModelSizes(model: ModelSpec(hfConfig: JSONValue.parse(text), name: "deepseek-ai/DeepSeek-V2"))
        let d = 2048, H = 16, qhd = 192
        let base = d * (512 + 64) + 512 * H * (qhd - 64 + 128) + 128 * H * d
        let q = d * 1536 + 1536 * H * qhd
        #expect(s.attentionSize == Double(base + q) / 1e12)
    }
}

/// A DeepSeek-V2-Lite config text for variations.
enum ModelCatalogTestConfigs {
    static let deepSeekV2Lite = """
        {"hidden_size": 2048, "intermediate_size": 10944, "moe_intermediate_size": 1408, "num_hidden_layers": 27,
         "num_attention_heads": 16, "num_key_value_heads": 16, "n_routed_experts": 64, "n_shared_experts": 2,
         "num_experts_per_tok": 6, "first_k_dense_replace": 1, "kv_lora_rank": 512, "q_lora_rank": null,
         "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "vocab_size": 102400}
        """
}
