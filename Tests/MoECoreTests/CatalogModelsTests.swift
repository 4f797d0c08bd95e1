import Testing

@testable import MoECore

/// The catalog's larger MoE models (issue 17): their `config.json` facts parse into the fields the cost model reads,
/// and the parameter counts match the totals their publishers state.
@Suite struct CatalogModelsTests {
    struct Published: Sendable, CustomTestStringConvertible {
        let id: String
        /// Published totals, billions.
        let total, active: Double
        /// What the publisher's "active" count includes besides the transformer layers: GLM counts neither the
        /// embedding nor the LM head, DeepSeek and gpt-oss the LM head, Qwen both.
        let counts: Counts
        enum Counts: Sendable { case layersOnly, lmHead, embeddingAndLMHead }
        var testDescription: String { id }
    }

    /// Totals from the model cards: DeepSeek-V3 671B/37B (without its 14B MTP module), gpt-oss-120b 116.8B/5.1B,
    /// gpt-oss-20b 20.9B/3.6B, GLM-4.5-Air 106B/12B, GLM-4.5/4.6 355B/32B, Qwen3 235B/22B and 30.5B/3.3B.
    static let published: [Published] = [
        Published(id: "deepseek-ai/DeepSeek-V3", total: 671, active: 37, counts: .lmHead),
        Published(id: "deepseek-ai/DeepSeek-R1", total: 671, active: 37, counts: .lmHead),
        Published(id: "openai/gpt-oss-120b", total: 116.8, active: 5.1, counts: .lmHead),
        Published(id: "openai/gpt-oss-20b", total: 20.9, active: 3.6, counts: .lmHead),
        Published(id: "zai-org/GLM-4.5-Air", total: 106, active: 12, counts: .layersOnly),
        Published(id: "zai-org/GLM-4.6", total: 355, active: 32, counts: .layersOnly),
        Published(
            id: "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8", total: 235, active: 22, counts: .embeddingAndLMHead),
        Published(id: "Qwen/Qwen3-30B-A3B-FP8", total: 30.5, active: 3.3, counts: .embeddingAndLMHead),
    ]

    @Test(arguments: published)
    func parameterCountsMatchPublishedTotals(row: Published) throws {
        let m = try #require(ModelCatalog.spec(for: row.id))
        for tp in [1, 8] {
            let fp = ModelFootprint(model: m, tensorParallelSize: tp, weightFormat: .bfloat16, kvFormat: .bfloat16)
            let total = fp.totalParameters / 1e9
            let tpd = Double(tp)
            var active = fp.activeNonEmbeddingParameters
            if row.counts != .layersOnly { active += fp.lmHeadParams * tpd }
            if row.counts == .embeddingAndLMHead { active += fp.embeddingParams * tpd }
            active /= 1e9
            #expect(abs(total - row.total) / row.total < 0.02, "total \(total) B at TP\(tp)")
            #expect(abs(active - row.active) / row.active < 0.02, "active \(active) B at TP\(tp)")
        }
    }

    @Test func deepSeekV3Architecture() throws {
        for id in ["deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-R1"] {
            let m = try #require(ModelCatalog.spec(for: id))
            #expect(m.numLayers == 61)
            #expect(m.numExperts == 256)
            #expect(m.numSharedExperts == 1)
            #expect(m.topK == 8)
            #expect(m.firstKDenseReplace == 3)
            #expect(m.numDenseLayers == 3)
            #expect(m.numMoELayers == 58)
            #expect(m.usesMLA)
            #expect(m.kvLoraRank == 512 && m.qLoraRank == 1536 && m.qkRopeHeadDim == 64 && m.qkNopeHeadDim == 128)
            #expect(m.vHeadDim == 128)
            #expect(m.numNextNPredictLayers == 1)
            #expect(m.expertWeightFormat == .fp8Block(rows: 128, columns: 128))
            #expect(m.denseWeightFormat == .fp8Block(rows: 128, columns: 128))
            #expect(m.slidingWindow == nil && m.slidingWindowLayers.isEmpty)
            #expect(ModelFamily(modelName: m.name) == .deepSeek)
        }
    }

    @Test func gptOssArchitecture() throws {
        let big = try #require(ModelCatalog.spec(for: "openai/gpt-oss-120b"))
        #expect(big.numLayers == 36)
        #expect(big.numExperts == 128)
        #expect(big.topK == 4)
        #expect(big.numSharedExperts == 0)
        #expect(big.dFF == 2880)
        #expect(big.headDim == 64)
        #expect(big.numKVHeads == 8)
        #expect(big.vocabSize == 201_088)
        #expect(big.expertWeightFormat == .mxfp4)
        #expect(big.denseWeightFormat == .float(.bfloat16))
        #expect(big.checkpointWeights.method == "mxfp4")
        #expect(big.attentionSinks)
        #expect(big.slidingWindow == 128)
        #expect(big.slidingWindowLayers == Array(stride(from: 0, to: 36, by: 2)))
        #expect(big.numMoELayers == 36)
        let small = try #require(ModelCatalog.spec(for: "openai/gpt-oss-20b"))
        #expect(small.numLayers == 24 && small.numExperts == 32 && small.topK == 4)
        #expect(small.slidingWindowLayers.count == 12)
    }

    @Test func glmArchitecture() throws {
        let air = try #require(ModelCatalog.spec(for: "zai-org/GLM-4.5-Air"))
        #expect(air.numLayers == 46 && air.numExperts == 128 && air.topK == 8 && air.numSharedExperts == 1)
        #expect(air.numDenseLayers == 1 && air.numAttentionHeads == 96 && air.numKVHeads == 8 && air.headDim == 128)
        #expect(air.expertWeightFormat == .float(.bfloat16))
        #expect(ModelCatalog.spec(for: "THUDM/GLM-4.5-Air")?.hiddenSize == 4096)
        let glm46 = try #require(ModelCatalog.spec(for: "zai-org/GLM-4.6"))
        #expect(glm46.numLayers == 92 && glm46.numExperts == 160 && glm46.numDenseLayers == 3)
        #expect(glm46.maxPositionEmbeddings == 202_752)
        let fp8 = try #require(ModelCatalog.spec(for: "zai-org/GLM-4.6-FP8"))
        #expect(fp8.maxPositionEmbeddings == 202_752)
    }

    /// GLM's -FP8 releases are compressed-tensors per-channel FP8 (dynamic per-token activations), not 128×128
    /// blocks: experts and attention alike, one byte per weight, and MoE-CAP reads them as `fp8`.
    @Test(arguments: ["zai-org/GLM-4.5-Air-FP8", "zai-org/GLM-4.5-FP8", "zai-org/GLM-4.6-FP8"])
    func glmFP8ReleasesArePerChannelCompressedTensors(id: String) throws {
        let m = try #require(ModelCatalog.spec(for: id))
        #expect(m.checkpointWeights.method == "compressed-tensors")
        #expect(m.expertWeightFormat == .fp8)
        #expect(m.denseWeightFormat == .fp8)
        #expect(m.expertWeightFormat.bitsPerWeight == 8)
        let config = try JSONValue.parse(try #require(ModelCatalog.configs.first { $0.id == id }).json)
        #expect(Precision.resolve(config: config) == "fp8")
        let group = config["quantization_config"]?["config_groups"]?["group_0"]
        #expect(group?["weights"]?["strategy"]?.stringValue == "channel")
        #expect(group?["input_activations"]?["strategy"]?.stringValue == "token")
        #expect(group?["input_activations"]?["dynamic"] == .bool(true))
        // The shipped tensor-parallel sizes would not shard 128-wide blocks: 1536 / 8 and 1408 / 4.
        let perRank = (m.moeIntermediateSize ?? 0) / (m.numExperts == 160 ? 8 : 4)
        #expect(perRank % 128 != 0)
    }

    @Test func qwenReleases() throws {
        let fp8 = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B-FP8"))
        #expect(fp8.expertWeightFormat == .fp8Block(rows: 128, columns: 128))
        #expect(fp8.maxPositionEmbeddings == 40960)
        let instruct = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"))
        #expect(instruct.maxPositionEmbeddings == 262_144)
        #expect(instruct.numLayers == 94)
        #expect(instruct.denseWeightFormat == .fp8Block(rows: 128, columns: 128))
        let bf16 = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-235B-A22B"))
        #expect(bf16.checkpointWeights.method == nil)
        #expect(bf16.expertWeightFormat == .float(.bfloat16))
    }

    /// Stored bytes follow the checkpoint's quantization: MXFP4 4.25 bits per expert weight, block-wise FP8 one
    /// byte plus a float32 per 128×128 block.
    @Test func checkpointBytesReflectQuantization() throws {
        let oss = try #require(ModelCatalog.spec(for: "openai/gpt-oss-120b"))
        let fp = ModelFootprint(model: oss, tensorParallelSize: 1, weightFormat: .int4, kvFormat: .bfloat16)
        #expect(fp.expertBytesPerParam == 4.25 / 8)
        #expect(fp.denseBytesPerParam == 2)
        // About 61 GiB on disk (60.8 GB of MXFP4 experts plus 3 GB of bf16 attention and embeddings).
        #expect(fp.weightBytesPerRank > 62e9 && fp.weightBytesPerRank < 66e9)
        let ds = try #require(ModelCatalog.spec(for: "deepseek-ai/DeepSeek-R1"))
        let dfp = ModelFootprint(model: ds, tensorParallelSize: 8, weightFormat: .fp8, kvFormat: .bfloat16)
        #expect(dfp.expertBytesPerParam == 1 + 4.0 / (128 * 128))
        // 671B FP8 weights plus bf16 embeddings: about 680-690 GB over 8 ranks.
        let total = dfp.weightBytesPerRank * 8
        #expect(total > 670e9 && total < 700e9)
        // An unquantized checkpoint quantized online keeps the engine's width.
        let q = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B"))
        let online = ModelFootprint(model: q, tensorParallelSize: 1, weightFormat: .fp8, kvFormat: .bfloat16)
        #expect(online.expertBytesPerParam == 1 && online.denseBytesPerParam == 1)
    }

    @Test func weightFormatBits() {
        #expect(WeightFormat.mxfp4.bitsPerWeight == 4.25)
        #expect(WeightFormat.nvfp4.bitsPerWeight == 4.5)
        #expect(WeightFormat.fp8.bitsPerWeight == 8)
        #expect(WeightFormat.float(.bfloat16).bitsPerWeight == 16)
        #expect(WeightFormat.int(bits: 4, groupSize: 128).bitsPerWeight == 4 + 20.0 / 128)
        #expect(WeightFormat.fp8Block(rows: 128, columns: 128).description == "fp8-block")
        #expect(WeightFormat.float(.bfloat16).description == "bf16")
    }

    @Test func quantizationConfigsParse() throws {
        let awq = CheckpointWeights(
            quantizationConfig: try JSONValue.parse(#"{"quant_method": "awq", "bits": 4, "group_size": 128}"#),
            unquantized: .float(.float16))
        #expect(awq.experts == .int(bits: 4, groupSize: 128) && awq.dense == .int(bits: 4, groupSize: 128))
        let ct = CheckpointWeights(
            quantizationConfig: try JSONValue.parse(
                #"{"quant_method": "compressed-tensors", "config_groups": {"group_0": {"weights":"#
                    + #" {"num_bits": 8, "type": "float", "strategy": "channel"}}}, "ignore": ["lm_head"]}"#),
            unquantized: .float(.bfloat16))
        #expect(ct.experts == .fp8 && ct.dense == .fp8)
        let none = CheckpointWeights(quantizationConfig: nil, unquantized: .float(.bfloat16))
        #expect(none.method == nil && !none.experts.isQuantized)
    }

    @Test func everyCatalogModelParsesWithSaneSizes() throws {
        for id in ModelCatalog.ids {
            let m = try #require(ModelCatalog.spec(for: id))
            #expect(m.name == id)
            #expect(m.numExperts > 0, "\(id)")
            #expect(m.topK > 0 && m.topK <= m.numExperts, "\(id)")
            _ = try ModelSizes(model: m)
        }
    }
}
