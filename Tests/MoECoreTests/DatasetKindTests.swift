import MoECore
import Testing

@Suite struct DatasetKindTests {
    @Test func parsesNamesCaseInsensitively() throws {
        #expect(try DatasetKind(parsing: "gsm8k") == .gsm8k)
        #expect(try DatasetKind(parsing: "GSM8K") == .gsm8k)
        #expect(try DatasetKind(parsing: "NuminaMath") == .numinamath)
        #expect(try DatasetKind(parsing: " LongBench_V2 ") == .longbenchV2)
    }

    @Test func unknownNameListsTheValidOnes() {
        #expect(throws: DatasetError.unknownDataset("mmlu")) { try DatasetKind(parsing: "mmlu") }
        #expect(
            DatasetError.unknownDataset("mmlu").description
                == "unknown dataset 'mmlu'; valid names: gsm8k, numinamath, longbench_v2")
    }

    @Test func hubLocationsFollowMoECAPLoaders() {
        #expect(DatasetKind.gsm8k.hubID == "openai/gsm8k")
        #expect(DatasetKind.gsm8k.hubConfig() == "main")
        #expect(DatasetKind.gsm8k.hubConfig(subset: "socratic") == "socratic")
        #expect(DatasetKind.gsm8k.hubSplit() == "test")
        #expect(DatasetKind.numinamath.hubID == "AI-MO/NuminaMath-CoT")
        #expect(DatasetKind.numinamath.hubConfig() == nil)
        #expect(DatasetKind.numinamath.datasetsServerConfig() == "default")
        #expect(DatasetKind.numinamath.hubSplit() == "test")
        #expect(DatasetKind.longbenchV2.hubID == "THUDM/LongBench-v2")
        #expect(DatasetKind.longbenchV2.datasetsServerConfig() == "default")
        #expect(DatasetKind.longbenchV2.hubSplit(requested: "test") == "train")
        #expect(DatasetKind.longbenchV2.hubSplit(requested: "train") == "train")
    }
}
