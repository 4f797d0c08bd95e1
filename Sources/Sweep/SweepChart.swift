import Foundation
import MoECore

/// A self-contained HTML page (inline SVG, no scripts or external files) of a sweep's cost–performance trade-off,
/// MoE-CAP's CAP view with accuracy fixed: per point, the cost per million output tokens against output
/// throughput, and the mean time per output token against output throughput. Colours are GPU types; hovering a
/// point shows its settings; the cheapest point at each throughput (the Pareto front) is outlined.
public enum SweepChart {
    /// The page.
    public static func html(_ rows: [SweepRow], title: String) -> String {
        let ok = rows.filter(\.ok)
        let gpus = Array(Set(ok.compactMap { $0["gpu"]?.stringValue })).sorted()
        let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
        func color(_ row: SweepRow) -> String {
            palette[(gpus.firstIndex(of: row["gpu"]?.stringValue ?? "") ?? 0) % palette.count]
        }
        let costPanel = panel(
            ok, x: "usd_per_million_output_tokens", xLabel: "cost per million output tokens (USD)",
            y: "output_throughput", yLabel: "output tokens / s", color: color, pareto: true)
        let latencyPanel = panel(
            ok, x: "tpot_mean_s", xLabel: "mean time per output token (s)", y: "output_throughput",
            yLabel: "output tokens / s", color: color, pareto: false)
        let legend = gpus.enumerated().map { i, g in
            "<span style=\"color:\(palette[i % palette.count])\">&#9679;</span> \(htmlEscape(g))"
        }.joined(separator: " &nbsp; ")
        let failed = rows.count - ok.count
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(htmlEscape(title))</title>
            <style>body{font-family:sans-serif;margin:24px;color:#222}svg{background:#fff;border:1px solid #ddd;margin:8px 8px 0 0}
            .note{color:#555;font-size:13px}</style></head><body>
            <h2>\(htmlEscape(title))</h2>
            <p class="note">\(ok.count) points\(failed > 0 ? ", \(failed) could not run (see the CSV)" : ""). \
            Simulated by fake-sllm's engine; cost from MoE-CAP's GPU prices and TDPs spread over \
            \(Int(ServingCost.amortizationYears)) years, plus energy. Points without a MoE-CAP price are left out of \
            the cost panel.</p>
            <p>\(legend)</p>
            \(costPanel)
            \(latencyPanel)
            </body></html>

            """
    }

    private static func panel(
        _ rows: [SweepRow], x: String, xLabel: String, y: String, yLabel: String, color: (SweepRow) -> String,
        pareto: Bool
    ) -> String {
        let pts = rows.compactMap { r -> (Double, Double, SweepRow)? in
            guard let a = r[x]?.doubleValue, let b = r[y]?.doubleValue, a > 0, b > 0 else { return nil }
            return (a, b, r)
        }
        let w = 560.0
        let h = 400.0
        let (l, r, t, b) = (70.0, 20.0, 20.0, 50.0)
        var svg = "<svg width=\"\(Int(w))\" height=\"\(Int(h))\" xmlns=\"http://www.w3.org/2000/svg\">"
        guard !pts.isEmpty else {
            return svg + "<text x=\"20\" y=\"40\">no points with \(htmlEscape(xLabel))</text></svg>"
        }
        // Log scales (sweeps span orders of magnitude).
        let lx = pts.map { log10($0.0) }
        let ly = pts.map { log10($0.1) }
        let (x0, x1) = padded(lx.min()!, lx.max()!)
        let (y0, y1) = padded(ly.min()!, ly.max()!)
        func px(_ v: Double) -> Double { l + (log10(v) - x0) / (x1 - x0) * (w - l - r) }
        func py(_ v: Double) -> Double { h - b - (log10(v) - y0) / (y1 - y0) * (h - t - b) }
        svg +=
            "<rect x=\"\(l)\" y=\"\(t)\" width=\"\(w - l - r)\" height=\"\(h - t - b)\" fill=\"none\" stroke=\"#999\"/>"
        for v in ticks(x0, x1) {
            let xx = px(v)
            svg += "<line x1=\"\(f(xx))\" y1=\"\(h - b)\" x2=\"\(f(xx))\" y2=\"\(t)\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(xx))\" y=\"\(h - b + 16)\" font-size=\"11\" text-anchor=\"middle\">\(label(v))</text>"
        }
        for v in ticks(y0, y1) {
            let yy = py(v)
            svg += "<line x1=\"\(l)\" y1=\"\(f(yy))\" x2=\"\(w - r)\" y2=\"\(f(yy))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(l - 6)\" y=\"\(f(yy + 4))\" font-size=\"11\" text-anchor=\"end\">\(label(v))</text>"
        }
        svg +=
            "<text x=\"\(f((l + w - r) / 2))\" y=\"\(h - 12)\" font-size=\"12\" text-anchor=\"middle\">\(htmlEscape(xLabel)) (log)</text>"
        svg +=
            "<text x=\"16\" y=\"\(f((t + h - b) / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f((t + h - b) / 2)))\">\(htmlEscape(yLabel)) (log)</text>"
        // Pareto front: no other point is both cheaper and faster.
        var front = Set<Int>()
        if pareto {
            for (i, p) in pts.enumerated()
            where !pts.contains(where: { $0.0 <= p.0 && $0.1 >= p.1 && ($0.0 < p.0 || $0.1 > p.1) }) {
                front.insert(i)
            }
        }
        for (i, p) in pts.enumerated() {
            let tip = [
                "model", "gpu", "gpu_num", "max_num_seqs", "max_num_batched_tokens", "quantization", "kv_cache_dtype",
                "enforce_eager", "workload",
                "calibration_source",
            ].map { "\($0)=\(p.2[$0].map { $0.stringValue ?? $0.serialized() } ?? "")" }.joined(separator: " ")
            let stroke = front.contains(i) ? " stroke=\"#000\" stroke-width=\"2\"" : ""
            svg +=
                "<circle cx=\"\(f(px(p.0)))\" cy=\"\(f(py(p.1)))\" r=\"5\" fill=\"\(color(p.2))\" fill-opacity=\"0.8\"\(stroke)><title>\(htmlEscape(tip)) \(htmlEscape(xLabel))=\(label(log10(p.0))) \(htmlEscape(yLabel))=\(label(log10(p.1)))</title></circle>"
        }
        return svg + "</svg>"
    }

    private static func padded(_ a: Double, _ b: Double) -> (Double, Double) {
        let span = max(b - a, 0.2)
        let mid = (a + b) / 2
        return (mid - span * 0.55, mid + span * 0.55)
    }

    /// Decades and their 2× and 5× in the range (log10 values).
    private static func ticks(_ a: Double, _ b: Double) -> [Double] {
        var out: [Double] = []
        for d in Int(floor(a))...Int(ceil(b)) {
            for m in [1.0, 2.0, 5.0] {
                let v = Double(d) + log10(m)
                if v >= a, v <= b { out.append(v) }
            }
        }
        return out
    }

    private static func label(_ logValue: Double) -> String {
        let v = pow(10, logValue)
        if v >= 100 { return String(Int(v.rounded())) }
        if v >= 1 { return String(format: "%.3g", v) }
        return String(format: "%.2g", v)
    }

    private static func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
