/// Errors from ``JSONValue/parse(_:)``, worded like Python's `json.JSONDecodeError`.
package struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    package let message: String
    /// Byte offset of the problem.
    package let offset: Int
    package var description: String { "\(message): char \(offset)" }
}

extension JSONValue {
    /// Parses UTF-8 JSON text (RFC 8259, plus Python's `NaN`/`Infinity`). Nesting depth is limited to 512.
    package static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try parse(bytes, shouldStop: nil)
    }

    /// Parses as ``parse(_:)``, asking `shouldStop` every 65,536 values whether to give up (the client that sent
    /// the body has left: docs/http.md); giving up throws `Cancelled`.
    package static func parse(
        _ bytes: some Collection<UInt8>, shouldStop: (() -> Bool)?
    ) throws(JSONParseError) -> JSONValue {
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buf throws(JSONParseError) in
            var p = JSONByteParser(buf)
            p.shouldStop = shouldStop
            p.skipSpace()
            let v = try p.value(depth: 0)
            p.skipSpace()
            if p.i != buf.count { throw p.error("Extra data") }
            return v
        }
    }

    /// Parses JSON text.
    package static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

private struct JSONByteParser {
    let b: UnsafeBufferPointer<UInt8>
    var i = 0
    var shouldStop: (() -> Bool)?
    var values = 0

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    func error(_ m: String) -> JSONParseError { JSONParseError(message: m, offset: i) }

    mutating func skipSpace() {
        while i < b.count {
            switch b[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    mutating func literal(_ word: StaticString, _ v: JSONValue) throws(JSONParseError) -> JSONValue {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { throw error("Expecting value") }
        let w = word.utf8Start
        for k in 0..<n where b[i + k] != w[k] { throw error("Expecting value") }
        i += n
        return v
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < 512 else { throw error("Nesting too deep") }
        values &+= 1
        if values & 0xFFFF == 0, let shouldStop, shouldStop() { throw error("Cancelled") }
        guard i < b.count else { throw error("Expecting value") }
        switch b[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
        case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("Expecting value")
        }
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        i += 1
        // Members go into `pairs` while the object is small; past JSONObject's index threshold, into the object
        // itself (which then keeps an index).
        var pairs: [(key: String, value: JSONValue)] = []
        var obj: JSONObject?
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "}") {
            i += 1
            return .object(JSONObject())
        }
        while true {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else {
                throw error("Expecting property name enclosed in double quotes")
            }
            let key = try string()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("Expecting ':' delimiter") }
            i += 1
            skipSpace()
            let v = try value(depth: depth + 1)
            if obj != nil {
                obj![key] = v
            } else if let k = Self.position(of: key, in: pairs) {
                pairs[k].value = v
            } else if pairs.count < JSONObject.indexThreshold {
                pairs.append((key, v))
            } else {
                obj = JSONObject(distinctPairs: pairs)
                obj![key] = v
            }
            skipSpace()
            guard i < b.count else { throw error("Expecting ',' delimiter") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if b[i] == UInt8(ascii: "}") {
                i += 1
                return .object(obj ?? JSONObject(distinctPairs: pairs))
            }
            throw error("Expecting ',' delimiter")
        }
    }

    /// Where `key` already is among a small object's members (a duplicate key: its last value wins, in its first
    /// position, like Python's `json`). Keys of different UTF-8 lengths are different keys, as they are to Python
    /// (which compares code points, where `String` compares canonical equivalence: `"K"` and the Kelvin sign
    /// `"\u{212A}"` are one key to `String`, two to Python and to this parser); keys of the same length are
    /// compared as `String`s. Most members are told apart by their length alone, without a string comparison.
    @inline(__always)
    static func position(of key: String, in pairs: [(key: String, value: JSONValue)]) -> Int? {
        let count = key.utf8.count
        for k in pairs.indices where pairs[k].key.utf8.count == count && pairs[k].key == key { return k }
        return nil
    }

    mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        i += 1
        var out: [JSONValue] = []
        skipSpace()
        if i < b.count, b[i] == UInt8(ascii: "]") {
            i += 1
            return .array(out)
        }
        while true {
            skipSpace()
            out.append(try value(depth: depth + 1))
            skipSpace()
            guard i < b.count else { throw error("Expecting ',' delimiter") }
            if b[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if b[i] == UInt8(ascii: "]") {
                i += 1
                return .array(out)
            }
            throw error("Expecting ',' delimiter")
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= b.count else { throw error("Invalid \\uXXXX escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = b[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("Invalid \\uXXXX escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    mutating func string() throws(JSONParseError) -> String {
        i += 1
        let start = i
        // Fast path: no escapes. Eight bytes at a time while none of them ends it.
        while i + 8 <= b.count, !JSONStringBytes.needsEscape(JSONStringBytes.word(b, at: i)) { i += 8 }
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
                i += 1
                return s
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            i += 1
        }
        var out = Array(b[start..<i])
        while i < b.count {
            // The run of plain bytes up to the next quote, backslash or control byte, copied in one go.
            let run = i
            while i + 8 <= b.count, !JSONStringBytes.needsEscape(JSONStringBytes.word(b, at: i)) { i += 8 }
            while i < b.count, b[i] >= 0x20, b[i] != UInt8(ascii: "\""), b[i] != UInt8(ascii: "\\") { i += 1 }
            if i > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: b[run..<i])) }
            guard i < b.count else { break }
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if c < 0x20 { throw error("Invalid control character at") }
            i += 1
            guard i < b.count else { throw error("Unterminated string starting at") }
            let e = b[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= b.count, b[i] == UInt8(ascii: "\\"),
                    b[i + 1] == UInt8(ascii: "u")
                {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw error("Invalid \\escape")
            }
        }
        throw error("Unterminated string starting at")
    }

    mutating func number() throws(JSONParseError) -> JSONValue {
        let start = i
        var isFloat = false
        if b[i] == UInt8(ascii: "-") { i += 1 }
        guard i < b.count else { throw error("Expecting value") }
        if b[i] == UInt8(ascii: "I") {
            _ = try literal("Infinity", .null)
            return .double(-.infinity)
        }
        guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) else { throw error("Expecting value") }
        if b[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1 }
        }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            isFloat = true
            i += 1
            let digits = i
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1 }
            if i == digits { throw error("Expecting value") }
        }
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            let digits = i
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1 }
            if i == digits { throw error("Expecting value") }
        }
        if let v = JSONByteParser.fastNumber(UnsafeBufferPointer(rebasing: b[start..<i]), isFloat: isFloat) {
            return v
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        if !isFloat, let v = Int(text) { return .int(v) }
        guard let d = Double(text) else { throw error("Expecting value") }
        return .double(d)
    }

    /// Powers of ten that a `Double` holds exactly (10^0 … 10^22).
    private static let exactPowersOfTen: [Double] = (0...22).map { e in
        var p = 1.0
        for _ in 0..<e { p *= 10 }
        return p
    }

    /// The value of a number already checked against JSON's grammar, without building a `String` or calling
    /// `strtod`, where that is exact: an integer of at most 18 digits, or a decimal whose significant digits fit
    /// 2^53 with a power of ten of at most 22 either way (Clinger's fast path: both operands are exact doubles,
    /// so the one multiplication or division rounds correctly, as `strtod` does). Nil for anything else, which
    /// the caller converts the general way.
    static func fastNumber(_ t: UnsafeBufferPointer<UInt8>, isFloat: Bool) -> JSONValue? {
        var k = 0
        let negative = t[0] == UInt8(ascii: "-")
        if negative { k = 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var sawPoint = false
        while k < t.count {
            let c = t[k]
            if c == UInt8(ascii: ".") {
                sawPoint = true
            } else if c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                if mantissa != 0 || c != UInt8(ascii: "0") { digits += 1 }
                guard digits <= 18 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(c &- UInt8(ascii: "0"))
                if sawPoint { fraction += 1 }
            } else {
                break  // e or E
            }
            k += 1
        }
        if !isFloat {
            let magnitude = Int(mantissa)
            return .int(negative ? -magnitude : magnitude)
        }
        var exponent = 0
        if k < t.count {  // the exponent part: [eE][+-]?digits
            k += 1
            var expNegative = false
            if t[k] == UInt8(ascii: "-") || t[k] == UInt8(ascii: "+") {
                expNegative = t[k] == UInt8(ascii: "-")
                k += 1
            }
            while k < t.count {
                exponent = exponent * 10 + Int(t[k] &- UInt8(ascii: "0"))
                guard exponent <= 1000 else { return nil }
                k += 1
            }
            if expNegative { exponent = -exponent }
        }
        let power = exponent - fraction
        guard mantissa <= 1 << 53, power >= -22, power <= 22 else { return nil }
        let m = Double(mantissa)
        let d = power < 0 ? m / exactPowersOfTen[-power] : m * exactPowersOfTen[power]
        return .double(negative ? -d : d)
    }
}
