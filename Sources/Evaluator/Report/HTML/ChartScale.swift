import Foundation

/// Maps data values onto one axis of a chart, linearly or in log10, with readable tick values
/// (docs/report.md).
struct ChartScale: Sendable {
    /// Linear, or log10 for ranges over decades.
    enum Kind: Sendable { case linear, log }

    let kind: Kind
    /// Data range shown (for log scales: both > 0).
    let lower: Double
    let upper: Double
    /// Pixel range the data range maps to (may be reversed, as for a y axis).
    let from: Double
    let to: Double

    /// A scale covering `values` (padded to nice bounds); a log scale ignores values ≤ 0.
    init(kind: Kind, covering values: [Double], from: Double, to: Double, includeZero: Bool = false) {
        self.kind = kind
        self.from = from
        self.to = to
        switch kind {
        case .linear:
            var lo = values.min() ?? 0
            var hi = values.max() ?? 1
            if includeZero { lo = min(lo, 0) }
            if hi <= lo { hi = lo + (lo == 0 ? 1 : abs(lo) * 0.1) }
            let step = ChartScale.niceStep((hi - lo) / 5)
            lower = (lo / step).rounded(.down) * step
            upper = (hi / step).rounded(.up) * step
        case .log:
            let positive = values.filter { $0 > 0 && $0.isFinite }
            let lo = positive.min() ?? 1
            let hi = positive.max() ?? 10
            lower = pow(10, log10(lo).rounded(.down))
            upper = max(pow(10, log10(hi).rounded(.up)), lower * 10)
        }
    }

    /// The pixel position of `value` (log scales clamp values ≤ 0 to the lower bound).
    func callAsFunction(_ value: Double) -> Double {
        let t: Double
        switch kind {
        case .linear: t = (value - lower) / (upper - lower)
        case .log: t = (log10(max(value, lower)) - log10(lower)) / (log10(upper) - log10(lower))
        }
        return from + t * (to - from)
    }

    /// Tick values inside the range: multiples of a 1-2-5 step, or the powers of ten.
    var ticks: [Double] {
        switch kind {
        case .linear:
            let step = ChartScale.niceStep((upper - lower) / 5)
            var out: [Double] = []
            var v = lower
            while v <= upper + step * 1e-9 {
                out.append(abs(v) < step * 1e-9 ? 0 : v)
                v += step
            }
            return out
        case .log:
            let a = Int(log10(lower).rounded())
            let b = Int(log10(upper).rounded())
            let every = max(1, (b - a + 5) / 6)
            return stride(from: a, through: b, by: every).map { pow(10, Double($0)) }
        }
    }

    /// The ticks with their labels, distinct even over a narrow range: linear ticks get the decimals their step
    /// needs (5.088, 5.09, 5.092 rather than five "5.09"), thousands and up an SI prefix when that keeps them
    /// apart.
    var labelledTicks: [(Double, String)] {
        let values = ticks
        guard kind == .linear, values.count > 1 else { return values.map { ($0, SVGFormat.tick($0)) } }
        let short = values.map(SVGFormat.tick)
        if Set(short).count == short.count { return Array(zip(values, short)) }
        let step = ChartScale.niceStep((upper - lower) / 5)
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        return values.map { ($0, String(format: "%.\(decimals)f", $0)) }
    }

    /// The smallest 1, 2 or 5 × 10ⁿ at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, log10(raw).rounded(.down))
        for m in [1.0, 2, 5, 10] where m * magnitude >= raw * (1 - 1e-12) { return m * magnitude }
        return 10 * magnitude
    }
}
