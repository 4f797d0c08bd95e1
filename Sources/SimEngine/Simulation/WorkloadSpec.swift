/// A workload before its requests are drawn: a name and either synthetic settings or a trace. The one workload
/// grammar of the command line (docs/engine.md "Workload grammar"): `sweep --workload NAME,key=value,…` is parsed
/// by ``init(parsing:defaults:)``, `simulate`'s workload flags go through the same ``set(_:to:spelling:)``
/// one flag per key, so a key means, accepts and refuses the same thing in both.
///
/// Keys (``Key``): `requests`, `prompt` and `output` (length distributions, ``LengthDistribution/init(parsing:)``),
/// `rate` (requests/s, 0 = all at once), `arrival` (`poisson`, `constant`, `all-at-once`), `concurrency`,
/// `max_tokens`, `ignore_eos`, `shared_prefix_tokens`, `prefix_groups`, `distinct_prompts`.
package struct WorkloadSpec: Sendable, Equatable {
    /// Name shown in the outputs.
    package var name: String
    /// The synthetic generator's settings (its block size and seed are set per run); of a trace, only
    /// `maxConcurrency` is used.
    package var synthetic: SyntheticWorkload
    /// The trace's text (JSON Lines of `{"arrival_s", "prompt_tokens", "output_tokens"}`), or nil for synthetic
    /// requests.
    package var trace: String?
    /// Requests per second; 0 sends everything at once.
    private var rate: Double
    /// How requests arrive when ``rate`` is positive.
    private var arrival: Arrival

    /// How synthetic requests arrive (the `arrival` key).
    package enum Arrival: String, Sendable, CaseIterable {
        case poisson, constant
        case allAtOnce = "all-at-once"
    }

    /// One key of the grammar; `flag` is `simulate`'s flag for it.
    package enum Key: String, Sendable, CaseIterable {
        case requests, prompt, output, rate, arrival, concurrency
        case maxTokens = "max_tokens"
        case ignoreEOS = "ignore_eos"
        case sharedPrefixTokens = "shared_prefix_tokens"
        case prefixGroups = "prefix_groups"
        case distinctPrompts = "distinct_prompts"

        /// `simulate`'s flag for this key.
        package var flag: String {
            switch self {
            case .prompt: return "--prompt-tokens"
            case .output: return "--output-tokens"
            case .arrival: return "--workload"
            case .ignoreEOS: return "--ignore-eos"
            default: return "--" + rawValue.split(separator: "_").joined(separator: "-")
            }
        }
    }

    /// Whose words an error uses: the text grammar's (`workload requests must …`) or `simulate`'s flags
    /// (`--requests must …`).
    package enum Spelling: Sendable { case text, flags }

    /// Synthetic requests from `synthetic`; its `arrival` is kept.
    package init(name: String, synthetic: SyntheticWorkload) {
        self.name = name
        self.synthetic = synthetic
        switch synthetic.arrival {
        case .allAtOnce: (rate, arrival) = (0, .poisson)
        case .poisson(let r): (rate, arrival) = (r, .poisson)
        case .constant(let r): (rate, arrival) = (r, .constant)
        }
    }

    /// A trace replay, at most `maxConcurrency` requests in flight.
    package init(name: String, trace: String, maxConcurrency: Int? = nil) {
        self.init(
            name: name,
            synthetic: SyntheticWorkload(count: 1, promptTokens: .fixed(1), outputTokens: .fixed(1)))
        self.trace = trace
        synthetic.maxConcurrency = maxConcurrency
    }

    /// GSM8K-sized: the 1,319 requests of its test split, prompts of about 150 tokens, answers of about 250, all
    /// sent at once (MoE-CAP's evaluator). The defaults of `sweep --workload`.
    package static let gsm8k = WorkloadSpec(
        name: "gsm8k",
        synthetic: SyntheticWorkload(
            count: 1319, promptTokens: .normal(mean: 150, std: 40), outputTokens: .normal(mean: 250, std: 80)))

    /// Parses `NAME,key=value,…`; keys not given keep the values of `defaults`.
    /// - Throws: ``SimulationInputError`` naming the bad part.
    package init(parsing text: String, defaults: WorkloadSpec = .gsm8k) throws(SimulationInputError) {
        let parts = text.split(separator: ",").map(String.init)
        guard let first = parts.first, !first.contains("=") else {
            throw SimulationInputError("workload '\(text)': start with its name, e.g. gsm8k,requests=1319")
        }
        self = defaults
        name = first
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw SimulationInputError("workload '\(text)': '\(part)' is not key=value") }
            guard let key = Key(rawValue: kv[0]) else {
                let keys = Key.allCases.map(\.rawValue).joined(separator: ", ")
                throw SimulationInputError("workload '\(text)': unknown key '\(kv[0])' (\(keys))")
            }
            try set(key, to: kv[1])
        }
    }

    /// Sets one key from its text; the one check of each key's value.
    /// - Throws: ``SimulationInputError`` in the words of `spelling`.
    package mutating func set(_ key: Key, to value: String, spelling: Spelling = .text) throws(SimulationInputError) {
        let subject = spelling == .text ? "workload \(key.rawValue)" : key.flag
        func count(atLeast low: Int) throws(SimulationInputError) -> Int {
            guard let n = Int(value), n >= low else {
                throw SimulationInputError("\(subject) must be an integer ≥ \(low), got '\(value)'")
            }
            return n
        }
        func lengths() throws(SimulationInputError) -> LengthDistribution {
            do { return try LengthDistribution(parsing: value) } catch {
                throw SimulationInputError("\(subject): \(error)")
            }
        }
        switch key {
        case .requests: synthetic.count = try count(atLeast: 1)
        case .prompt: synthetic.promptTokens = try lengths()
        case .output: synthetic.outputTokens = try lengths()
        case .rate:
            guard let r = Double(value), r >= 0, r.isFinite else {
                throw SimulationInputError("\(subject) must be a number ≥ 0, got '\(value)'")
            }
            rate = r
        case .arrival:
            guard let a = Arrival(rawValue: value) else {
                let names = Arrival.allCases.map(\.rawValue).joined(separator: ", ")
                throw SimulationInputError("\(subject) must be one of \(names), got '\(value)'")
            }
            arrival = a
        case .concurrency: synthetic.maxConcurrency = try count(atLeast: 1)
        case .maxTokens: synthetic.maxTokens = try count(atLeast: 1)
        case .ignoreEOS:
            guard let b = Bool(value) else {
                throw SimulationInputError("\(subject) must be true or false, got '\(value)'")
            }
            synthetic.ignoreEOS = b
        case .sharedPrefixTokens: synthetic.sharedPrefixTokens = try count(atLeast: 0)
        case .prefixGroups: synthetic.prefixGroups = try count(atLeast: 1)
        case .distinctPrompts: synthetic.distinctPrompts = try count(atLeast: 1)
        }
        synthetic.arrival =
            rate == 0 || arrival == .allAtOnce
            ? .allAtOnce : arrival == .constant ? .constant(rate: rate) : .poisson(rate: rate)
    }

    /// The requests for an engine of `blockSize`, deterministic for `seed`.
    /// - Throws: ``SimulationInputError`` for a bad trace line.
    package func generate(blockSize: Int, seed: UInt64) throws -> Workload {
        if let trace {
            return try TraceReader.parse(
                trace, maxConcurrency: synthetic.maxConcurrency, blockSize: blockSize, seed: seed)
        }
        var s = synthetic
        s.blockSize = blockSize
        s.seed = seed
        return s.generate()
    }
}
