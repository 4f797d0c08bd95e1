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
