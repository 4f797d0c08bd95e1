import Foundation
import MoECore

/// A short text table of the headline metrics, for the terminal. Client figures are in the server's simulated
/// seconds when it states them (fake-sllm), labelled so; else on the wall clock.
package enum SummaryTable {
    package static func render(_ metrics: JSONValue) -> String {
        var rows: [(String, String)] = []
        func add(_ label: String, _ value: JSONValue?, _ format: String = "%.4g") {
            guard let value, !value.isNull else { return }
            if let d = value.doubleValue {
                rows.append((label, String(format: format, d)))
            } else {
                rows.append((label, value.stringValue ?? value.serialized()))
            }
        }
        let b = metrics["batch_metrics"]
        let a = metrics["accuracy_metrics"]
        let c = metrics["client_metrics"]
        add("batches (records)", b?["total_batches"], "%.0f")
        add("avg batch size (tokens)", b?["avg_batch_size"], "%.1f")
        add("avg step latency (ms)", b?["avg_latency_ms"], "%.2f")
        for metric in CapMetric.allCases {
            add(metric.summaryLabel.label, b?[metric], metric.summaryLabel.format)
        }
        add("exact match", a?["exact_match"], "%.3f")
        add("correct / total", a.map { .string("\($0["correct"]?.intValue ?? 0) / \($0["total"]?.intValue ?? 0)") })
        // Client figures: the server's simulated clock when it states one, else the wall clock.
        let (clock, label) = c?["simulated"] != nil ? (c?["simulated"], "simulated") : (c?["wall_clock"], "wall clock")
        add("client ttft mean (\(label == "simulated" ? "simulated s" : "s"))", clock?["ttft_s"]?["mean"])
        add("client tpot mean (\(label == "simulated" ? "simulated s" : "s"))", clock?["tpot_s"]?["mean"])
        add("client e2e mean (\(label == "simulated" ? "simulated s" : "s"))", clock?["e2e_latency_s"]?["mean"])
        add("output tokens/s (client, \(label))", clock?["output_token_throughput_tps"], "%.1f")
        if label == "simulated" {
            add("sending phase (wall clock s)", c?["wall_clock"]?["duration_s"], "%.2f")
        }
        add("failed requests", c?["failed_requests"], "%.0f")
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
            .joined(separator: "\n")
    }
}
