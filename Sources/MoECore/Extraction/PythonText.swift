/// Python `str` semantics the extractors need, on Unicode scalars (Python compares and slices code points; Swift's
/// `String` compares canonically-equivalent graphemes, which would differ on combining marks).
enum PythonText {
    /// `str.isspace()` for one code point: bidi class WS/B/S or category Zs — `\t \n \v \f \r`, `\x1c`–`\x1f`,
    /// space, `\x85`, `\xa0`, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
    static func isSpace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `s.strip()` (no arguments).
    static func strip(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        return String(scalars[first...last])
    }

    /// `s.strip() == ""`.
    static func isBlank(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy(isSpace)
    }

    /// Python `==` on strings: code point equality.
    static func equal(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.elementsEqual(b.unicodeScalars)
    }

    /// `needle in s`.
    static func contains(_ s: String, _ needle: String) -> Bool {
        lastRange(of: needle, in: s) != nil
    }

    /// `s.split(sep)[-1]`: the text after the last occurrence of `sep`, or `s` when absent.
    static func afterLast(_ sep: String, in s: String) -> String {
        guard let r = lastRange(of: sep, in: s) else { return s }
        return String(decoding: Array(s.utf8)[r.upperBound...], as: UTF8.self)
    }

    /// `s.startswith(prefix)`.
    static func startsWith(_ s: String, _ prefix: String) -> Bool {
        s.utf8.starts(with: prefix.utf8)
    }

    /// `s.replace(old, "")` for a one-scalar `old`.
    static func removing(_ old: Unicode.Scalar, from s: String) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s.unicodeScalars.lazy.filter { $0 != old })
        return String(out)
    }

    /// Byte range of the last occurrence of `needle` in `s` (UTF-8 matching equals code point matching).
    private static func lastRange(of needle: String, in s: String) -> Range<Int>? {
        let hay = Array(s.utf8)
        let n = Array(needle.utf8)
        guard !n.isEmpty, hay.count >= n.count else { return n.isEmpty ? hay.count..<hay.count : nil }
        var i = hay.count - n.count
        while i >= 0 {
            if hay[i] == n[0], hay[i..<(i + n.count)].elementsEqual(n) { return i..<(i + n.count) }
            i -= 1
        }
        return nil
    }
}
