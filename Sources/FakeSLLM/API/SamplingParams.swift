import MoECore
import SimEngine

/// vLLM 0.11's `SamplingParams`, built from the keys left in a chat body after the backend pops `model`,
/// `messages`, `prompt`, `input_tokens` and `request_id` (docs/sllm-api.md §3.6 steps 2–5).
///
/// Construction mimics `SamplingParams(**rest)`: an unknown key raises msgspec's
/// `Unexpected keyword argument '<key>'`, and `_verify_args` raises vLLM's value errors. The backend turns either
/// into HTTP 200 `{"error": "Invalid sampling parameters: <text>"}`.
package struct SamplingParams: Sendable, Equatable {
    package var n = 1
    /// vLLM's default is 16 when omitted (§3.6 step 5); an explicit `null` means no limit but `max_model_len`.
    package var maxTokens: Int? = 16
    package var minTokens = 0
    package var temperature = 1.0
    var topP = 1.0
    package var topK = 0
    package var seed: Int?
    package var stop: [String] = []
    package var ignoreEOS = false
    package var logprobs: Int?

    /// The fields of vLLM 0.11's `SamplingParams` (msgspec struct); any other key is rejected.
    static let fields: Set<String> = [
        "n", "best_of", "presence_penalty", "frequency_penalty", "repetition_penalty", "temperature", "top_p",
        "top_k", "min_p", "seed", "stop", "stop_token_ids", "bad_words", "ignore_eos", "max_tokens", "min_tokens",
        "logprobs", "prompt_logprobs", "detokenize", "skip_special_tokens", "spaces_between_special_tokens",
        "logits_processors", "include_stop_str_in_output", "truncate_prompt_tokens", "output_kind",
        "guided_decoding", "structured_outputs", "logit_bias", "allowed_token_ids", "extra_args",
    ]

    /// Size bounds that keep one request from holding an engine for minutes (docs/http.md, "Limits"). vLLM's
    /// own: `max_logprobs` (20 by default) and `best_of ≥ n`. The simulator's, where vLLM has none and the
    /// work would grow without bound: `n` and `best_of` (each choice is an engine request), `n × max_tokens`,
    /// the stop list, and the token-id lists and `logit_bias` entries.
    package enum Limits {
        package static let maxN = 128
        package static let maxLogprobs = 20
        package static let maxTotalTokens = 4 << 20
        package static let maxStopStrings = 64
        package static let maxStopBytes = 1_024
        package static let maxListEntries = 4_096
    }

    /// The error text of a failed construction (without the `Invalid sampling parameters: ` prefix).
    package struct Invalid: Error, Sendable, Equatable {
        package let text: String
    }

    /// Builds the parameters from the remaining body keys, in body order (Python raises on the first bad key).
    package init(_ rest: JSONObject) throws(Invalid) {
        for (key, _) in rest.pairs where !SamplingParams.fields.contains(key) {
            throw Invalid(text: "Unexpected keyword argument '\(key)'")
        }
        func number(_ key: String) throws(Invalid) -> Double? {
            guard let v = rest[key], !v.isNull else { return nil }
            if case .bool(let b) = v { return b ? 1 : 0 }  // Python: bool is an int
            guard let d = v.doubleValue else {
                throw Invalid(text: "'<' not supported between instances of '\(v.pythonTypeName)' and 'int'")
            }
            return d
        }
        func integer(_ key: String) throws(Invalid) -> Int? {
            guard let d = try number(key) else { return nil }
            guard d.rounded() == d, abs(d) < 9e18 else {
                throw Invalid(text: "\(key) must be an integer, got \(JSONValue.pythonFloatText(d)).")
            }
            return Int(d)
        }

        // _verify_args, in vLLM's order.
        if let n = try integer("n") {
            guard n >= 1 else { throw Invalid(text: "n must be at least 1, got \(n).") }
            guard n <= Limits.maxN else { throw Invalid(text: "n must be at most \(Limits.maxN), got \(n).") }
            self.n = n
        }
        if let b = try integer("best_of") {
            guard b >= self.n else {
                throw Invalid(text: "best_of must be greater than or equal to n, got n=\(self.n) and best_of=\(b).")
            }
            guard b <= Limits.maxN else {
                throw Invalid(text: "best_of must be at most \(Limits.maxN), got \(b).")
            }
        }
        for key in ["presence_penalty", "frequency_penalty"] {
            if let v = try number(key), !(-2...2).contains(v) {
                throw Invalid(text: "\(key) must be in [-2, 2], got \(pyText(rest[key]!)).")
            }
        }
        if let v = try number("repetition_penalty"), v <= 0 {
            throw Invalid(
                text: "repetition_penalty must be greater than zero, got \(pyText(rest["repetition_penalty"]!)).")
        }
        if let t = try number("temperature") {
            guard t >= 0 else {
                throw Invalid(text: "temperature must be non-negative, got \(pyText(rest["temperature"]!)).")
            }
            temperature = t
        }
        if let p = try number("top_p") {
            guard p > 0, p <= 1 else { throw Invalid(text: "top_p must be in (0, 1], got \(pyText(rest["top_p"]!)).") }
            topP = p
        }
        if let k = try integer("top_k") {
            guard k >= -1 else { throw Invalid(text: "top_k must be 0 (disable), or at least 1, got \(k).") }
            topK = k
        }
        if let m = try number("min_p"), !(0...1).contains(m) {
            throw Invalid(text: "min_p must be in [0, 1], got \(pyText(rest["min_p"]!)).")
        }
        if let mt = rest["max_tokens"] {
            if mt.isNull {
                maxTokens = nil
            } else {
                guard let v = try integer("max_tokens") else { throw Invalid(text: "max_tokens must be an integer") }
                guard v >= 1 else { throw Invalid(text: "max_tokens must be at least 1, got \(v).") }
                maxTokens = v
            }
        }
        if let v = try integer("min_tokens") {
            guard v >= 0 else { throw Invalid(text: "min_tokens must be greater than or equal to 0, got \(v).") }
            if let maxTokens, v > maxTokens {
                throw Invalid(text: "min_tokens must be less than or equal to max_tokens=\(maxTokens), got \(v).")
            }
            minTokens = v
        }
        if let v = try integer("logprobs") {
            guard v >= 0 else { throw Invalid(text: "logprobs must be non-negative, got \(v).") }
            guard v <= Limits.maxLogprobs else {
                throw Invalid(
                    text: "Requested sample logprobs of \(v), which is greater than max allowed: \(Limits.maxLogprobs)")
            }
            logprobs = v
        }
        if let maxTokens, maxTokens > Limits.maxTotalTokens / self.n {
            throw Invalid(
                text: "n × max_tokens must be at most \(Limits.maxTotalTokens), got \(self.n) × \(maxTokens).")
        }
        for key in ["stop_token_ids", "bad_words", "allowed_token_ids"] {
            if let list = rest[key]?.arrayValue, list.count > Limits.maxListEntries {
                throw Invalid(text: "\(key) must have at most \(Limits.maxListEntries) entries, got \(list.count).")
            }
        }
        if let bias = rest["logit_bias"], !bias.isNull {
            guard case .object(let o) = bias else {
                throw Invalid(text: "logit_bias must be a dict of token id to bias")
            }
            guard o.count <= Limits.maxListEntries else {
                throw Invalid(text: "logit_bias must have at most \(Limits.maxListEntries) entries, got \(o.count).")
            }
            for (k, v) in o.pairs {
                guard Int(k) != nil, let d = v.doubleValue, d.isFinite else {
                    throw Invalid(text: "logit_bias must map token ids to numbers")
                }
            }
        }
        if let s = rest["seed"], !s.isNull {
            guard let v = s.intValue else {
                throw Invalid(text: "seed must be an integer, got \(s.pythonTypeName)")
            }
            seed = v
        }
        if let s = rest["stop"], !s.isNull {
            switch s {
            case .string(let one): stop = [one]
            case .array(let many):
                stop = many.compactMap(\.stringValue)
                guard stop.count == many.count else {
                    throw Invalid(text: "stop must be a string or a list of strings")
                }
            default: throw Invalid(text: "stop must be a string or a list of strings")
            }
            if stop.contains("") { throw Invalid(text: "stop cannot contain an empty string.") }
            guard stop.count <= Limits.maxStopStrings else {
                throw Invalid(text: "stop must have at most \(Limits.maxStopStrings) strings, got \(stop.count).")
            }
            guard stop.allSatisfy({ $0.utf8.count <= Limits.maxStopBytes }) else {
                throw Invalid(text: "each stop string must be at most \(Limits.maxStopBytes) bytes.")
            }
        }
        if let e = rest["ignore_eos"], !e.isNull { ignoreEOS = e.isTruthy }
    }

    /// Python's text for a number as it appears in an f-string.
    private func pyText(_ v: JSONValue) -> String {
        switch v {
        case .double(let d): return JSONValue.pythonFloatText(d)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "True" : "False"
        default: return v.serialized()
        }
    }
}
