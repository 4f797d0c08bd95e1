import MoECore

/// One chart as an inline `<svg>`: a plot area with two scales, grid, ticks, axis titles, a legend, and the marks
/// added to it (lines, points, bars). Every mark is a `<path>` or `<circle>` with finite coordinates, so the page
/// renders without script and a browser can check each chart (docs/report.md).
struct SVGPlot {
    static let width = 1240.0
    static let height = 360.0
    static let margin = (left: 72.0, right: 20.0, top: 34.0, bottom: 52.0)

    let title: String
    let x: ChartScale
    let y: ChartScale
    let xTitle: String
    let yTitle: String
    private var marks: [String] = []
    private var legend: [(String, String)] = []

    /// The pixel box of the plot area.
    static var plotLeft: Double { margin.left }
    static var plotRight: Double { width - margin.right }
    static var plotTop: Double { margin.top }
    static var plotBottom: Double { height - margin.bottom }

    init(
        title: String, x: ChartScale.Kind, xValues: [Double], xTitle: String, y: ChartScale.Kind, yValues: [Double],
        yTitle: String, yIncludesZero: Bool = true
    ) {
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.x = ChartScale(kind: x, covering: xValues, from: SVGPlot.plotLeft, to: SVGPlot.plotRight)
        self.y = ChartScale(
            kind: y, covering: yValues, from: SVGPlot.plotBottom, to: SVGPlot.plotTop, includeZero: yIncludesZero)
    }

    /// A polyline through `points` (data coordinates), skipping non-finite ones.
    mutating func line(_ points: [(Double, Double)], color: String, width: Double = 1.5, dashed: Bool = false) {
        let d = SVGPlot.pathData(points.filter { $0.0.isFinite && $0.1.isFinite }.map { (x($0.0), y($0.1)) })
        guard !d.isEmpty else { return }
        let dash = dashed ? " stroke-dasharray=\"6 4\"" : ""
        marks.append(
            "<path class=\"mark\" d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\"\(dash)/>")
    }

    /// Points drawn as one path of small squares (cheap for thousands of points); hollow ones are outlined.
    mutating func points(_ points: [(Double, Double)], color: String, hollow: Bool = false, size: Double = 3) {
        var d = ""
        // One square: "M<x> <y>h<size>v<size>h-<size>z", the side's text made once (thousands of points).
        let side = "\(size)"
        let square = "h" + side + "v" + side + "h-" + side + "z"
        for (px, py) in points where px.isFinite && py.isFinite {
            d.append("M")
            d.append(SVGFormat.px(x(px) - size / 2))
            d.append(" ")
            d.append(SVGFormat.px(y(py) - size / 2))
            d.append(square)
        }
        guard !d.isEmpty else { return }
        let paint =
            hollow
            ? "fill=\"none\" stroke=\"\(color)\" stroke-width=\"1\"" : "fill=\"\(color)\" fill-opacity=\"0.75\""
        marks.append("<path class=\"mark\" d=\"\(d)\" \(paint)/>")
    }

    /// Vertical bars from the x axis: `(left, right, height)` in data coordinates.
    mutating func bars(_ bars: [(Double, Double, Double)], color: String) {
        var d = ""
        let base = y(max(y.lower, 0))
        for (l, r, h) in bars where l.isFinite && r.isFinite && h.isFinite {
            let x0 = x(l)
            let x1 = x(r)
            let top = y(h)
            d += "M\(SVGFormat.px(x0)) \(SVGFormat.px(base))V\(SVGFormat.px(top))H\(SVGFormat.px(x1))"
            d += "V\(SVGFormat.px(base))z"
        }
        guard !d.isEmpty else { return }
        marks.append("<path class=\"mark\" d=\"\(d)\" fill=\"\(color)\" fill-opacity=\"0.8\"/>")
    }

    /// A text label at data coordinates.
    mutating func label(_ text: String, at p: (Double, Double), color: String, anchor: String = "start") {
        marks.append(
            "<text x=\"\(SVGFormat.px(x(p.0)))\" y=\"\(SVGFormat.px(y(p.1) - 4))\" fill=\"\(color)\" "
                + "text-anchor=\"\(anchor)\" font-size=\"11\">\(htmlEscape(text))</text>")
    }

    /// Adds a legend entry.
    mutating func legendEntry(_ text: String, color: String) { legend.append((text, color)) }

    /// The `<svg>` element.
    func render(id: String) -> String {
        let w = SVGPlot.width
        let h = SVGPlot.height
        var s =
            "<svg id=\"\(id)\" class=\"chart\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"\(Int(w))\" "
            + "height=\"\(Int(h))\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" "
            + "aria-label=\"\(htmlEscape(title))\">"
        s += "<title>\(htmlEscape(title))</title>"
        s +=
            "<text x=\"\(SVGFormat.px(SVGPlot.plotLeft))\" y=\"20\" font-size=\"14\" font-weight=\"600\">"
            + "\(htmlEscape(title))</text>"
        // Grid and ticks.
        var grid = ""
        var tickText = ""
        for (t, text) in x.labelledTicks {
            let px = SVGFormat.px(x(t))
            grid += "M\(px) \(SVGFormat.px(SVGPlot.plotTop))V\(SVGFormat.px(SVGPlot.plotBottom))"
            tickText +=
                "<text class=\"tick\" x=\"\(px)\" y=\"\(SVGFormat.px(SVGPlot.plotBottom + 16))\" "
                + "text-anchor=\"middle\">\(text)</text>"
        }
        for (t, text) in y.labelledTicks {
            let py = SVGFormat.px(y(t))
            grid += "M\(SVGFormat.px(SVGPlot.plotLeft)) \(py)H\(SVGFormat.px(SVGPlot.plotRight))"
            tickText +=
                "<text class=\"tick\" x=\"\(SVGFormat.px(SVGPlot.plotLeft - 6))\" y=\"\(py)\" text-anchor=\"end\" "
                + "dominant-baseline=\"middle\">\(text)</text>"
        }
        s += "<path class=\"grid\" d=\"\(grid)\" stroke=\"#e3e3e3\" fill=\"none\"/>"
        s += "<g font-size=\"11\" fill=\"#444\">\(tickText)</g>"
        s +=
            "<path class=\"axis\" d=\"M\(SVGFormat.px(SVGPlot.plotLeft)) \(SVGFormat.px(SVGPlot.plotTop))"
            + "V\(SVGFormat.px(SVGPlot.plotBottom))H\(SVGFormat.px(SVGPlot.plotRight))\" stroke=\"#555\" fill=\"none\"/>"
        // Marks are clipped to the plot area.
        let clip = "clip-\(id)"
        s +=
            "<clipPath id=\"\(clip)\"><rect x=\"\(SVGFormat.px(SVGPlot.plotLeft))\" "
            + "y=\"\(SVGFormat.px(SVGPlot.plotTop))\" width=\"\(SVGFormat.px(SVGPlot.plotRight - SVGPlot.plotLeft))\" "
            + "height=\"\(SVGFormat.px(SVGPlot.plotBottom - SVGPlot.plotTop))\"/></clipPath>"
        s += "<g clip-path=\"url(#\(clip))\">" + marks.joined() + "</g>"
        // Axis titles.
        s +=
            "<text x=\"\(SVGFormat.px((SVGPlot.plotLeft + SVGPlot.plotRight) / 2))\" y=\"\(SVGFormat.px(h - 10))\" "
            + "text-anchor=\"middle\" font-size=\"12\">\(htmlEscape(xTitle))</text>"
        s +=
            "<text transform=\"translate(16 \(SVGFormat.px((SVGPlot.plotTop + SVGPlot.plotBottom) / 2))) rotate(-90)\" "
            + "text-anchor=\"middle\" font-size=\"12\">\(htmlEscape(yTitle))</text>"
        // Legend, top right inside the plot.
        var ly = SVGPlot.plotTop + 12
        for (text, color) in legend {
            let lx = SVGPlot.plotRight - 8
            s +=
                "<rect x=\"\(SVGFormat.px(lx - 10))\" y=\"\(SVGFormat.px(ly - 8))\" width=\"10\" height=\"10\" "
                + "fill=\"\(color)\"/><text x=\"\(SVGFormat.px(lx - 14))\" y=\"\(SVGFormat.px(ly))\" "
                + "text-anchor=\"end\" font-size=\"11\">\(htmlEscape(text))</text>"
            ly += 15
        }
        return s + "</svg>"
    }

    /// `M x y L x y …` for pixel points; empty for no points.
    static func pathData(_ points: [(Double, Double)]) -> String {
        var d = ""
        for (i, p) in points.enumerated() {
            d.append(i == 0 ? "M" : "L")
            d.append(SVGFormat.px(p.0))
            d.append(" ")
            d.append(SVGFormat.px(p.1))
        }
        return d
    }
}
