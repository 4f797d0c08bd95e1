import Testing

@testable import MoECore

@Suite struct JSONTests {
    @Test func objectKeysKeepInsertionOrder() throws {
        let v = try JSONValue.parse(#"{"z": 1, "a": 2, "m": {"y": true, "b": null}}"#)
        #expect(v.objectValue?.keys == ["z", "a", "m"])
        #expect(v["m"]?.objectValue?.keys == ["y", "b"])
        #expect(v.serialized() == #"{"z": 1, "a": 2, "m": {"y": true, "b": null}}"#)
    }

    @Test func intsAndFloatsStayDistinct() throws {
        let v = try JSONValue.parse("[16, 16.0, -0, 1e2, 2.5E-3]")
        #expect(v == .array([.int(16), .double(16), .int(0), .double(100), .double(0.0025)]))
        #expect(v.serialized() == "[16, 16.0, 0, 100.0, 0.0025]")
        #expect(v.arrayValue?[1].intValue == 16)
        #expect(JSONValue.double(16.5).intValue == nil)
        #expect(JSONValue.bool(true).doubleValue == nil)
    }

    @Test(arguments: [
        (1e16, "1e+16"), (1e15, "1000000000000000.0"), (1e-05, "1e-05"), (0.0001, "0.0001"), (0.1, "0.1"),
        (1.0, "1.0"), (123456789012345680.0, "1.2345678901234568e+17"), (-2.5e-7, "-2.5e-07"),
        (3.35e12, "3350000000000.0"),
    ])
    func floatsPrintLikePythonRepr(value: Double, text: String) {
        #expect(JSONValue.pythonFloatText(value) == text)
        #expect(JSONValue.double(value).serialized() == text)
    }

    /// The writer's float fast path (description bytes copied when there is no exponent) writes exactly
    /// `pythonFloatText` for values of every magnitude, special values included; `appendSerialized` continues a
    /// buffer with exactly the bytes `serializedBytes` gives.
    @Test func writerFloatsAndAppendedValuesMatchTheGeneralPath() {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for exponent in -30...30 {
            values.append(Double.random(in: 1...10, using: &rng) * pow10(exponent))
            values.append(-Double.random(in: 1...10, using: &rng) * pow10(exponent))
        }
        // Any bit pattern (NaN payloads included), and short decimals such as simulated times.
        for _ in 0..<20_000 {
            let d = Double(bitPattern: rng.next())
            #expect(JSONValue.double(d).serializedBytes() == Array(JSONValue.pythonFloatText(d).utf8), "\(d)")
            var c = CompactJSONBytes()
            c.double(d)
            #expect(c.take() == Array(JSONValue.pythonFloatText(d).utf8), "\(d)")
        }
        for _ in 0..<5_000 { values.append(Double(rng.next() % 10_000_000) / 1e6) }
        var appended: [UInt8] = [0x41]
        var expected: [UInt8] = [0x41]
        for d in values {
            #expect(JSONValue.double(d).serialized() == JSONValue.pythonFloatText(d), "\(d)")
            let v = JSONValue.object(JSONObject([("x", .double(d)), ("n", .int(-7)), ("s", .string("é\n"))]))
            v.appendSerialized(to: &appended, indent: 2)
            expected.append(contentsOf: v.serializedBytes(indent: 2))
        }
        #expect(appended == expected)
    }

    private func pow10(_ e: Int) -> Double {
        var x = 1.0
        for _ in 0..<abs(e) { x *= 10 }
        return e < 0 ? 1 / x : x
    }

    @Test func nanAndInfinityRoundTrip() throws {
        let v = try JSONValue.parse("[NaN, Infinity, -Infinity]")
        guard case .array(let a) = v, case .double(let nan) = a[0] else {
            Issue.record("not an array of doubles")
            return
        }
        #expect(nan.isNaN)
        #expect(a[1] == .double(.infinity))
        #expect(a[2] == .double(-.infinity))
        #expect(v.serialized() == "[NaN, Infinity, -Infinity]")
    }

    @Test func stringEscapesRoundTrip() throws {
        let text = #""quote \" backslash \\ slash \/ nl \n tab \t ctl \u001f e\u0301 \ud83d\ude00 ü""#
        let v = try JSONValue.parse(text)
        #expect(v.stringValue == "quote \" backslash \\ slash / nl \n tab \t ctl \u{1F} e\u{301} 😀 ü")
        // Python json.dumps(ensure_ascii=False): only quote, backslash and control characters are escaped.
        #expect(v.serialized() == #""quote \" backslash \\ slash / nl \n tab \t ctl \u001f e\#u{301} 😀 ü""#)
        #expect(try JSONValue.parse(v.serialized()) == v)
    }

    @Test func indentedLayoutMatchesPython() {
        let v: JSONValue = ["a": [1, 2], "b": [:], "c": [], "d": ["x": "y"]]
        // json.dumps(v, indent=2)
        let expected = """
            {
              "a": [
                1,
                2
              ],
              "b": {},
              "c": [],
              "d": {
                "x": "y"
              }
            }
            """
        #expect(v.serialized(indent: 2) == expected)
        #expect(v.serialized(compact: true) == #"{"a":[1,2],"b":{},"c":[],"d":{"x":"y"}}"#)
    }

    @Test func streamedArraysMatchTheTree() throws {
        let items: [JSONValue] = [
            1, -42, .int(Int.min), .double(0.1), .double(1e-7), "a\"b\\c\n\u{1}é", [], [:], ["k": [1, ["x": .null]]],
            true,
        ]
        for n in [0, 1, items.count] {
            let part = Array(items.prefix(n))
            for (indent, compact) in [(Int?.none, false), (nil, true), (2, false), (4, false)] {
                var whole: [UInt8] = []
                JSONValue.streamArray(part, indent: indent, compact: compact, chunkBytes: .max) { whole += $0 }
                #expect(whole == JSONValue.array(part).serializedBytes(indent: indent, compact: compact))
            }
        }
        // In small pieces (every piece once, in order), the same bytes.
        for chunk in [1, 7, 64] {
            var pieces: [UInt8] = []
            JSONValue.streamArray(items, indent: 2, chunkBytes: chunk) { pieces.append(contentsOf: $0) }
            #expect(pieces == JSONValue.array(items).serializedBytes(indent: 2))
        }
        #expect(JSONValue.int(Int.min).serialized() == "-9223372036854775808")
        #expect(JSONValue.int(0).serialized() == "0")
        #expect(JSONValue.string("tab\there \u{7f}ünï").serialized() == "\"tab\\there \u{7f}ünï\"")
    }

    @Test func duplicateKeysKeepLastValueAtFirstPosition() throws {
        let v = try JSONValue.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(v.objectValue?.keys == ["a", "b"])
        #expect(v["a"] == .int(3))
        // Keys of one length, of several, escaped or not, around the index threshold: the same members as
        // setting them one by one into an object.
        for count in [2, 15, 16, 17, 18, 40] {
            let keys = (0..<count).map {
                ["id", "ab", "abc", "latency", "gpu_num", "caf\\u00e9", "café"][$0 % 7] + "\($0 % 9)"
            }
            let text = "{" + keys.enumerated().map { "\"\($1)\": \($0)" }.joined(separator: ", ") + "}"
            var expected = JSONObject()
            for (i, k) in keys.enumerated() { expected[try JSONValue.parse("\"\(k)\"").stringValue!] = .int(i) }
            #expect(try JSONValue.parse(text) == .object(expected), "\(count) keys")
        }
        // Keys Python tells apart (other code points) stay apart even where String calls them equal.
        let kelvin = try JSONValue.parse(#"{"K": 1, "\u212a": 2}"#)
        #expect(kelvin.objectValue?.count == 2)
    }

    @Test func objectSubscriptSetAndRemove() {
        var o: JSONObject = ["a": 1, "b": 2, "c": 3]
        o["b"] = "x"
        o["d"] = 4
        o["a"] = nil
        #expect(o.keys == ["b", "c", "d"])
        #expect(o.removeValue(forKey: "c") == .int(3))
        #expect(JSONValue.object(o).serialized() == #"{"b": "x", "d": 4}"#)
    }

    @Test(arguments: [
        "", "[1,]", "{\"a\" 1}", "{'a': 1}", "[1] x", "\"abc", "tru", "01", "1.", "-", "\"\\x\"", "[1 2]",
    ])
    func malformedInputThrows(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func extraDataErrorNamesOffset() {
        do {
            _ = try JSONValue.parse("{} x")
            Issue.record("no error")
        } catch {
            #expect(error.message == "Extra data")
            #expect(error.offset == 3)
        }
    }

    @Test func deepNestingIsRejectedNotCrashing() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
        let ok = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValue.parse(ok)) != nil)
    }

    @Test func pythonTruthinessAndTypeNames() {
        #expect(!JSONValue.array([]).isTruthy)
        #expect(JSONValue.array([0]).isTruthy)
        #expect(!JSONValue.string("").isTruthy)
        #expect(!JSONValue.double(0).isTruthy)
        #expect(JSONValue.int(3).pythonTypeName == "int")
        #expect(JSONValue.object([:]).pythonTypeName == "dict")
        #expect(JSONValue.null.pythonTypeName == "NoneType")
    }
}

/// Issue 18: objects build and parse in time linear in their key count (docs/http.md); the index kept for large
/// objects must not change what an object means.
@Suite struct LargeJSONObjectTests {
    @Test func anObjectOf80kKeysParsesWithItsOrderAndLastDuplicateWins() throws {
        var text = "{"
        for i in 0..<80_000 { text += "\"k\(i)\":\(i)," }
        text += "\"k5\":\"again\"}"
        let v = try JSONValue.parse(text)
        let o = try #require(v.objectValue)
        #expect(o.count == 80_000)
        #expect(o["k79999"] == .int(79_999))
        #expect(o["k5"] == "again")
        #expect(o.pairs[5].key == "k5")  // a repeated key keeps its first position, as a Python dict does
        #expect(o["missing"] == nil)
    }

    @Test func removingAndSettingKeepTheIndexTrue() {
        var o = JSONObject((0..<40).map { ("k\($0)", JSONValue.int($0)) })
        #expect(o.removeValue(forKey: "k3") == .int(3))
        #expect(o["k4"] == .int(4) && o["k3"] == nil && o.count == 39)
        o["k4"] = nil
        o["new"] = true
        #expect(o.keys.last == "new" && o["k39"] == .int(39) && o["k4"] == nil)
        // Shrinking below the threshold goes back to linear lookups without losing anything.
        for i in 5..<40 { o["k\(i)"] = nil }
        #expect(o.keys == ["k0", "k1", "k2", "new"])
        #expect(o["new"] == true)
        #expect(o == JSONObject([("k0", 0), ("k1", 1), ("k2", 2), ("new", true)]))
    }

    /// A parse asks whether to stop every 65,536 values: a body whose client has left is not parsed to the end.
    @Test func aParseStopsWhenAskedTo() throws {
        let big = "[" + Array(repeating: "1", count: 200_000).joined(separator: ",") + "]"
        var asked = 0
        #expect(throws: JSONParseError.self) {
            _ = try JSONValue.parse(Array(big.utf8)) {
                asked += 1
                return true
            }
        }
        #expect(asked == 1)
        let whole = try JSONValue.parse(Array(big.utf8)) { false }
        #expect(whole.arrayValue?.count == 200_000)
    }
}

/// The parser's number fast path (no `String`, no `strtod`) against the general conversion (`Int(text)`,
/// `Double(text)`), on edge cases and on generated texts of every shape the grammar allows.
@Suite struct JSONNumberFastPathTests {
    /// The value the general path gives for `text`, as the parser built it before the fast path.
    func general(_ text: String) -> JSONValue? {
        let isFloat = text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
        if !isFloat, let v = Int(text) { return .int(v) }
        return Double(text).map { .double($0) }
    }

    func parsed(_ text: String) throws -> JSONValue {
        try JSONValue.parse(text)
    }

    /// Same value, and for doubles the same bits (so -0.0 and 0.0 differ).
    func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (.double(let x)?, .double(let y)?): x.bitPattern == y.bitPattern
        default: a == b
        }
    }

    @Test(arguments: [
        "0", "-0", "7", "-7", "123456789012345678", "-123456789012345678", "1234567890123456789",
        "9223372036854775807", "-9223372036854775808", "9223372036854775808", "0.0", "-0.0", "0.1", "0.3",
        "1.5", "-2.25", "9007199254740993.0", "9007199254740992.0", "9007199254740991.0", "0.1e1", "1e22",
        "1e23", "1e-22", "1e-23", "8.98846567431158e307", "1.7976931348623157e308", "5e-324", "4.9e-324",
        "2.2250738585072014e-308", "123456789012345678e-5", "0.000000000000000000000001", "1E+2", "1e+0",
        "100000000000000000000000.0", "3.0e-5", "0.00123", "1234.5678e-10", "1.00000000000000000000",
        "0.30000000000000004", "2.9802322387695312e-08", "1e400", "-1e400", "1e-400",
    ])
    func edgeCasesMatchTheGeneralPath(text: String) throws {
        let v = try parsed(text)
        #expect(same(v, general(text)), "\(text): \(v) vs \(String(describing: general(text)))")
    }

    @Test func generatedNumbersMatchTheGeneralPath() throws {
        var rng = SimRandom(seed: 20)
        var mismatches: [String] = []
        for n in 0..<60_000 {
            var text = rng.next() % 2 == 0 ? "-" : ""
            let intDigits = Int(rng.next() % 20) + 1
            text += String(rng.next() % 9 + 1)
            for _ in 1..<intDigits { text += String(rng.next() % 10) }
            if n % 7 == 0 { text = (text.hasPrefix("-") ? "-" : "") + "0" }
            if rng.next() % 4 != 0 {
                text += "."
                for _ in 0..<Int(rng.next() % 20) + 1 { text += String(rng.next() % 10) }
            }
            if rng.next() % 3 == 0 {
                text += ["e", "E", "e+", "e-", "E-"][Int(rng.next() % 5)] + String(rng.next() % 40)
            }
            if !same(try parsed(text), general(text)) { mismatches.append(text) }
        }
        // Random doubles in their shortest form (any exponent) and short decimals: the texts real writers produce.
        for _ in 0..<40_000 {
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF) * (rng.next() % 2 == 0 ? 1 : -1)
            let scaled = d.isFinite ? d : 1.0
            for text in [JSONValue.pythonFloatText(scaled), "\(Double(rng.next() % 100_000) / 1000)"] {
                if !same(try parsed(text), general(text)) { mismatches.append(text) }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }
}

/// ``JSONValue/appendReindented(compact:indent:level:to:)`` against the tree writer's indented layout.
@Suite struct JSONReindentTests {
    static let samples: [JSONValue] = [
        .null, .bool(true), .int(-3), .string("ends in a backslash \\"), .string("\\\""), .double(2.5e-7),
        .string(#"a "quoted", {braced}: [x] \ back\slash"#),
        .array([]), .object(JSONObject()), .array([.array([]), .object(JSONObject()), .array([.int(1)])]),
        .object(
            JSONObject([
                ("prompt", .string("Item 1: a, b: c {d} [e] \"f\" \\\\ é ✓ \u{1}\n")), ("expected", "42"),
                ("response", .object(JSONObject([("choices", .array([.object(JSONObject([("text", "x,y")]))]))]))),
                ("latency_s", .double(0.000123)), ("ttft_s", .null), ("empty", .array([])),
                ("none", .object(JSONObject())),
                ("nested", .array([.array([.int(1), .int(2)]), .object(JSONObject([("k", .bool(false))]))])),
            ])),
    ]

    @Test(arguments: [0, 1, 3])
    func layoutMatchesTheTreeWriter(level: Int) {
        for value in Self.samples {
            for indent in [2, 4] {
                // The value as an element at `level`: wrap it in `level` single-element arrays and compare the
                // wrapped documents.
                var wrapped = value
                for _ in 0..<level { wrapped = .array([wrapped]) }
                let expected = wrapped.serializedBytes(indent: indent)
                var out: [UInt8] = []
                for l in 0..<level {
                    out.append(UInt8(ascii: "["))
                    out.append(0x0A)
                    out.append(contentsOf: repeatElement(0x20, count: indent * (l + 1)))
                }
                JSONValue.appendReindented(
                    compact: value.serializedBytes(compact: true), indent: indent, level: level, to: &out)
                for l in (0..<level).reversed() {
                    out.append(0x0A)
                    out.append(contentsOf: repeatElement(0x20, count: indent * l))
                    out.append(UInt8(ascii: "]"))
                }
                #expect(
                    String(decoding: out, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
                    "\(value) at level \(level), indent \(indent)")
            }
        }
    }

    /// Text that is not a serialiser's output stays inside its buffer: an unterminated string (short, and longer
    /// than a word), one cut after a backslash, and more closing brackets than opening ones.
    @Test func malformedTextIsCopiedWithoutReadingPastItsEnd() {
        for text in [#""abc"#, #""abcdefghijklmnop"#, #""ab"#, #""abcdefghij"#, "]]", "[1]]}"] {
            var out: [UInt8] = []
            JSONValue.appendReindented(compact: Array(text.utf8), indent: 2, level: 0, to: &out)
            #expect(out.count >= text.utf8.count, "\(text)")
        }
    }
}

/// The writer's and parser's eight-bytes-at-a-time string scans against a byte-by-byte reference, with the byte
/// that must be escaped (or one that must not) at every position of strings around the word size.
@Suite struct JSONStringScanTests {
    /// The escaped literal, one byte at a time (the writer before the word scan).
    func reference(_ s: String) -> String {
        var out: [UInt8] = [0x22]
        for u in s.utf8 {
            switch u {
            case 0x22: out += Array("\\\"".utf8)
            case 0x5C: out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x0C: out += Array("\\f".utf8)
            case 0..<0x20: out += Array(("\\u00" + (u < 0x10 ? "0" : "") + String(u, radix: 16)).utf8)
            default: out.append(u)
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func everyPositionOfEveryKindOfByte() throws {
        let pieces = ["\u{0}", "\u{1F}", "\"", "\\", "\n", " ", "!", "\u{7F}", "é", "✓", "[", "#"]
        for length in 0...26 {
            for p in 0...max(0, length - 1) {
                for piece in pieces {
                    var s = String(repeating: "a", count: p) + piece
                    s += String(repeating: "b", count: max(0, length - p - 1))
                    let written = JSONValue.string(s).serialized()
                    #expect(written == reference(s), "\(length) \(p) \(piece.unicodeScalars.first!.value)")
                    #expect(try JSONValue.parse(written) == .string(s))
                    // Two at once, far apart and adjacent.
                    let t = s + piece + String(repeating: "c", count: length) + piece
                    #expect(JSONValue.string(t).serialized() == reference(t))
                    #expect(try JSONValue.parse(JSONValue.string(t).serialized()) == .string(t))
                }
            }
        }
    }
}
