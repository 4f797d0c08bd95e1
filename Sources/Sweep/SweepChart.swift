import Foundation
import MoECore

/// A self-contained HTML page (inline SVG, no scripts or external files) of a sweep, MoE-CAP's CAP view with
/// accuracy fixed (docs/calibration.md, "What-if sweeps"):
///
/// - cost per million output tokens against output throughput, with the cost–performance Pareto front
///   (``ParetoFront``) drawn and listed in a table beside it, cheapest first;
/// - mean time per output token against output throughput;
/// - MoE-CAP's S-MBU and S-MFU per phase against the simulator's ground truth (`truth_*` columns), one small
///   plot per figure with the diagonal, so a formula's bias by model, GPU or batch size shows at a glance.
///
/// Both axes of every plot are logarithmic with numeric ticks; colours are GPU types; hovering a point shows its
/// model, GPU, tensor-parallel size, engine settings, workload and figures.
package enum SweepChart {
    /// The page.
    package static func html(_ rows: [SweepRow], title: String) -> String {
        let ok = rows.filter(\.ok)
        let gpus = Array(Set(ok.compactMap { $0["gpu"]?.stringValue })).sorted()
        let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
        func color(_ row: SweepRow) -> String {
            palette[(gpus.firstIndex(of: row["gpu"]?.stringValue ?? "") ?? 0) % palette.count]
        }
        func point(_ row: SweepRow, x: String, y: String) -> LogScatterPlot.Point? {
            guard let a = row[x]?.doubleValue, let b = row[y]?.doubleValue else { return nil }
            return LogScatterPlot.Point(x: a, y: b, color: color(row), title: label(row))
        }

        // Cost against throughput, with the front.
        let priced = ok.filter {
            ($0["usd_per_million_output_tokens"]?.doubleValue ?? 0) > 0
                && ($0["output_throughput"]?.doubleValue ?? 0) > 0
        }
        let front = ParetoFront.indices(
            priced.map { ($0["usd_per_million_output_tokens"]!.doubleValue!, $0["output_throughput"]!.doubleValue!) })
        var costPoints = priced.compactMap { point($0, x: "usd_per_million_output_tokens", y: "output_throughput") }
        for i in front { costPoints[i].highlighted = true }
        let cost = LogScatterPlot(
            id: "sweep-cost", xLabel: "cost per million output tokens (USD)", yLabel: "output tokens / s (simulated)",
            points: costPoints, line: front)
        let latency = LogScatterPlot(
            id: "sweep-tpot", xLabel: "mean time per output token (s, simulated)",
            yLabel: "output tokens / s (simulated)",
            points: ok.compactMap { point($0, x: "tpot_mean_s", y: "output_throughput") })

        let legend = gpus.enumerated().map { i, g in
            "<span style=\"color:\(palette[i % palette.count])\">&#9679;</span> \(htmlEscape(g))"
        }.joined(separator: " &nbsp; ")
        let failed = rows.count - ok.count
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(htmlEscape(title))</title>
            <style>body{font-family:sans-serif;margin:24px;color:#222}svg{background:#fff;border:1px solid #ddd;flex-shrink:0}
            .row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start;margin:8px 0}
            .note{color:#555;font-size:13px;max-width:1100px}
            table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}
            td.n{text-align:right}th{background:#f4f4f4}</style></head><body>
            <h2>\(htmlEscape(title))</h2>
            <p class="note">\(ok.count) points\(failed > 0 ? ", \(failed) could not run (see the CSV)" : ""). \
            Every figure is simulated by fake-sllm's engine (simulated seconds, not wall clock); cost from MoE-CAP's \
            GPU prices and TDPs spread over \(Int(ServingCost.amortizationYears)) years, plus energy. Points without \
            a MoE-CAP price are left out of the cost plot. Hover a point for its configuration and figures.</p>
            <p>\(legend) &nbsp; <span class="note">outlined and joined: the Pareto front (no other point is both \
            cheaper and faster)</span></p>
            <h3>Cost and performance</h3>
            <div class="row" style="flex-wrap:nowrap">\(cost.svg())\(frontTable(front.map { priced[$0] }))</div>
            <h3>Latency and throughput</h3>
            <div class="row">\(latency.svg())</div>
            \(truthPanel(ok, color: color))
            </body></html>

            """
    }

    /// The hover text of a point: model, GPU, TP, engine settings, workload and figures.
    static func label(_ row: SweepRow) -> String {
        func s(_ k: String) -> String { row[k].map { $0.stringValue ?? $0.serialized() } ?? "-" }
        func n(_ k: String, _ digits: Int = 3) -> String {
            row[k]?.doubleValue.map { LogScatterPlot.number($0, significant: digits) } ?? "-"
        }
        return """
            \(s("model")) on \(s("gpu_num"))× \(s("gpu")) (TP \(s("gpu_num")))
            max_num_seqs \(s("max_num_seqs")), max_num_batched_tokens \(s("max_num_batched_tokens")), \
            quantization \(s("quantization")), kv_cache_dtype \(s("kv_cache_dtype")), enforce_eager \(s("enforce_eager"))
            workload \(s("workload")) (point \(s("point")), calibration \(s("calibration_source")))
            \(n("output_throughput")) output tok/s, $\(n("usd_per_million_output_tokens")) per M output tokens
            TTFT mean \(n("ttft_mean_s")) s, TPOT mean \(n("tpot_mean_s")) s, E2E p99 \(n("e2e_p99_s")) s
            decoding S-MBU \(n("moecap_decoding_smbu")) (truth \(n("truth_decoding_mbu"))), \
            S-MFU \(n("moecap_decoding_smfu")) (truth \(n("truth_decoding_mfu")))
            """
    }

    /// The front as a table, cheapest first.
    private static func frontTable(_ rows: [SweepRow]) -> String {
        guard !rows.isEmpty else { return "" }
        func s(_ row: SweepRow, _ k: String) -> String {
            htmlEscape(row[k].map { $0.stringValue ?? $0.serialized() } ?? "-")
        }
        func n(_ row: SweepRow, _ k: String) -> String {
            row[k]?.doubleValue.map { LogScatterPlot.number($0, significant: 3) } ?? "-"
        }
        let body = rows.enumerated().map { i, r in
            "<tr><td class=\"n\">\(i + 1)</td><td class=\"n\">\(n(r, "usd_per_million_output_tokens"))</td>"
                + "<td class=\"n\">\(n(r, "output_throughput"))</td><td class=\"n\">\(n(r, "tpot_mean_s"))</td>"
                + "<td>\(s(r, "model"))</td><td>\(s(r, "gpu_num"))× \(s(r, "gpu"))</td>"
                + "<td>seqs \(s(r, "max_num_seqs")), batched tokens \(s(r, "max_num_batched_tokens")), "
                + "quantization \(s(r, "quantization"))</td>"
                + "<td>\(s(r, "workload"))</td></tr>"
        }.joined()
        return """
            <div><table id="pareto-front"><caption style="text-align:left;font-weight:bold;padding:4px 0">\
            Pareto front, cheapest first (each next row buys throughput for cost)</caption>
            <tr><th>#</th><th>USD / M output tokens</th><th>output tok/s</th><th>TPOT mean (s)</th><th>model</th>\
            <th>GPUs (TP)</th><th>engine</th><th>workload</th></tr>\(body)</table></div>
            """
    }

    /// MoE-CAP's formulas against the simulator's ground truth, one plot per figure, with the ratio's spread.
    private static func truthPanel(_ rows: [SweepRow], color: (SweepRow) -> String) -> String {
        let pairs = [
            ("prefill S-MBU", "moecap_prefill_smbu", "truth_prefill_mbu"),
            ("prefill S-MFU", "moecap_prefill_smfu", "truth_prefill_mfu"),
            ("decoding S-MBU", "moecap_decoding_smbu", "truth_decoding_mbu"),
            ("decoding S-MFU", "moecap_decoding_smfu", "truth_decoding_mfu"),
        ]
        let plots = pairs.map { name, formula, truth -> String in
            let points = rows.compactMap { r -> LogScatterPlot.Point? in
                guard let f = r[formula]?.doubleValue, let t = r[truth]?.doubleValue else { return nil }
                return LogScatterPlot.Point(
                    x: t, y: f, color: color(r),
                    title: "\(name): formula ÷ truth = \(LogScatterPlot.number(f / t, significant: 3))\n" + label(r))
            }
            let ratios = points.filter { $0.x > 0 && $0.y > 0 }.map { $0.y / $0.x }.sorted()
            let spread =
                ratios.isEmpty
                ? "no points"
                : "formula ÷ truth: median \(LogScatterPlot.number(ratios[ratios.count / 2], significant: 3)), "
                    + "range \(LogScatterPlot.number(ratios.first!, significant: 3))–\(LogScatterPlot.number(ratios.last!, significant: 3))"
            let plot = LogScatterPlot(
                id: "truth-\(formula)", xLabel: "\(name): simulator truth", yLabel: "MoE-CAP formula", points: points,
                diagonal: true, width: 380, height: 320)
            return "<div>\(plot.svg())<p class=\"note\">\(htmlEscape(name)) — \(spread)</p></div>"
        }.joined()
        return """
            <h3>MoE-CAP's formulas against the simulator's truth</h3>
            <p class="note">Per point, MoE-CAP's S-MBU/S-MFU over the run's batch records (y) against the simulator's \
            achieved bandwidth and FLOPS utilization, averaged over the same steps (x). On the dashed diagonal the \
            formula is exact; above it the formula overstates. Columns <code>moecap_*</code> and <code>truth_*</code> \
            of the CSV.</p>
            <div class="row">\(plots)</div>
            """
    }
}
