import Foundation
import MoECore
import Testing

@testable import Evaluator

/// `report.html` from result folders of this evaluator and of the Python one (docs/report.md).
@Suite struct HTMLReportTests {
    /// A folder with `files` (name → JSON) written into it.
    func folder(_ files: [String: JSONValue]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)").path
        for (name, value) in files {
            let path = (dir as NSString).appendingPathComponent(name)
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(value.serialized().utf8).write(to: URL(fileURLWithPath: path))
        }
        return dir
    }

    /// Records of a short run: prefills of 200 tokens, then decodes of batch 8 with activation 60.
    func records(gpu: String = "NVIDIA-H100-HBM3-80GB") -> JSONValue {
        var out: [JSONValue] = []
        for i in 0..<30 {
            let prefill = i % 10 == 0
            out.append(
                BatchRecord(
                    batchSize: prefill ? 200 : 8, latency: prefill ? 0.03 : 0.012, seqLensSum: prefill ? 200 : 8,
                    forwardMode: prefill ? "prefill" : "decode", expertActivation: prefill ? 120 : 60,
                    forwardPassID: i + 5, gpuNum: 1, gpuRawType: gpu
                ).json)
        }
        return .array(out)
    }

    @Test func thisEvaluatorsFolderGivesEveryChart() throws {
        let outputs: [JSONValue] = (0..<12).map { i in
            [
                "prompt": "q", "expected": "1", "response": ["usage": ["completion_tokens": .int(20 + i)]],
                "latency_s": .double(0.5 + Double(i) * 0.01), "ttft_s": .double(0.05 + Double(i) * 0.001),
            ]
        }
        let truth: [JSONValue] = (0..<30).map { i in
            ["forward_pass_id": .int(i + 5), "flops": 2e12, "bytes": 2e10, "bandwidth_utilization": 0.5]
        }
        let dir = try folder([
            "config.json": ["model": "Qwen/Qwen3-30B-A3B", "dataset": "gsm8k", "num_gpus": 1],
            "metrics.json": [
                "batch_metrics": ["prefill_smbu": 0.61, "decoding_smbu": 0.55, "decoding_smfu": 0.003],
                "accuracy_metrics": ["exact_match": 0.75, "correct": 9, "total": 12, "no_answer": 0],
                "run_info": ["precision": "bfloat16", "gpu_raw_type": "NVIDIA-H100-HBM3-80GB"],
                "ground_truth_check": [
                    "prefill_mean": ["bandwidth_utilization": 0.66, "flops_utilization": 0.09],
                    "decode_mean": ["bandwidth_utilization": 0.58, "flops_utilization": 0.008],
                ],
            ],
            "batch_data.json": ["status": "success", "records": records()],
            "inference_outputs.json": .array(outputs),
            "ground_truth.json": ["steps": .array(truth)],
            // The stat mode's dump: per pass, per layer, per expert counts (summed over ranks).
            "expert_distribution.json": [
                "status": "success",
                "worker_data": [
                    [
                        "recording_mode": "stat", "rank": 0,
                        "aggregated_expert_counts": [
                            [[1, 0, 2], [0, 0, 5], [3, 3, 3]], [[1, 1, 0], [0, 0, 0], [1, 0, 1]],
                        ],
                    ]
                ],
            ],
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try ReportSources.load(directory: dir)
        #expect(data.requestClock == "wall clock")
        #expect(data.records.count == 30)
        #expect(data.groundTruth.count == 30)
        #expect(data.requests.count == 12)
        #expect(data.requests[0].tpot == (0.5 - 0.05) / 19)
        #expect(data.expertActivationPerLayer == [2, 0.5, 2.5])
        #expect(ReportSources.perLayerActivation(["worker_data": [["avg_activated_per_layer": 7.5]]]) == nil)
        #expect(data.expertsPerLayer == 128)

        let page = try String(contentsOfFile: try HTMLReport.write(directory: dir), encoding: .utf8)
        for id in [
            "roofline", "batch-size", "step-latency", "expert-activation-steps", "dist-ttft", "dist-tpot", "dist-e2e",
            "expert-layers",
        ] {
            #expect(page.contains("<svg id=\"\(id)\""), "no chart \(id)")
        }
        #expect(page.contains("true bandwidth util.") && page.contains("66%"))
        #expect(page.contains("9 / 12"))
        #expect(!page.contains(">nan<") && !page.contains("\"nan") && !page.contains("inf\""))
        #expect(!page.contains("<script"))
        // Every mark has path data.
        #expect(!page.contains("d=\"\""))
    }

    @Test func simulatedClockIsPreferredWhenStated() throws {
        let entry: JSONValue = [
            "latency_s": 0.02, "ttft_s": 0.01, "sim_latency_s": 1.0, "sim_ttft_s": 0.1,
            "response": ["usage": ["completion_tokens": 10]],
        ]
        let dir = try folder([
            "batch_data.json": ["records": records()], "inference_outputs.json": [entry],
            "metrics.json": [
                "client_metrics": [
                    "clock": "simulated", "failed_requests": 0, "simulated": ["ttft_s": ["mean": 0.1]],
                    "wall_clock": ["ttft_s": ["mean": 0.01]],
                ]
            ],
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try ReportSources.load(directory: dir)
        #expect(data.requestClock == "simulated")
        #expect(data.requests == [.init(ttft: 0.1, tpot: 0.1, e2e: 1.0)])
        let rows = HeadlineTable.rows(data)
        #expect(rows.contains { $0.0 == "client TTFT mean (simulated)" && $0.1 == "100 ms" }, "\(rows)")
        #expect(HTMLReport.render(data).contains("TTFT (ms, simulated)"))
    }

    @Test func pythonEvaluatorsFilesOneFolderDown() throws {
        // evaluate_moecap.py (current) writes a flat cap_metrics_sllm_*.json under <org>/<name>/; the first version
        // wrote batch_data_vllm_moecap_<ds>.json with the records.
        let dir = try folder([
            "Qwen/Qwen3-30B-A3B/cap_metrics_sllm_gsm8k_20260101_120000.json": [
                "prefill_smbu": 0.6, "decoding_smbu": 0.5, "exact_match": 0.5, "correct": 1, "total": 2,
                "model_name": "Qwen/Qwen3-30B-A3B", "precision": "float16", "dataset": "gsm8k",
            ],
            "Qwen/Qwen3-30B-A3B/batch_data_vllm_moecap_gsm8k.json": ["status": "success", "records": records()],
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try ReportSources.load(directory: dir)
        #expect(data.model == "Qwen/Qwen3-30B-A3B")
        #expect(data.metrics["batch_metrics"]?["prefill_smbu"] == 0.6)
        #expect(data.metrics["accuracy_metrics"]?["correct"] == 1)
        #expect(data.precision == "float16")
        #expect(data.records.count == 30)
        let page = HTMLReport.render(data)
        #expect(page.contains("<svg id=\"roofline\""))
        #expect(page.contains("No per-request timings in these files."))
        #expect(!page.contains("dist-ttft"))
    }

    @Test func unknownGPUAndEmptyFolderAreExplained() throws {
        let dir = try folder(["batch_data.json": ["records": records(gpu: "Some-GPU")]])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let page = HTMLReport.render(try ReportSources.load(directory: dir))
        #expect(page.contains("Unknown GPU &#39;Some-GPU&#39;"))
        #expect(page.contains("<svg id=\"batch-size\""))

        let empty = try folder(["notes.json": ["x": 1]])
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: ReportSources.Problem.self) { try ReportSources.load(directory: empty) }
        #expect(throws: ReportSources.Problem.self) { try ReportSources.load(directory: empty + "/missing") }
    }

    @Test func rooflineCeilingsAndStepRatesFollowMoECAP() throws {
        let spec = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B"))
        let gpu = try #require(HardwareCatalog.gpu(named: "H100"))
        let recs = try BatchRecord.list(from: records())
        let steps = try StepUtilization.compute(
            records: recs, model: spec, gpu: gpu, usedDtype: "bfloat16", precision: 2, numGPUs: 1)
        let metrics = try ContinuousMetrics.compute(
            records: recs, model: spec, gpu: gpu, usedDtype: "bfloat16", precision: 2, numGPUs: 1)
        // The per-step values average to MoE-CAP's published means.
        let decode = steps.filter { !$0.isPrefill }
        let meanSMBU = decode.map(\.smbu).reduce(0, +) / Double(decode.count)
        #expect(abs(meanSMBU - metrics.decodingSMBU) < 1e-12)
        // Rates are the formula numerators: S-MBU · BW and S-MFU · PF/2.
        let s = try #require(decode.first)
        #expect(abs(s.bytesPerSecond - s.smbu * gpu.memoryBandwidth) / s.bytesPerSecond < 1e-12)
        #expect(abs(s.flopsPerSecond - s.smfu * gpu.moecapPeakFlops("bfloat16") / 2) / s.flopsPerSecond < 1e-12)
    }

    @Test func scalesGiveFiniteTicksAndPixels() {
        let log = ChartScale(kind: .log, covering: [0.3, 4000], from: 0, to: 100)
        #expect(log.lower == 0.1 && log.upper == 10000)
        #expect(log(0.1) == 0 && log(10000) == 100)
        #expect(log.ticks.first == 0.1 && log.ticks.last == 10000)
        let lin = ChartScale(kind: .linear, covering: [3, 3], from: 300, to: 0, includeZero: true)
        #expect(lin.lower == 0 && lin.upper >= 3)
        #expect(lin.ticks.allSatisfy { $0.isFinite })
        #expect(SVGFormat.si(3.35e12) == "3.35T" && SVGFormat.si(0.25) == "250m" && SVGFormat.si(1500) == "1.5k")
        #expect(SVGFormat.px(.nan) == "0")
        #expect(htmlEscape("<a href='x'>&") == "&lt;a href=&#39;x&#39;&gt;&amp;")
    }

    @Test func narrowRangeTicksStayDistinct() {
        // A TPOT histogram over 5.0883–5.0917 ms once read "5.09" five times.
        let scale = ChartScale(kind: .linear, covering: [5.0883, 5.0917], from: 0, to: 100)
        let labels = scale.labelledTicks.map(\.1)
        #expect(labels.count >= 3 && Set(labels).count == labels.count, "\(labels)")
        #expect(labels.allSatisfy { Double($0) != nil })
        let wide = ChartScale(kind: .linear, covering: [0, 5000], from: 0, to: 100).labelledTicks.map(\.1)
        #expect(wide.contains("1k") && Set(wide).count == wide.count)
    }

    @Test func pythonFolderSaysWhatItsFilesHoldAndAccuracyNotSimulated() throws {
        let dir = try folder([
            "Qwen/Qwen3-30B-A3B/cap_metrics_sllm_gsm8k_20260101_120000.json": [
                "prefill_smbu": 0.6, "decoding_smbu": 0.5, "exact_match": 0.0, "correct": 0, "total": 2,
                "model_name": "Qwen/Qwen3-30B-A3B", "precision": "float16", "dataset": "gsm8k", "total_records": 2260,
            ]
        ])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let data = try ReportSources.load(directory: dir)
        #expect(!data.hasBatchRecordsFile && data.recordedCount == 2260)
        #expect(data.coverage.contains { $0.contains("no batch records file") && $0.contains("recorded 2260") })
        let rows = HeadlineTable.rows(data)
        #expect(!rows.contains { $0.0.hasPrefix("batch records") && $0.1 == "0" }, "no 'batch records 0'")
        #expect(rows.contains { $0.0 == "batch records" && $0.1.contains("not in these files") })

        // A fake-sllm run without an oracle: accuracy is "not simulated"; sllm serving explains a long TTFT.
        var sim = data
        sim.server = ["serving": "sllm", "api": "sllm", "accuracy_oracle": false]
        sim.requests = [.init(ttft: 25, tpot: 0.01, e2e: 27)]
        let simRows = HeadlineTable.rows(sim)
        #expect(
            simRows.contains {
                $0.0 == "exact match" && $0.1.hasPrefix("not simulated") && $0.1.contains("--oracle-file")
            })
        #expect(!simRows.contains { $0.0 == "correct / total" })
        #expect(HeadlineTable.servingNote(sim)?.contains("--serving direct") == true)
        #expect(simRows.filter { $0.1.hasSuffix(" s") }.isEmpty, "every time in ms: \(simRows)")
    }
}
