import MoECore

/// Histograms of the client's per-request TTFT, TPOT and end-to-end latency (docs/report.md), each with its
/// mean, median and p99 in the title, on the server's simulated clock when the outputs state it.
enum DistributionCharts {
    /// The charts that have data, TTFT first.
    static func render(_ data: ReportData) -> [String] {
        let series: [(String, String, [Double])] = [
            ("ttft", "TTFT", data.requests.compactMap(\.ttft)),
            ("tpot", "TPOT", data.requests.compactMap(\.tpot)),
            ("e2e", "E2E latency", data.requests.compactMap(\.e2e)),
        ]
        return series.compactMap { id, name, values in
            histogram(
                id: "dist-\(id)", name: name, clock: data.requestClock, values: values.filter { $0.isFinite && $0 >= 0 }
            )
        }
    }

    /// A histogram of `values` (seconds, drawn in ms), √n bins up to 40; nil for no values.
    static func histogram(id: String, name: String, clock: String, values: [Double]) -> String? {
        guard let summary = DistributionSummary(values) else { return nil }
        let ms = values.map { $0 * 1000 }
        let lo = ms.min()!
        var hi = ms.max()!
        if hi <= lo { hi = lo + max(lo * 0.1, 1) }
        let n = max(1, min(40, Int(Double(ms.count).squareRoot().rounded(.up))))
        let width = (hi - lo) / Double(n)
        var counts = [Int](repeating: 0, count: n)
        for v in ms { counts[min(n - 1, Int((v - lo) / width))] += 1 }
        let title =
            "\(name): mean \(SVGFormat.short(summary.mean * 1000)) ms, median "
            + "\(SVGFormat.short(summary.median * 1000)) ms, p99 \(SVGFormat.short(summary.p99 * 1000)) ms "
            + "(n=\(summary.count))"
        var plot = SVGPlot(
            title: title, x: .linear, xValues: [lo, hi], xTitle: "\(name) (ms, \(clock))", y: .linear,
            yValues: counts.map(Double.init), yTitle: "requests")
        plot.bars(
            counts.enumerated().map { i, c in (lo + Double(i) * width, lo + Double(i + 1) * width, Double(c)) },
            color: ReportPalette.neutral)
        return plot.render(id: id)
    }
}
