import Foundation

/// Number helpers for the report's HTML and SVG: short numbers, SI prefixes (docs/report.md). Escaping is
/// MoECore's `htmlEscape`.
enum SVGFormat {
    /// A pixel coordinate with one decimal (paths stay small and valid: never NaN or exponent notation).
    static func px(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        return printf("%.1f", v)
    }

    /// C's `printf` of one double: the text `String(format:)` gives, without Foundation's format machinery
    /// (a report draws tens of thousands of coordinates).
    static func printf(_ format: String, _ v: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf in
            let n = withVaList([v]) { args in format.withCString { vsnprintf(buf.baseAddress, 64, $0, args) } }
            guard n >= 0, n < 64 else { return String(format: format, v) }
            return String(decoding: UnsafeRawBufferPointer(start: buf.baseAddress, count: Int(n)), as: UTF8.self)
        }
    }

    /// A value with an SI prefix and about three significant digits: `1.2k`, `35M`, `4.1T`, `350m`.
    static func si(_ v: Double) -> String {
        guard v.isFinite else { return "–" }
        if v == 0 { return "0" }
        let prefixes: [(Double, String)] = [
            (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ"),
        ]
        let a = abs(v)
        for (scale, p) in prefixes where a >= scale * 0.9995 {
            return short(v / scale) + p
        }
        return short(v / 1e-9) + "n"
    }

    /// An axis tick: SI prefixes from a thousand up (`1.5k`, `3T`), plain decimals below (`0.2`, `250`), so a
    /// tick of an axis already in ms never reads `200m`.
    static func tick(_ v: Double) -> String { abs(v) >= 1000 ? si(v) : short(v) }

    /// About three significant digits, no trailing zeros.
    static func short(_ v: Double) -> String {
        let a = abs(v)
        let s: String
        if a >= 100 || a == a.rounded() && a < 1e15 {
            s = printf("%.0f", v)
        } else if a >= 10 {
            s = printf("%.1f", v)
        } else if a >= 1 {
            s = printf("%.2f", v)
        } else {
            s = printf("%.3g", v)
        }
        guard s.contains("."), !s.contains("e") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t
    }
}
