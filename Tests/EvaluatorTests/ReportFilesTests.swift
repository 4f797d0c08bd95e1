import Foundation
import MoECore
import Testing

@testable import Evaluator

/// The branch head's files and the expert summary, from values.
@Suite struct ReportFilesTests {
    @Test func expertSummaryAveragesWorkersInAnyMode() {
        let dump: JSONValue = [
            "status": "success", "instance_id": "i",
            "worker_data": [
                ["rank": 0, "num_layers": 2, "avg_activated_per_layer": [2.0, 4.0], "avg_expert_utilization": 0.5],
                ["rank": 1, "num_layers": 2, "avg_activated_per_layer": [4.0, 6.0], "avg_expert_utilization": 0.7],
            ],
            "local_records": [
                ["expert_activation": 8.0, "expert_utilization": 0.25], ["expert_activation": 10.0],
            ],
        ]
        let s = ExpertDistributionSummary.json(dump: dump, mode: .perPass)
        #expect(s["workers"] == 2)
        #expect(s["activated_experts_per_layer"] == [2.0, 4.0] && s["activated_experts_mean"] == 3.0)
        let means = s["per_worker_mean"]
        #expect(means?.objectValue?.keys == ["num_layers", "avg_activated_per_layer_mean", "avg_expert_utilization"])
        #expect(means?["avg_activated_per_layer_mean"] == 4.0)
        #expect(abs((means?["avg_expert_utilization"]?.doubleValue ?? 0) - 0.6) < 1e-12)
        #expect(s["expert_total_records"] == 2 && s["expert_avg_activation"] == 9.0)
        #expect(s["expert_avg_utilization"] == 0.125)
        // Another mode's keys are summarised the same way; a failed dump says why.
        let stat = ExpertDistributionSummary.json(
            dump: ["status": "success", "worker_data": [["rank": 0, "logical_count": [[1, 2]], "total": 3]]],
            mode: .stat)
        #expect(stat["per_worker_mean"]?.objectValue?.keys == ["total"] && stat["recording_mode"] == "stat")
        let failed = ExpertDistributionSummary.json(dump: ["status": "error", "message": "boom"], mode: .perToken)
        #expect(failed["error"] == "boom")
    }

    @Test func capMetricsNamesAndLabels() {
        #expect(CapMetricsFile.precisionLabel("bfloat16") == "float16")
        #expect(CapMetricsFile.precisionLabel("fp8") == "float8")
        #expect(CapMetricsFile.precisionLabel("awq") == "float4")
        #expect(CapMetricsFile.precisionLabel("float32") == "float32")
        #expect(CapMetricsFile.modelDirectory("Qwen/Qwen3-30B-A3B") == "Qwen/Qwen3-30B-A3B")
        #expect(CapMetricsFile.modelDirectory("/models/org/name/") == "org/name")
        #expect(CapMetricsFile.modelDirectory("plain") == "plain")
        let date = Date(timeIntervalSince1970: 0)
        let name = CapMetricsFile.fileName(dataset: "gsm8k", date: date)
        #expect(name.hasPrefix("cap_metrics_sllm_gsm8k_19") && name.hasSuffix(".json") && name.count == 43)
    }

    @Test func capMetricsKeepsTheScriptsOrderAndOmitsWhatItOmits() {
        let metrics: JSONValue = [
            "batch_metrics": ["total_batches": 3, "prefill_smbu": 0.5, "ttft": 0.1, "total_records": 3],
            "accuracy_metrics": ["exact_match": 0.5, "correct": 1, "total": 2, "no_answer": 0],
            "run_info": [
                "model_name": "m", "method": "sllm", "precision": "bfloat16", "e2e_s": 1.5, "gpu_raw_type": "X",
                "gpu_type": "2xA100", "dataset": "gsm8k", "model_type": "thinking", "total_requests": 2,
                "successful_requests": 2, "failed_requests": 0, "cost": 0.01,
            ],
        ]
        let cap = CapMetricsFile.json(metrics: metrics, expertDump: nil)
        #expect(
            cap.objectValue?.keys == [
                "prefill_smbu", "ttft", "exact_match", "correct", "total", "no_answer", "cost", "model_name", "method",
                "precision", "e2e_s", "batch_size", "gpu_type", "dataset", "model_type", "total_requests",
                "successful_requests", "failed_requests",
            ])
        #expect(cap["batch_size"] == .null && cap["gpu_raw_type"] == nil && cap["precision"] == "float16")
    }

    @Test func detailedResultsCutAsPythonSlices() {
        let long = String(repeating: "é", count: 250)
        let texts = [String(repeating: "x", count: 600) + " #### 42", ""]
        let lines = DetailedResults.lines(
            prompts: [long, "short"], targets: ["42", "7"], texts: texts,
            extracted: texts.map { $0.isEmpty ? "" : AnswerExtractor.extract($0, dataset: "gsm8k") })
        #expect(lines[0]["prompt"]?.stringValue == String(repeating: "é", count: 200) + "...")
        #expect(lines[0]["generated"]?.stringValue?.count == 500)
        #expect(lines[0]["is_correct"] == true && lines[0]["success"] == true && lines[0]["error"] == "")
        #expect(
            lines[1]["success"] == false && lines[1]["error"] == "No response" && lines[1]["extracted_answer"] == "")
    }
}
