import MoECore

/// The report's headline table (docs/report.md): the run, MoE-CAP's nine metrics, accuracy and the client's
/// figures, each row only where the files hold the value.
enum HeadlineTable {
    /// A note for the reader when the serving mode, not the engine, sets the client's latency: in fake-sllm's
    /// `sllm` serving mode ServerlessLLM's router sleeps about a second per dispatch (docs/serving.md), so a
    /// mean TTFT of seconds is the router's queue.
    static func servingNote(_ data: ReportData) -> String? {
        guard data.server?["serving"]?.stringValue == "sllm" else { return nil }
        let client = data.metrics["client_metrics"]
        let c = client?["clock"]?.stringValue.flatMap { client?[$0] } ?? client
        let ttft = c?["ttft_s"]?["mean"]?.doubleValue ?? DistributionSummary(data.requests.compactMap(\.ttft))?.mean
        guard let ttft, ttft >= 1 else { return nil }
        return "The mean TTFT of \(SVGFormat.short(ttft * 1000)) ms is mostly ServerlessLLM's router: in fake-sllm's "
            + "sllm serving mode it dispatches about one request per second, so requests queue before the engine "
            + "sees them. Start fake-sllm with --serving direct to measure the engine alone."
    }

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
        if data.hasBatchRecordsFile {
            add("batch records (de-duplicated)", .int(data.records.count))
        } else {
            rows.append(
                ("batch records", "not in these files" + (data.recordedCount.map { " (the run recorded \($0))" } ?? ""))
            )
        }
        // Each figure says its clock; every time in one unit, milliseconds.
        let steps = " (\(data.recordClock))"
        for metric in CapMetric.allCases {
            let shown = metric.reportLabel
            add(shown.label + steps, b?[metric], scale: shown.scale, unit: shown.suffix)
        }
        add("avg batch size (tokens)", b?["avg_batch_size"])
        add("avg step latency" + steps, b?["avg_latency_ms"], unit: " ms")
        if data.server?["accuracy_oracle"]?.boolValue == false {
            rows.append(
                (
                    "exact match",
                    "not simulated (fake-sllm had no answer oracle: start it with --oracle-file FILE "
                        + "--oracle-dataset NAME)"
                ))
        } else {
            add("exact match", a?["exact_match"])
            if let correct = a?["correct"]?.intValue, let total = a?["total"]?.intValue {
                rows.append(("correct / total", "\(correct) / \(total)"))
            }
        }
        add("client TTFT mean" + on, c?["ttft_s"]?["mean"], scale: 1000, unit: " ms")
        add("client TPOT mean" + on, c?["tpot_s"]?["mean"], scale: 1000, unit: " ms")
        add("client E2E mean" + on, c?["e2e_latency_s"]?["mean"], scale: 1000, unit: " ms")
        add("output tokens/s (client)" + on, c?["output_token_throughput_tps"])
        add("failed requests", client?["failed_requests"] ?? r?["failed_requests"])
        add("run time (wall clock)", r?["e2e_s"], scale: 1000, unit: " ms")
        add("cost (USD, from the wall-clock run time)", r?["cost"])
        return rows
    }
}
