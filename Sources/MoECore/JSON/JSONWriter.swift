extension JSONValue {
    /// Serializes like Python's `json.dumps(ensure_ascii=False)`: `", "` and `": "` separators by default,
    /// `","`/`":"` when `compact`, or an indented layout (`indent` spaces) when given. Floats use the shortest
    /// round-trip form, as Python's `repr`.
    public func serialized(indent: Int? = nil, compact: Bool = false) -> String {
        var w = JSONTextWriter(indent: indent, compact: compact)
        w.write(self, level: 0)
        return String(decoding: w.out, as: UTF8.self)
    }

    /// UTF-8 bytes of ``serialized(indent:compact:)``.
    public func serializedBytes(indent: Int? = nil, compact: Bool = false) -> [UInt8] {
        var w = JSONTextWriter(indent: indent, compact: compact)
        w.write(self, level: 0)
        return w.out
    }

    /// The text Python's `repr(float)` gives for `d`, which `json.dumps` also uses.
    public static func pythonFloatText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        // Swift's description is the shortest round-trip form too; exponents differ in spelling only.
        var s = d.description
        if let e = s.firstIndex(of: "e") {
            // Swift: 1e-05 / 1e+16 already matches Python for these; make sure the mantissa has no ".0".
            let mantissa = s[..<e]
            let exponent = s[s.index(after: e)...]
            var m = String(mantissa)
            if m.hasSuffix(".0") { m.removeLast(2) }
            var exp = String(exponent)
            let sign = exp.first == "-" ? "-" : "+"
            if exp.first == "-" || exp.first == "+" { exp.removeFirst() }
            if exp.count < 2 { exp = "0" + exp }
            s = m + "e" + sign + exp
        }
        return s
    }
}

private struct JSONTextWriter {
    let indent: Int?
    let compact: Bool
    var out: [UInt8] = []

    init(indent: Int?, compact: Bool) {
        self.indent = indent
        self.compact = compact
        out.reserveCapacity(256)
    }

    mutating func ascii(_ s: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func newline(_ level: Int) {
        guard let indent else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * level))
    }

    mutating func write(_ v: JSONValue, level: Int) {
        switch v {
        case .null: ascii("null")
        case .bool(let b): b ? ascii("true") : ascii("false")
        case .int(let i): out.append(contentsOf: Array(String(i).utf8))
        case .double(let d): out.append(contentsOf: Array(JSONValue.pythonFloatText(d).utf8))
        case .string(let s): writeString(s)
        case .array(let a):
            if a.isEmpty {
                ascii("[]")
                return
            }
            out.append(UInt8(ascii: "["))
            for (k, e) in a.enumerated() {
                if k > 0 { separator() }
                newline(level + 1)
                write(e, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            if o.isEmpty {
                ascii("{}")
                return
            }
            out.append(UInt8(ascii: "{"))
            for (k, p) in o.pairs.enumerated() {
                if k > 0 { separator() }
                newline(level + 1)
                writeString(p.key)
                compact ? ascii(":") : ascii(": ")
                write(p.value, level: level + 1)
            }
            newline(level)
            out.append(UInt8(ascii: "}"))
        }
    }

    mutating func separator() {
        if compact || indent != nil { ascii(",") } else { ascii(", ") }
    }

    mutating func writeString(_ s: String) {
        out.append(0x22)
        for u in s.utf8 {
            switch u {
            case 0x22: ascii("\\\"")
            case 0x5C: ascii("\\\\")
            case 0x0A: ascii("\\n")
            case 0x0D: ascii("\\r")
            case 0x09: ascii("\\t")
            case 0x08: ascii("\\b")
            case 0x0C: ascii("\\f")
            case 0..<0x20:
                ascii("\\u00")
                out.append(hexDigit(u >> 4))
                out.append(hexDigit(u & 0xF))
            default:
                out.append(u)
            }
        }
        out.append(0x22)
    }

    func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }
}
