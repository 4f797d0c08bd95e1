/// Mean activated experts per MoE layer, from an expert-distribution recording (docs/report.md).
enum ExpertLayerChart {
    /// The chart, or nil when no expert recording is in the files.
    static func render(_ data: ReportData) -> String? {
        guard let layers = data.expertActivationPerLayer, !layers.isEmpty else { return nil }
        var yValues = layers
        if let e = data.expertsPerLayer { yValues.append(Double(e)) }
        var plot = SVGPlot(
            title: "Expert activation per layer", x: .linear, xValues: [0, Double(layers.count)],
            xTitle: "MoE layer", y: .linear, yValues: yValues, yTitle: "mean distinct experts per step")
        plot.bars(
            layers.enumerated().map { i, v in (Double(i) + 0.1, Double(i) + 0.9, v) }, color: ReportPalette.truth)
        if let e = data.expertsPerLayer {
            plot.line([(0, Double(e)), (Double(layers.count), Double(e))], color: ReportPalette.ceiling, dashed: true)
            plot.label(
                "\(e) experts", at: (Double(layers.count), Double(e)), color: ReportPalette.ceiling, anchor: "end")
        }
        return plot.render(id: "expert-layers")
    }
}
