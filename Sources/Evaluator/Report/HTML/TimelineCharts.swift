/// Step-by-step charts over the recording (docs/report.md): batch size, step latency and expert activation
/// against the cumulative step time (Σ `latency`, the GPU-busy clock the records define), prefill and decode
/// steps coloured apart.
enum TimelineCharts {
    /// The charts, batch size first; none without records.
    static func render(_ data: ReportData) -> [String] {
        guard !data.records.isEmpty else { return [] }
        var t = 0.0
        var xs: [Double] = []
        for r in data.records {
            xs.append(t)
            t += r.latency * 1000
        }
        func chart(_ id: String, _ title: String, _ yTitle: String, _ value: (Int) -> Double?) -> String? {
            var pre: [(Double, Double)] = []
            var dec: [(Double, Double)] = []
            var all: [(Double, Double)] = []
            for (i, r) in data.records.enumerated() {
                guard let v = value(i), v.isFinite else { continue }
                all.append((xs[i], v))
                if r.isPrefill { pre.append((xs[i], v)) } else { dec.append((xs[i], v)) }
            }
            guard !all.isEmpty else { return nil }
            var plot = SVGPlot(
                title: title, x: .linear, xValues: xs + [t], xTitle: "cumulative step time (ms, \(data.recordClock))",
                y: .linear,
                yValues: all.map(\.1), yTitle: yTitle)
            plot.line(all, color: "#bbbbbb", width: 1)
            plot.points(pre, color: ReportPalette.prefill)
            plot.points(dec, color: ReportPalette.decode)
            plot.legendEntry("prefill", color: ReportPalette.prefill)
            plot.legendEntry("decode", color: ReportPalette.decode)
            return plot.render(id: id)
        }
        return [
            chart("batch-size", "Batch size per step", "tokens in the step") { Double(data.records[$0].batchSize) },
            chart("step-latency", "Step latency (\(data.recordClock))", "latency (ms)") {
                data.records[$0].latency * 1000
            },
            chart("expert-activation-steps", "Expert activation per step (mean over MoE layers)", "distinct experts") {
                data.records[$0].expertActivation
            },
        ].compactMap { $0 }
    }
}
