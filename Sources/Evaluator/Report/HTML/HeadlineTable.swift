import MoECore

/// The report's headline table (docs/report.md): the run, MoE-CAP's nine metrics, accuracy and the client's
/// figures, each row only where the files hold the value.
enum HeadlineTable {
    /// (label, formatted value) rows in display order.
    static func rows(_ data: ReportData) -> [(String, String)] {
        let m = data.metrics
        let b = m["batch_metrics"]
        let a = m["accuracy_metrics"]
        // The client's figures: one clock's section (`clock` names it), or the older flat layout.
        let client = m["client_metrics"]
        let clock = client?["clock"]?.stringValue
        let c = clock.flatMap { client?[$0] } ?? client
        let on = clock.map { " (\($0 == "simulated" ? "simulated" : "wall clock"))" } ?? ""
        let r = m["run_info"]
        var rows: [(String, String)] = []
        func add(_ label: String, _ value: JSONValue?, scale: Double = 1, unit: String = "") {
            guard let value, !value.isNull else { return }
            if let d = value.doubleValue {
                rows.append((label, SVGFormat.short(d * scale) + unit))
            } else if let s = value.stringValue {
                rows.append((label, s))
            }
        }
        add("model", data.model.map { .string($0) })
        add("dataset", data.dataset.map { .string($0) })
        add("GPU", data.gpuKey.map { .string("\(data.numGPUs) × \($0)") })
        add("precision", .string(data.precision))
        add("batch records (de-duplicated)", .int(data.records.count))
        for metric in CapMetric.allCases {
            let shown = metric.reportLabel
            add(shown.label, b?[metric], scale: shown.scale, unit: shown.suffix)
        }
        add("avg batch size (tokens)", b?["avg_batch_size"])
        add("avg step latency", b?["avg_latency_ms"], unit: " ms")
        add("exact match", a?["exact_match"])
        if let correct = a?["correct"]?.intValue, let total = a?["total"]?.intValue {
            rows.append(("correct / total", "\(correct) / \(total)"))
        }
        add("client TTFT mean" + on, c?["ttft_s"]?["mean"], scale: 1000, unit: " ms")
        add("client TPOT mean" + on, c?["tpot_s"]?["mean"], scale: 1000, unit: " ms")
        add("client E2E mean" + on, c?["e2e_latency_s"]?["mean"], unit: " s")
        add("output tokens/s (client)" + on, c?["output_token_throughput_tps"])
        add("failed requests", client?["failed_requests"] ?? r?["failed_requests"])
        add("end-to-end time", r?["e2e_s"], unit: " s")
        add("cost (USD)", r?["cost"])
        return rows
    }
}
