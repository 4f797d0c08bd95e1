import Foundation
import MoECore
import Testing

@testable import SimEngine

/// `Fixtures/validation` of this checkout, found from this source file's location.
private let validationFixtures: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures/validation").path
}()

/// The public validation suite (docs/validation-suite.md): every row parses, names a catalog model and a known
/// GPU, states at least one figure, and carries the split the written rule assigns.
@Suite struct ValidationSuiteTests {
    static func loadSuite() throws -> [ValidationRow] {
        let files = try FileManager.default.contentsOfDirectory(atPath: validationFixtures)
            .filter { $0.hasSuffix(".jsonl") }.sorted()
        #expect(!files.isEmpty)
        var rows: [ValidationRow] = []
        for file in files {
            let data = try #require(FileManager.default.contents(atPath: validationFixtures + "/" + file))
            rows += try ValidationRow.parseLines(String(decoding: data, as: UTF8.self), file: file)
        }
        return rows
    }

    @Test func everyRowParsesAndNamesKnownModelAndGPU() throws {
        let rows = try Self.loadSuite()
        #expect(Set(rows.map(\.id)).count == rows.count, "ids are unique")
        for row in rows {
            let model = ModelCatalog.spec(for: row.model)
            #expect(model != nil, "\(row.id): \(row.model) is not in the catalog")
            #expect(HardwareCatalog.gpu(named: row.gpu) != nil, "\(row.id): unknown GPU \(row.gpu)")
            #expect(!row.figures.isEmpty, "\(row.id): no measured figure")
            #expect(row.gpus == row.tp * row.dp, "\(row.id): gpus \(row.gpus) ≠ tp × dp")
            #expect(row.engine == "vllm")
            if let model {
                #expect(model.numAttentionHeads % row.tp == 0, "\(row.id): TP \(row.tp) does not divide the heads")
            }
            switch row.mode {
            case .offline: #expect(row.workload.batchSize != nil, "\(row.id): offline rows state a batch size")
            case .served: #expect(row.workload.numPrompts != nil, "\(row.id): served rows state a request count")
            }
            #expect(!row.source.url.isEmpty && !row.source.quote.isEmpty)
        }
    }

    @Test func splitsFollowTheWrittenRule() throws {
        let rows = try Self.loadSuite()
        let rule = ValidationRow.assignedSplits(rows)
        for row in rows {
            #expect(
                rule[row.id] == row.split,
                "\(row.id): split \(row.split) but the rule says \(String(describing: rule[row.id]))")
        }
        // Every source and every GPU type keeps at least a third of its rows out of the fit.
        for key in [\ValidationRow.source.id, \ValidationRow.gpu] {
            for (name, group) in Dictionary(grouping: rows, by: { $0[keyPath: key] }) {
                let held = group.filter { $0.split == .holdout }.count
                #expect(held * 3 >= group.count, "\(name): \(held) of \(group.count) held out")
            }
        }
    }

    @Test func suiteCoversWhatIssue17Asks() throws {
        let rows = try Self.loadSuite()
        #expect(rows.count >= 60)
        #expect(Set(rows.map(\.source.repo)).count >= 4)
        let gpus = Set(rows.compactMap { HardwareCatalog.gpu(named: $0.gpu).map { HardwareCatalog.shortName($0.key) } })
        #expect(gpus.isSuperset(of: ["A100", "H100", "H200"]))
        #expect(Set(rows.map(\.model)).count >= 4)
        #expect(Set(rows.map(\.tp)).isSuperset(of: [1, 2, 4, 8]))
        #expect(rows.contains { $0.quantization == "bf16" } && rows.contains { $0.quantization.hasPrefix("fp8") })
    }

    @Test func badRowsAreRefusedWithTheirPlace() {
        let good =
            #"{"id": "x", "source": {"id": "s", "kind": "web", "url": "u", "quote": "q"}, "engine": "vllm", "engine_version": "0.11.0", "gpu": "H100", "gpus": 1, "tp": 1, "ep": false, "dp": 1, "model": "Qwen/Qwen3-30B-A3B", "quantization": "bf16", "kv_cache_dtype": "auto", "scheduler": {}, "benchmark": "vllm bench serve", "mode": "served", "workload": {"dataset": "random", "num_prompts": 10}, "measured": {"tpot_mean_ms": 10}, "split": "fit"}"#
        #expect((try? ValidationRow.parseLines(good, file: "f.jsonl"))?.first?.measured["tpot_mean_ms"] == 10)
        let typo = good.replacingOccurrences(of: "tpot_mean_ms", with: "tpot_mean")
        #expect(throws: ValidationRowError.self) { try ValidationRow.parseLines(typo, file: "f.jsonl") }
        do {
            _ = try ValidationRow.parseLines(
                "\n" + good.replacingOccurrences(of: #""tp": 1"#, with: #""tp": "one""#), file: "f.jsonl")
            Issue.record("no error")
        } catch {
            #expect(error.description.contains("f.jsonl:2") && error.description.contains("row.tp"))
        }
    }
    @Test func excludedRowsSayWhyAndStillTakePartInTheSplitRule() throws {
        let rows = try Self.loadSuite()
        let excluded = rows.filter { $0.excluded != nil }
        // The DeepSeek-R1 run of vllm-project/vllm#12568 (vLLM 0.7.0's alpha V1 engine, overloaded).
        #expect(excluded.map(\.id) == ["vllm12568-deepseek-r1-h200-tp8-random1024x128-rr4-v1"])
        #expect(excluded.allSatisfy { ($0.excluded ?? "").count > 40 })
        #expect(ValidationRow.assignedSplits(rows)[excluded[0].id] == excluded[0].split)
    }

    @Test func glm45AirRandomRowsCarryThePagesSummaryFigures() throws {
        let rows = try Self.loadSuite()
        let random = rows.filter { $0.id.hasPrefix("gpustack-glm-4.5-air-h100-tp4-random") }
        #expect(random.count == 4)
        for row in random {
            // Total throughput and mean TPOT only: the summary table states no TTFT.
            #expect(Set(row.figures.keys) == ["total_throughput_tok_s", "tpot_mean_ms"], "\(row.id)")
            #expect(row.source.quote.contains("summary") || row.source.quote.contains("table"))
        }
    }

    @Test func rowsThatStateTheirFusedMoEConfigSetIt() throws {
        let rows = try Self.loadSuite()
        func source(_ id: String) -> FusedMoEKernelConfig.Source?? {
            rows.first { $0.id == id }.map(\.fusedMoEConfigSource)
        }
        // vLLM PR #4002 ran Mixtral-8x22B with and without its new A100 file.
        #expect(source("vllm4002-mixtral-8x22b-a100-tp4-nocfg-bs8") == .some(.default))
        #expect(source("vllm4002-mixtral-8x22b-a100-tp4-tunedcfg-bs8") == .some(.tuned))
        // Rows that say neither leave it to the lookup.
        #expect(source("vllm23151-qwen3-30b-h100-tp1-random2048x1024-c10") == .some(nil))
        #expect(source("gpustack-glm-4.5-air-h100-tp4-sharegpt") == .some(nil))
    }

    @Test func rowsOfVLLMAfter0110HaveTritonKernels() throws {
        let rows = try Self.loadSuite()
        func ships(_ id: String) -> Bool? { rows.first { $0.id == id }?.shipsTritonKernels }
        // GPUStack's gpt-oss page ran vLLM 0.10.2 (Marlin); vllm#40838 ran 0.16 and 0.17.
        #expect(ships("gpustack-gpt-oss-120b-h100-tp1-sharegpt") == false)
        #expect(ships("vllm40838-gpt-oss-120b-h200-tp4-v0.17.0-c300") == true)
        // Unknown versions go by the run's date (vllm PR #27370 of 2025-10-22): llm-d's nightly of 2026-07-29.
        #expect(ships("llmd-p2p-gpt-oss-120b-h200-tp1-recompute-2048") == true)
        // Undated rows of unknown version stay on vLLM 0.11.0's default.
        let undated = rows.filter { $0.engineVersion == "unknown" && $0.engineDate == nil }
        #expect(undated.allSatisfy { !$0.shipsTritonKernels })
        #expect(rows.filter { $0.engineVersion == "0.11.0" }.allSatisfy { !$0.shipsTritonKernels })
    }
}
