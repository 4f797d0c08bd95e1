import Foundation
import MoECore

/// One inline-SVG scatter plot with logarithmic axes, as the sweep page draws it: numeric tick labels on both
/// axes (`<text class="tick">`, plain numbers inside the picture), one `<circle class="point">` per point with a
/// `<title>` shown on hover, optionally a polyline through chosen points (the Pareto front) and the diagonal
/// y = x. A value type; ``svg()`` is a pure function of it.
struct LogScatterPlot {
    struct Point {
        var x: Double
        var y: Double
        var color: String
        /// The hover text.
        var title: String
        /// Drawn outlined (a front point).
        var highlighted = false
    }

    var id: String
    var xLabel: String
    var yLabel: String
    var points: [Point]
    /// Indices of `points` joined by a line, in order.
    var line: [Int] = []
    /// Draws y = x and uses one range for both axes.
    var diagonal = false
    var width = 560.0
    var height = 400.0

    private let margin = (left: 78.0, right: 34.0, top: 16.0, bottom: 52.0)

    /// The `<svg>` element; points with a non-positive or non-finite coordinate are left out.
    func svg() -> String {
        let pts = points.filter { $0.x > 0 && $0.y > 0 && $0.x.isFinite && $0.y.isFinite }
        var out =
            "<svg class=\"sweep-chart\" id=\"\(htmlEscape(id))\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">"
        guard !pts.isEmpty else {
            return out + "<text x=\"20\" y=\"40\">no points with \(htmlEscape(xLabel))</text></svg>"
        }
        var (x0, x1) = Self.range(pts.map { log10($0.x) })
        var (y0, y1) = Self.range(pts.map { log10($0.y) })
        if diagonal {
            (x0, x1) = (min(x0, y0), max(x1, y1))
            (y0, y1) = (x0, x1)
        }
        let (l, r, t, b) = margin
        let plotW = width - l - r
        let plotH = height - t - b
        // Coordinates take log10 values.
        func px(_ lv: Double) -> Double { l + (lv - x0) / (x1 - x0) * plotW }
        func py(_ lv: Double) -> Double { height - b - (lv - y0) / (y1 - y0) * plotH }
        out +=
            "<rect x=\"\(f(l))\" y=\"\(f(t))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#999\"/>"
        for (lv, text) in Self.ticks(x0, x1) {
            let xx = px(lv)
            out += "<line x1=\"\(f(xx))\" y1=\"\(f(height - b))\" x2=\"\(f(xx))\" y2=\"\(f(t))\" stroke=\"#eee\"/>"
            out +=
                "<text class=\"tick\" x=\"\(f(xx))\" y=\"\(f(height - b + 16))\" font-size=\"11\" text-anchor=\"middle\">\(text)</text>"
        }
        for (lv, text) in Self.ticks(y0, y1) {
            let yy = py(lv)
            out += "<line x1=\"\(f(l))\" y1=\"\(f(yy))\" x2=\"\(f(width - r))\" y2=\"\(f(yy))\" stroke=\"#eee\"/>"
            out +=
                "<text class=\"tick\" x=\"\(f(l - 6))\" y=\"\(f(yy + 4))\" font-size=\"11\" text-anchor=\"end\">\(text)</text>"
        }
        out +=
            "<text x=\"\(f(l + plotW / 2))\" y=\"\(f(height - 12))\" font-size=\"12\" text-anchor=\"middle\">\(htmlEscape(xLabel)) (log scale)</text>"
        let midY = t + plotH / 2
        out +=
            "<text x=\"16\" y=\"\(f(midY))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(midY)))\">\(htmlEscape(yLabel)) (log scale)</text>"
        if diagonal {
            out +=
                "<path class=\"diagonal\" d=\"M\(f(px(x0))),\(f(py(y0))) L\(f(px(x1))),\(f(py(y1)))\" stroke=\"#888\" stroke-dasharray=\"4 3\" fill=\"none\"><title>formula = truth</title></path>"
        }
        let linePts = line.filter { $0 < points.count && points[$0].x > 0 && points[$0].y > 0 }
        if linePts.count > 1 {
            let d = linePts.enumerated().map { k, i in
                "\(k == 0 ? "M" : "L")\(f(px(log10(points[i].x)))),\(f(py(log10(points[i].y))))"
            }.joined(separator: " ")
            out += "<path class=\"frontier\" d=\"\(d)\" stroke=\"#000\" stroke-width=\"1.5\" fill=\"none\"/>"
        }
        for p in pts {
            let stroke = p.highlighted ? " stroke=\"#000\" stroke-width=\"2\"" : ""
            out +=
                "<circle class=\"point\" cx=\"\(f(px(log10(p.x))))\" cy=\"\(f(py(log10(p.y))))\" r=\"5\" fill=\"\(p.color)\" fill-opacity=\"0.8\"\(stroke)><title>\(htmlEscape(p.title))</title></circle>"
        }
        return out + "</svg>"
    }

    /// The padded log10 range of `values`, at least a fifth of a decade wide.
    static func range(_ values: [Double]) -> (Double, Double) {
        let a = values.min() ?? 0
        let b = values.max() ?? 1
        let span = max(b - a, 0.2)
        let mid = (a + b) / 2
        return (mid - span * 0.55, mid + span * 0.55)
    }

    /// Tick positions (log10 values) in `[a, b]` and their labels (plain numbers): 1, 2 and 5 per decade, or every
    /// integer multiple when that gives fewer than three, or three evenly spaced values in a very narrow range;
    /// labels get as many significant digits as it takes to tell them apart.
    static func ticks(_ a: Double, _ b: Double) -> [(Double, String)] {
        func candidates(_ multiples: [Double]) -> [Double] {
            var out: [Double] = []
            for d in Int(floor(a))...Int(ceil(b)) {
                for m in multiples {
                    let v = Double(d) + log10(m)
                    if v >= a, v <= b { out.append(v) }
                }
            }
            return out
        }
        var at = candidates([1, 2, 5])
        if at.count < 3 { at = candidates([1, 2, 3, 4, 5, 6, 7, 8, 9]) }
        if at.count < 2 { at = [a + (b - a) * 0.15, (a + b) / 2, b - (b - a) * 0.15] }
        let values = at.map { pow(10, $0) }
        for digits in 1...8 {
            let labels = values.map { number($0, significant: digits) }
            if Set(labels).count == labels.count || digits == 8 {
                return Array(zip(at, labels))
            }
        }
        return []
    }

    /// `v` with `significant` significant digits, no exponent notation, no trailing zeros.
    static func number(_ v: Double, significant: Int) -> String {
        guard v.isFinite, v != 0 else { return "0" }
        let magnitude = Int(floor(log10(abs(v))))
        let decimals = max(0, significant - 1 - magnitude)
        var s = String(format: "%.\(decimals)f", v)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}
