import Foundation

/// Number helpers for the report's HTML and SVG: short numbers, SI prefixes (docs/report.md). Escaping is
/// MoECore's `htmlEscape`.
enum SVGFormat {
    /// A pixel coordinate with one decimal (paths stay small and valid: never NaN or exponent notation).
    static func px(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        return fixed(v, decimals: 1)
    }

    /// `printf("%.<decimals>f", v)` for `decimals` 0…3, computed exactly from the double's bits (its value times
    /// 10^decimals is an integer over a power of two, rounded half to even as glibc does), without the C
    /// variadic call; other cases go to ``printf(_:_:)``.
    static func fixed(_ v: Double, decimals: Int) -> String {
        let a = abs(v)
        guard v.isFinite, (0...3).contains(decimals), a < 0x1p52 else { return printf("%.\(decimals)f", v) }
        let scale: UInt64 = [1, 10, 100, 1000][decimals]
        var q: UInt64 = 0
        if a >= 1e-4 {  // smaller magnitudes print as zero at three decimals or fewer
            let m = (1 << 52) | a.significandBitPattern  // a normal number: a = m · 2^(exponent − 52)
            let shift = 52 - Int(a.exponent)  // ≥ 1 because a < 2^52
            let scaled = m * scale  // < 2^63
            if shift < 64 {
                q = scaled >> UInt64(shift)
                let rest = scaled & ((1 << UInt64(shift)) - 1)
                let half: UInt64 = 1 << UInt64(shift - 1)
                if rest > half || (rest == half && q & 1 == 1) { q += 1 }
            }
        }
        // The digits of q, right to left, with the point `decimals` places from the right and at least one digit
        // before it; then the sign (also of a value that rounds to zero, as printf's "-0.0").
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buf in
            var i = buf.count
            var n = q
            var written = 0
            repeat {
                if decimals > 0, written == decimals {
                    i -= 1
                    buf[i] = UInt8(ascii: ".")
                }
                i -= 1
                buf[i] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                written += 1
            } while n > 0 || written <= decimals
            if v.sign == .minus {
                i -= 1
                buf[i] = UInt8(ascii: "-")
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buf[i...]), as: UTF8.self)
        }
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
            s = fixed(v, decimals: 0)
        } else if a >= 10 {
            s = fixed(v, decimals: 1)
        } else if a >= 1 {
            s = fixed(v, decimals: 2)
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
