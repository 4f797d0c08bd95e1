/// A JSON value that keeps object keys in insertion order.
///
/// ServerlessLLM and MoE-CAP are Python programs: their JSON objects come out in dict insertion order, and the
/// batch-record format (docs/sllm-api.md §4) is defined by that order. Foundation's encoders do not promise an
/// order, so the project reads and writes JSON through this type. Integers and floating-point numbers stay
/// distinct (`16` vs `16.0`) because Python's `json` keeps them distinct.
///
/// Values are immutable and `Sendable`; build objects with ``JSONObject`` or an array literal of pairs.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// An insertion-ordered JSON object; duplicate keys keep the last value, like Python's `json`.
///
/// Lookups are linear while the object is small (≤ ``indexThreshold`` keys, faster than hashing for the objects
/// this project builds); past that a key → position index is kept beside the pairs, so building or parsing an
/// object of `n` keys costs O(n), not O(n²) (an 80,000-key body parses in milliseconds; docs/http.md).
package struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The members in order.
    package private(set) var pairs: [(key: String, value: JSONValue)]
    /// Position of each key in ``pairs``, kept only past ``indexThreshold`` keys.
    private var index: [String: Int]?

    /// Keys an object may have before lookups go through an index.
    static let indexThreshold = 16

    package init() { pairs = [] }

    /// An object of `pairs`, whose keys are all different (the caller checked), in their order.
    package init(distinctPairs pairs: [(key: String, value: JSONValue)]) {
        self.pairs = pairs
        reindex()
    }

    package init(_ pairs: [(String, JSONValue)]) {
        self.pairs = []
        self.pairs.reserveCapacity(pairs.count)
        for (k, v) in pairs { self[k] = v }
    }

    package init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }

    package var keys: [String] { pairs.map(\.key) }
    package var count: Int { pairs.count }
    package var isEmpty: Bool { pairs.isEmpty }

    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return pairs.firstIndex { $0.key == key }
    }

    private mutating func reindex() {
        guard pairs.count > JSONObject.indexThreshold else {
            index = nil
            return
        }
        var map = [String: Int](minimumCapacity: pairs.count)
        for (i, p) in pairs.enumerated() { map[p.key] = i }
        index = map
    }

    /// The value of `key`, or nil; setting nil removes the key, setting an existing key keeps its position.
    package subscript(key: String) -> JSONValue? {
        get { position(of: key).map { pairs[$0].value } }
        set {
            if let i = position(of: key) {
                if let newValue {
                    pairs[i].value = newValue
                } else {
                    pairs.remove(at: i)
                    reindex()
                }
            } else if let newValue {
                pairs.append((key, newValue))
                if index != nil {
                    index![key] = pairs.count - 1
                } else if pairs.count > JSONObject.indexThreshold {
                    reindex()
                }
            }
        }
    }

    /// Removes `key` and returns its value (Python's `dict.pop`).
    @discardableResult
    package mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = position(of: key) else { return nil }
        defer { reindex() }
        return pairs.remove(at: i).value
    }

    package static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.pairs.count == b.pairs.count && zip(a.pairs, b.pairs).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .int(value) }
    package init(floatLiteral value: Double) { self = .double(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    package init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// The object's member `key`; nil for non-objects.
    package subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    package var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }
    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
    package var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
    /// Integer value; a float with an integral value counts too (Python accepts `16.0` for an int in many places).
    package var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9e18: return Int(d)
        default: return nil
        }
    }
    /// Numeric value of an int or a double (not of a bool).
    package var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    package var isNull: Bool { self == .null }

    /// The Python type name of this value, for error messages that mimic Python's.
    package var pythonTypeName: String {
        switch self {
        case .null: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        }
    }

    /// Python truthiness (`if value:`).
    package var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }
}
