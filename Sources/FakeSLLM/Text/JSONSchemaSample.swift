import MoECore
import SimEngine

/// A JSON document a simulated model "writes" under vLLM's structured outputs (docs/openai-mode.md "Structured
/// outputs and tools"): valid JSON that conforms to a JSON Schema (the subset clients send: `type`, `properties`,
/// `required`, `additionalProperties`, `items`, `minItems`/`maxItems`, `enum`, `const`, `anyOf`/`oneOf`/`allOf`,
/// `$ref` into `$defs`/`definitions`, `minimum`/`maximum`, `minLength`/`maxLength`, nullable type lists), about
/// `tokens` tokens long: free-text strings are filled with ``CompletionText`` words until the document reaches
/// the target. Deterministic for a seed. A pure function.
enum JSONSchemaSample {
    /// A document for `schema` (nil: `json_object`, any object) of about `tokens` tokens, compact as a model
    /// under a grammar writes it.
    static func text(schema: JSONValue?, tokens: Int, seed: UInt64) -> String {
        let schema =
            schema ?? ["type": "object", "properties": ["response": ["type": "string"]], "required": ["response"]]
        // Pass 1: one word per free string, to count them and the fixed part's size.
        var probe = Generator(root: schema, seed: seed, wordsPerString: 1)
        let minimal = probe.value(schema, depth: 0).serialized(compact: true)
        let slots = probe.freeStrings
        let missing = tokens - TokenEstimator.count(minimal)
        guard slots > 0, missing > 0 else { return minimal }
        // Fill, then shrink while escapes and punctuation put the document over the target.
        var words = 1 + missing / slots
        var text = minimal
        for _ in 0..<4 {
            var filled = Generator(root: schema, seed: seed, wordsPerString: words)
            text = filled.value(schema, depth: 0).serialized(compact: true)
            let over = TokenEstimator.count(text) - tokens
            if over <= 0 || words == 1 { break }
            words = max(1, words - (over + slots - 1) / slots)
        }
        return text
    }

    private struct Generator {
        let root: JSONValue
        var rng: SimRandom
        let wordsPerString: Int
        /// Strings with no enum, const, format or length bound (pass 1 counts them).
        var freeStrings = 0

        init(root: JSONValue, seed: UInt64, wordsPerString: Int) {
            self.root = root
            rng = SimRandom(seed: seed)
            self.wordsPerString = wordsPerString
        }

        mutating func value(_ schema: JSONValue, depth: Int) -> JSONValue {
            guard case .object(let s) = schema, depth < 12 else { return depth < 12 ? "" : .null }
            if let ref = s["$ref"]?.stringValue, let target = resolve(ref) { return value(target, depth: depth + 1) }
            if let c = s["const"] { return c }
            if let options = s["enum"]?.arrayValue, !options.isEmpty { return options[rng.below(options.count)] }
            for key in ["anyOf", "oneOf"] {
                if let options = s[key]?.arrayValue, !options.isEmpty {
                    // Prefer a branch that is not null.
                    let nonNull = options.filter { $0["type"]?.stringValue != "null" }
                    let pick = nonNull.isEmpty ? options : nonNull
                    return value(pick[rng.below(pick.count)], depth: depth + 1)
                }
            }
            if let all = s["allOf"]?.arrayValue, !all.isEmpty {
                var merged = s
                merged["allOf"] = nil
                for part in all {
                    let part = (part["$ref"]?.stringValue).flatMap(resolve) ?? part
                    for (k, v) in part.objectValue?.pairs ?? [] where k != "properties" && k != "required" {
                        merged[k] = v
                    }
                    var props = merged["properties"]?.objectValue ?? JSONObject()
                    for (k, v) in part["properties"]?.objectValue?.pairs ?? [] { props[k] = v }
                    if !props.pairs.isEmpty { merged["properties"] = .object(props) }
                    let req = (merged["required"]?.arrayValue ?? []) + (part["required"]?.arrayValue ?? [])
                    if !req.isEmpty { merged["required"] = .array(req) }
                }
                return value(.object(merged), depth: depth + 1)
            }
            var type = s["type"]?.stringValue
            if type == nil, let types = s["type"]?.arrayValue?.compactMap(\.stringValue) {
                type = types.first { $0 != "null" } ?? types.first
            }
            if type == nil { type = s["properties"] != nil ? "object" : (s["items"] != nil ? "array" : "string") }
            switch type {
            case "object":
                var out = JSONObject()
                let props = s["properties"]?.objectValue ?? JSONObject()
                let required = Set((s["required"]?.arrayValue ?? []).compactMap(\.stringValue))
                for (name, sub) in props.pairs where required.contains(name) || required.isEmpty {
                    out[name] = value(sub, depth: depth + 1)
                }
                return .object(out)
            case "array":
                let lo = s["minItems"]?.intValue ?? 1
                let hi = s["maxItems"]?.intValue ?? max(lo, 3)
                let count = max(lo, min(hi, lo + rng.below(max(1, min(hi, 3) - lo + 1))))
                let items = s["items"] ?? ["type": "string"]
                return .array((0..<count).map { _ in value(items, depth: depth + 1) })
            case "integer":
                return .int(Int(number(s, integer: true)))
            case "number":
                return .double((number(s, integer: false) * 100).rounded() / 100)
            case "boolean":
                return .bool(rng.below(2) == 0)
            case "null":
                return .null
            default:
                return .string(string(s))
            }
        }

        private mutating func number(_ s: JSONObject, integer: Bool) -> Double {
            var lo = s["minimum"]?.doubleValue ?? s["exclusiveMinimum"]?.doubleValue.map { $0 + 1 } ?? 0
            var hi = s["maximum"]?.doubleValue ?? s["exclusiveMaximum"]?.doubleValue.map { $0 - 1 } ?? max(lo, 0) + 100
            if hi < lo { swap(&lo, &hi) }
            let v = lo + rng.uniform() * (hi - lo)
            return integer ? min(hi.rounded(.down), max(lo.rounded(.up), v.rounded())) : v
        }

        private mutating func string(_ s: JSONObject) -> String {
            let minLength = s["minLength"]?.intValue ?? 0
            let maxLength = s["maxLength"]?.intValue
            switch s["format"]?.stringValue {
            case "date-time"?: return "2025-01-0\(1 + rng.below(9))T12:00:00Z"
            case "date"?: return "2025-01-0\(1 + rng.below(9))"
            case "email"?: return "user\(rng.below(1000))@example.com"
            case "uri"?, "url"?: return "https://example.com/\(rng.below(1000))"
            case "uuid"?: return "00000000-0000-4000-8000-\(String(format: "%012d", rng.below(1_000_000)))"
            default: break
            }
            var text = CompletionText(seed: rng.next())
            let words = maxLength == nil && s["pattern"] == nil ? wordsPerString : 1
            if maxLength == nil && s["pattern"] == nil { freeStrings += 1 }
            var out = ""
            var n = 0
            while n < words {
                let piece = text.nextPiece()
                if piece.contains("\n") { continue }  // no paragraph breaks inside a JSON string
                out += piece
                n += 1
            }
            while out.count < minLength { out += text.nextPiece() }
            if let maxLength, out.count > maxLength { out = String(out.prefix(maxLength)) }
            return out
        }

        /// `#/$defs/Name` or `#/definitions/Name` in the root schema.
        private func resolve(_ ref: String) -> JSONValue? {
            guard ref.hasPrefix("#/") else { return nil }
            var node: JSONValue? = root
            for part in ref.dropFirst(2).split(separator: "/") {
                node =
                    node?[
                        String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                    ]
            }
            return node
        }
    }
}
