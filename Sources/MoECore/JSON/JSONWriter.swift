extension JSONValue {
    /// Serializes like Python's `json.dumps(ensure_ascii=False)`: `", "` and `": "` separators by default,
    /// `","`/`":"` when `compact`, or an indented layout (`indent` spaces) when given. Floats use the shortest
    /// round-trip form, as Python's `repr`.
    package func serialized(indent: Int? = nil, compact: Bool = false) -> String {
        var w = JSONTextWriter(indent: indent, compact: compact)
        w.write(self, level: 0)
        return String(decoding: w.out, as: UTF8.self)
    }

    /// UTF-8 bytes of ``serialized(indent:compact:)``.
    package func serializedBytes(indent: Int? = nil, compact: Bool = false) -> [UInt8] {
        var w = JSONTextWriter(indent: indent, compact: compact)
        w.write(self, level: 0)
        return w.out
    }

    /// Appends ``serializedBytes(indent:compact:)`` to `out` (one buffer for many values, e.g. JSON Lines).
    package func appendSerialized(to out: inout [UInt8], indent: Int? = nil, compact: Bool = false) {
        var w = JSONTextWriter(indent: indent, compact: compact, buffer: [])
        swap(&w.out, &out)
        w.write(self, level: 0)
        swap(&w.out, &out)
    }

    /// Appends `compact`, the text ``serializedBytes(indent:compact:)`` gave for some value with `compact: true`,
    /// laid out as `serializedBytes(indent: indent)` lays out that value when it sits at nesting `level` (0 for a
    /// whole document, 1 for an element of a top-level array): the same bytes, without the value. Only the
    /// whitespace differs between the two layouts (a newline and `indent` spaces per level after `[`, `{` and
    /// `,` and before `]`, `}`; `": "` after a key; empty containers stay `[]`, `{}`), and strings are copied as
    /// they are. Text from anywhere else (other separators, whitespace) is not laid out correctly.
    package static func appendReindented(
        compact: [UInt8], indent: Int, level: Int, to out: inout [UInt8]
    ) {
        compact.withUnsafeBufferPointer { c in
            let n = c.count
            var level = level
            var i = 0
            func newline() { JSONIndentation.appendNewline(indent: indent * level, to: &out) }
            while i < n {
                let b = c[i]
                switch b {
                case UInt8(ascii: "\""):
                    let start = i
                    i += 1
                    while i < n {
                        // Eight bytes at a time past those that end nothing (compact text holds no control bytes).
                        while i + 8 <= n, !JSONStringBytes.needsEscape(JSONStringBytes.word(c, at: i)) { i += 8 }
                        if i >= n || c[i] == UInt8(ascii: "\"") { break }
                        i += c[i] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    // Text that is not a serialiser's output (an unterminated string) is copied to its end.
                    i = min(i + 1, n)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: c[start..<i]))
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if i + 1 < n, c[i + 1] == UInt8(ascii: "}") || c[i + 1] == UInt8(ascii: "]") {
                        out.append(b)
                        out.append(c[i + 1])
                        i += 2
                    } else {
                        out.append(b)
                        level += 1
                        newline()
                        i += 1
                    }
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    level = max(level - 1, 0)
                    newline()
                    out.append(b)
                    i += 1
                case UInt8(ascii: ","):
                    out.append(b)
                    newline()
                    i += 1
                case UInt8(ascii: ":"):
                    out.append(b)
                    out.append(0x20)
                    i += 1
                default:  // a number or a literal, up to the next structural byte
                    let start = i
                    i += 1
                    while i < n {
                        let d = c[i]
                        if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == UInt8(ascii: "]") { break }
                        i += 1
                    }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: c[start..<i]))
                }
            }
        }
    }

    /// The bytes ``serializedBytes(indent:compact:)`` gives for `.array(Array(elements))`, rendered one element at
    /// a time and handed to `sink` in pieces of about `chunkBytes` (each piece once, in order; their concatenation
    /// is exactly those bytes): a long list (a run's batch records) never exists as one `JSONValue` tree, and a
    /// file of it is written without ever holding all of it.
    package static func streamArray<S: Sequence<JSONValue>>(
        _ elements: S, indent: Int? = nil, compact: Bool = false, chunkBytes: Int = 1 << 20,
        to sink: ([UInt8]) throws -> Void
    ) rethrows {
        var w = JSONTextWriter(indent: indent, compact: compact)
        var empty = true
        for e in elements {
            if empty {
                w.out.append(UInt8(ascii: "["))
                empty = false
            } else {
                w.separator()
            }
            w.newline(1)
            w.write(e, level: 1)
            if w.out.count >= chunkBytes {
                try sink(w.out)
                w.out.removeAll(keepingCapacity: true)
            }
        }
        if empty {
            w.ascii("[]")
        } else {
            w.newline(0)
            w.out.append(UInt8(ascii: "]"))
        }
        try sink(w.out)
    }

    /// The text Python's `repr(float)` gives for `d`, which `json.dumps` also uses.
    package static func pythonFloatText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        // Swift's description is the shortest round-trip form too; exponents differ in spelling only.
        var s = d.description
        // Byte scan: `firstIndex(of: Character)` walks grapheme clusters, and this runs for every float written.
        let hasExponent = s.withUTF8 { $0.contains(UInt8(ascii: "e")) }
        if hasExponent, let e = s.firstIndex(of: "e") {
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

    /// A writer whose output starts as `buffer` (no reserve).
    init(indent: Int?, compact: Bool, buffer: [UInt8]) {
        self.indent = indent
        self.compact = compact
        out = buffer
    }

    mutating func ascii(_ s: StaticString) {
        out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func newline(_ level: Int) {
        guard let indent else { return }
        JSONIndentation.appendNewline(indent: indent * level, to: &out)
    }

    mutating func write(_ v: JSONValue, level: Int) {
        switch v {
        case .null: ascii("null")
        case .bool(let b): b ? ascii("true") : ascii("false")
        case .int(let i): writeInt(i)
        case .double(let d): writeDouble(d)
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

    /// ``JSONValue/pythonFloatText(_:)`` written into the output: a finite value without an exponent is Swift's
    /// shortest round-trip text unchanged, which the value writes straight into the output
    /// (`TextOutputStreamable`, through ``ByteSink``: no `String` made); with an exponent, or not finite, the
    /// text is respelt the general way.
    mutating func writeDouble(_ d: Double) {
        if d.isFinite {
            let start = out.count
            var sink = ByteSink()
            swap(&sink.bytes, &out)
            d.write(to: &sink)
            swap(&sink.bytes, &out)
            let plain = out.withUnsafeBufferPointer { text -> Bool in
                for b in text[start...] where b == UInt8(ascii: "e") { return false }
                return true
            }
            if plain { return }
            out.removeSubrange(start...)
        }
        out.append(contentsOf: JSONValue.pythonFloatText(d).utf8)
    }

    mutating func separator() {
        if compact || indent != nil { ascii(",") } else { ascii(", ") }
    }

    /// Decimal digits of `i`, written straight into the output (no intermediate `String`).
    mutating func writeInt(_ i: Int) {
        if i < 0 { out.append(0x2D) }
        var m = i.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for UInt64's 20 digits
        withUnsafeMutableBytes(of: &digits) { raw in
            var first = raw.count
            repeat {
                first -= 1
                raw[first] = 0x30 + UInt8(m % 10)
                m /= 10
            } while m > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[first...]))
        }
    }

    /// A JSON string literal; runs of bytes that need no escape are copied in one go, found eight bytes at a time
    /// (``JSONStringBytes/needsEscape(_:)``).
    mutating func writeString(_ s: String) {
        var s = s
        out.append(0x22)
        s.withUTF8 { bytes in
            let n = bytes.count
            var start = 0
            var k = 0
            while k < n {
                if k + 8 <= n, !JSONStringBytes.needsEscape(JSONStringBytes.word(bytes, at: k)) {
                    k += 8
                    continue
                }
                let end = min(k + 8, n)
                while k < end {
                    let u = bytes[k]
                    if u < 0x20 || u == 0x22 || u == 0x5C {
                        if k > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<k])) }
                        escape(u)
                        start = k + 1
                    }
                    k += 1
                }
            }
            if n > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...])) }
        }
        out.append(0x22)
    }

    /// The escape of a control character, quote or backslash.
    mutating func escape(_ u: UInt8) {
        switch u {
        case 0x22: ascii("\\\"")
        case 0x5C: ascii("\\\\")
        case 0x0A: ascii("\\n")
        case 0x0D: ascii("\\r")
        case 0x09: ascii("\\t")
        case 0x08: ascii("\\b")
        case 0x0C: ascii("\\f")
        default:
            ascii("\\u00")
            out.append(hexDigit(u >> 4))
            out.append(hexDigit(u & 0xF))
        }
    }

    func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x61 + v - 10 }
}

/// A text stream into a byte buffer, for the float writer: a `Double` writes its shortest round-trip text (the
/// same bytes as its `description` for every finite value) as ASCII through `_writeASCII`, which lands here
/// without a `String` in between; any other text arrives through `write(_:)` as its UTF-8 bytes.
private struct ByteSink: TextOutputStream {
    var bytes: [UInt8] = []

    mutating func write(_ string: String) { bytes.append(contentsOf: string.utf8) }

    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }
}

/// The indented layouts' line starts (a newline and the nesting's spaces), shared by the tree writer and
/// ``JSONValue/appendReindented(compact:indent:level:to:)``.
enum JSONIndentation {
    /// A newline and 128 spaces: the indented layouts' line starts are copied from it.
    static let newlineAndSpaces: [UInt8] = [0x0A] + Array(repeating: 0x20, count: 128)

    /// Appends a newline and `indent` spaces.
    static func appendNewline(indent: Int, to out: inout [UInt8]) {
        if indent <= 128 {
            newlineAndSpaces.withUnsafeBufferPointer {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[...indent]))
            }
        } else {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: indent))
        }
    }
}

/// Compact JSON (`","`/`":"` separators, as ``JSONValue/serializedBytes(indent:compact:)`` with `compact`) written
/// piece by piece straight into a byte buffer, for answers rendered on every request: the caller writes the
/// punctuation and keys of a fixed shape as literals, and strings and numbers through the same escaping and digit
/// code as the tree writer, so the bytes are those of the equivalent `JSONValue`. The separators and whitespace
/// are the caller's literals, so a fixed shape in any of the tree writer's layouts (default separators, indented)
/// is written the same way (a simulation's record files).
package struct CompactJSONBytes {
    private var writer = JSONTextWriter(indent: nil, compact: true)

    package init() {}

    /// Bytes written so far.
    package var count: Int { writer.out.count }

    /// The bytes written so far (a copy-on-write value: handing it to a sink copies nothing).
    package var bytes: [UInt8] { writer.out }

    /// Empties the buffer, keeping its storage when `keepingCapacity` (a file written in pieces).
    package mutating func removeAll(keepingCapacity: Bool) { writer.out.removeAll(keepingCapacity: keepingCapacity) }

    /// Reserves room for `n` bytes in all.
    package mutating func reserveCapacity(_ n: Int) { writer.out.reserveCapacity(n) }

    /// Takes the bytes, leaving the buffer empty.
    package mutating func take() -> [UInt8] {
        defer { writer.out = [] }
        return writer.out
    }

    /// Raw text (punctuation, keys and literals the caller knows to be valid JSON).
    package mutating func raw(_ s: StaticString) { writer.ascii(s) }

    /// Raw bytes (a piece this writer or the tree writer wrote before, or text outside the JSON such as an SSE
    /// field name).
    package mutating func raw(bytes: [UInt8]) { writer.out.append(contentsOf: bytes) }

    /// A string literal, escaped as the tree writer escapes it.
    package mutating func string(_ s: String) { writer.writeString(s) }

    /// An integer.
    package mutating func int(_ i: Int) { writer.writeInt(i) }

    /// A float, as Python's `repr` writes it (``JSONValue/pythonFloatText(_:)``).
    package mutating func double(_ d: Double) { writer.writeDouble(d) }
}
