import SimEngine

/// One workload of a sweep: synthetic (lengths from distributions, an arrival pattern, an optional concurrency
/// cap) or a trace of `{"arrival_s", "prompt_tokens", "output_tokens"}` lines.
public struct SweepWorkload: Sendable, Equatable {
    /// Name shown in the outputs.
    public var name: String
    /// The synthetic generator (its block size and seed are set per point), or nil for a trace.
    public var synthetic: SyntheticWorkload?
    /// The trace's text (JSON Lines), or nil.
    public var trace: String?
    /// Concurrency cap of a trace replay.
    var traceConcurrency: Int?

    /// A synthetic workload.
    public init(name: String, synthetic: SyntheticWorkload) {
        self.name = name
        self.synthetic = synthetic
    }

    /// A trace replay.
    public init(name: String, trace: String, maxConcurrency: Int? = nil) {
        self.name = name
        self.trace = trace
        traceConcurrency = maxConcurrency
    }

    /// GSM8K-sized: the 1,319 requests of its test split, prompts of about 150 tokens, answers of about 250, all
    /// sent at once (MoE-CAP's evaluator).
    public static let gsm8k = SweepWorkload(
        name: "gsm8k",
        synthetic: SyntheticWorkload(
            count: 1319, promptTokens: .normal(mean: 150, std: 40), outputTokens: .normal(mean: 250, std: 80)))

    /// The requests for an engine of `blockSize`, deterministic for `seed`.
    public func generate(blockSize: Int, seed: UInt64) throws -> Workload {
        if let trace {
            return try TraceReader.parse(trace, maxConcurrency: traceConcurrency, blockSize: blockSize, seed: seed)
        }
        var s = synthetic!
        s.blockSize = blockSize
        s.seed = seed
        return s.generate()
    }

    /// Parses `NAME,key=value,…` with keys `requests`, `prompt`, `output` (length distributions as `simulate`
    /// takes them), `rate` (requests/s; 0 = all at once), `arrival` (`poisson` or `constant`), `concurrency`,
    /// `max_tokens`.
    /// - Throws: ``SimulationInputError`` naming the bad part.
    public init(parsing text: String) throws(SimulationInputError) {
        let parts = text.split(separator: ",").map(String.init)
        guard let first = parts.first, !first.contains("=") else {
            throw SimulationInputError("workload '\(text)': start with its name, e.g. gsm8k,requests=1319")
        }
        var s = SweepWorkload.gsm8k.synthetic!
        var rate = 0.0
        var poisson = true
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw SimulationInputError("workload '\(text)': '\(part)' is not key=value") }
            switch kv[0] {
            case "requests":
                guard let n = Int(kv[1]), n >= 1 else { throw SimulationInputError("workload requests must be ≥ 1") }
                s.count = n
            case "prompt": s.promptTokens = try LengthDistribution(parsing: kv[1])
            case "output": s.outputTokens = try LengthDistribution(parsing: kv[1])
            case "rate":
                guard let r = Double(kv[1]), r >= 0, r.isFinite else {
                    throw SimulationInputError("workload rate must be a number ≥ 0")
                }
                rate = r
            case "arrival":
                guard kv[1] == "poisson" || kv[1] == "constant" else {
                    throw SimulationInputError("workload arrival must be poisson or constant")
                }
                poisson = kv[1] == "poisson"
            case "concurrency":
                guard let c = Int(kv[1]), c >= 1 else {
                    throw SimulationInputError("workload concurrency must be ≥ 1")
                }
                s.maxConcurrency = c
            case "max_tokens":
                guard let m = Int(kv[1]), m >= 1 else { throw SimulationInputError("workload max_tokens must be ≥ 1") }
                s.maxTokens = m
            default:
                throw SimulationInputError(
                    "workload '\(text)': unknown key '\(kv[0])' (requests, prompt, output, rate, arrival, concurrency, max_tokens)"
                )
            }
        }
        s.arrival = rate > 0 ? (poisson ? .poisson(rate: rate) : .constant(rate: rate)) : .allAtOnce
        self.init(name: first, synthetic: s)
    }
}
