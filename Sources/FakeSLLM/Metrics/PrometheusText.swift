import Foundation
import MoECore

/// Prometheus' text exposition format 0.0.4 as prometheus_client writes it (docs/metrics.md): `# HELP` and
/// `# TYPE` per family, counters as `<name>_total`, histograms as cumulative `_bucket{le=…}` lines ending in
/// `+Inf`, then `_count` and `_sum`; values in Python's float spelling (`1.0`, `+Inf`).
enum PrometheusText {
    /// The exposition of `families`, in order.
    static func render(_ families: [MetricsRegistry.FamilyState]) -> String {
        var out = ""
        for f in families {
            let family = f.family
            let name = family.exposedName
            out += "# HELP \(name) \(escapeHelp(family.help))\n"
            out += "# TYPE \(name) \(family.kind.rawValue)\n"
            for labels in f.order {
                guard let series = f.series[labels] else { continue }
                let pairs = Array(zip(family.labelNames, labels))
                switch family.kind {
                case .counter, .gauge:
                    out += "\(name)\(labelText(pairs)) \(number(series.value))\n"
                case .histogram:
                    var cumulative: UInt64 = 0
                    for (i, bound) in (family.buckets + [.infinity]).enumerated() {
                        cumulative += i < series.bucketCounts.count ? series.bucketCounts[i] : 0
                        out +=
                            "\(name)_bucket\(labelText(pairs + [("le", number(bound))])) \(number(Double(cumulative)))\n"
                    }
                    out += "\(name)_count\(labelText(pairs)) \(number(Double(series.count)))\n"
                    out += "\(name)_sum\(labelText(pairs)) \(number(series.sum))\n"
                }
            }
        }
        return out
    }

    /// `{a="x",b="y"}`, or nothing for no labels.
    static func labelText(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        return "{" + pairs.map { "\($0.0)=\"\(escapeLabel($0.1))\"" }.joined(separator: ",") + "}"
    }

    /// prometheus_client's `floatToGoString`: Python's `repr(float)`, infinities as `+Inf`/`-Inf`, `NaN`.
    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return JSONValue.pythonFloatText(v)
    }

    /// Label values escape backslash, double quote and newline.
    static func escapeLabel(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Help text escapes backslash and newline.
    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
