import MoECore
import SimEngine

/// vLLM 0.11's `SamplingParams`, built from the keys left in a chat body after the backend pops `model`,
/// `messages`, `prompt`, `input_tokens` and `request_id` (sllm_api.md §3.6 steps 2–5).
///
/// Construction mimics `SamplingParams(**rest)`: an unknown key raises msgspec's
/// `Unexpected keyword argument '<key>'`, and `_verify_args` raises vLLM's value errors. The backend turns either
/// into HTTP 200 `{"error": "Invalid sampling parameters: <text>"}`.
public struct SamplingParams: Sendable, Equatable {
    public var n = 1
    /// vLLM's default is 16 when omitted (§3.6 step 5); an explicit `null` means no limit but `max_model_len`.
    public var maxTokens: Int? = 16
    public var minTokens = 0
    public var temperature = 1.0
    var topP = 1.0
    public var topK = 0
    public var seed: Int?
    public var stop: [String] = []
    public var ignoreEOS = false
    public var logprobs: Int?

    /// The fields of vLLM 0.11's `SamplingParams` (msgspec struct); any other key is rejected.
    static let fields: Set<String> = [
        "n", "best_of", "presence_penalty", "frequency_penalty", "repetition_penalty", "temperature", "top_p",
        "top_k", "min_p", "seed", "stop", "stop_token_ids", "bad_words", "ignore_eos", "max_tokens", "min_tokens",
        "logprobs", "prompt_logprobs", "detokenize", "skip_special_tokens", "spaces_between_special_tokens",
        "logits_processors", "include_stop_str_in_output", "truncate_prompt_tokens", "output_kind",
        "guided_decoding", "structured_outputs", "logit_bias", "allowed_token_ids", "extra_args",
    ]

    /// The error text of a failed construction (without the `Invalid sampling parameters: ` prefix).
    public struct Invalid: Error, Sendable, Equatable {
        public let text: String
    }

    /// Builds the parameters from the remaining body keys, in body order (Python raises on the first bad key).
    public init(_ rest: JSONObject) throws(Invalid) {
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
            self.n = n
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
            logprobs = v
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
