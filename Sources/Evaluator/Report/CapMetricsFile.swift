import Foundation
import MoECore

/// The ServerlessLLM script's (branch head) flat metrics file, `<output-dir>/<org>/<name>/cap_metrics_sllm_<dataset>_
/// <YYYYmmdd_HHMMSS>.json`, written with indent 4 (docs/evaluator.md "Output files"): MoE-CAP's nine fields
/// (when they could be computed; no `gpu_raw_type`), the accuracy fields, `cost` when MoE-CAP prices the GPU,
/// then `model_name`, `method`, `precision` (the script's `float<bits>` label), `e2e_s`, `batch_size: null`,
/// `gpu_type`, `dataset`, `model_type`, the request counts and, when the expert dump has local records, the
/// script's `expert_*` fields.
enum CapMetricsFile {
    /// The file's content, from the sections of `metrics.json`.
    static func json(metrics: JSONValue, expertDump: JSONValue?) -> JSONValue {
        var out = JSONObject()
        let batch = metrics["batch_metrics"]
        for metric in CapMetric.allCases {
            guard let value = batch?[metric] else { continue }
            out[metric.key] = value
        }
        for (k, v) in metrics["accuracy_metrics"]?.objectValue?.pairs ?? [] { out[k] = v }
        let info = metrics["run_info"]
        if let cost = info?["cost"] { out["cost"] = cost }
        out["model_name"] = info?["model_name"] ?? .null
        out["method"] = "sllm"
        out["precision"] = .string(precisionLabel(info?["precision"]?.stringValue))
        out["e2e_s"] = info?["e2e_s"] ?? .null
        out["batch_size"] = .null
        for key in ["gpu_type", "dataset", "model_type", "total_requests", "successful_requests", "failed_requests"] {
            out[key] = info?[key] ?? .null
        }
        for (k, v) in ExpertDistributionSummary.scriptFields(
            localRecords: expertDump?["local_records"]?.arrayValue ?? [])
        {
            out[k] = v
        }
        return .object(out)
    }

    /// The script's `used_dtype = f"float{int(precision_bytes * 8)}"`: `float16` for 2 bytes (bfloat16 included),
    /// `float8` for 1, `float4` for half a byte.
    static func precisionLabel(_ precision: String?) -> String {
        "float\(Int(Precision.bytesPerParam(precision ?? "bfloat16") * 8))"
    }

    /// `<org>/<name>` as the script's `get_model_simple_name`: the last two components of the normalised path,
    /// or the name itself.
    static func modelDirectory(_ model: String) -> String {
        let parts = (model as NSString).standardizingPath.split(separator: "/", omittingEmptySubsequences: true)
        return parts.count >= 2 ? "\(parts[parts.count - 2])/\(parts[parts.count - 1])" : model
    }

    /// `cap_metrics_sllm_<dataset>_<YYYYmmdd_HHMMSS>.json` in local time.
    static func fileName(dataset: String, date: Date = Date()) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd_HHmmss"
        return "cap_metrics_sllm_\(dataset)_\(f.string(from: date)).json"
    }
}
