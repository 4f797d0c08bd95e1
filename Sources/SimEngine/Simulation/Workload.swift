import MoECore

/// One client request of a simulated workload.
package struct WorkloadRequest: Sendable, Equatable {
    /// When the client wants to send it (s); under a concurrency cap it is sent at the first moment after this
    /// when a slot is free.
    package var arrival: Double
    package var promptTokens: Int
    /// Output tokens the model would generate before EOS.
    package var outputTokens: Int
    /// `max_tokens`.
    package var maxTokens: Int
    package var ignoreEOS: Bool
    /// Chained block hashes of the prompt (shared prefixes share leading hashes).
    package var prefixBlockHashes: [UInt64]

    package init(
        arrival: Double, promptTokens: Int, outputTokens: Int, maxTokens: Int? = nil, ignoreEOS: Bool = false,
        prefixBlockHashes: [UInt64] = []
    ) {
        self.arrival = arrival
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.maxTokens = maxTokens ?? outputTokens
        self.ignoreEOS = ignoreEOS
        self.prefixBlockHashes = prefixBlockHashes
    }
}

/// A list of requests plus how the client paces them.
package struct Workload: Sendable, Equatable {
    /// Requests in arrival order.
    package var requests: [WorkloadRequest]
    /// At most this many requests in flight (vLLM bench's `--max-concurrency`); nil = unlimited.
    package var maxConcurrency: Int?

    package init(requests: [WorkloadRequest], maxConcurrency: Int? = nil) {
        self.requests = requests.sorted { $0.arrival < $1.arrival }
        self.maxConcurrency = maxConcurrency
    }
}

/// When synthetic requests arrive.
package enum ArrivalPattern: Sendable, Equatable {
    /// Everything at time 0 (MoE-CAP's and the seed evaluator's `asyncio.gather`).
    case allAtOnce
    /// A Poisson process of `rate` requests per second.
    case poisson(rate: Double)
    /// Evenly spaced at `rate` requests per second (inference-perf's constant load).
    case constant(rate: Double)
}

/// A generated workload: lengths from distributions, optional shared prefixes and prompt reuse.
///
/// Prompts are synthetic token sequences: the first ``sharedPrefixTokens`` tokens come from one of
/// ``prefixGroups`` group prompts (request i uses group i mod groups), the rest are unique to the prompt. With
/// ``distinctPrompts`` set, request i reuses prompt i mod distinctPrompts (inference-perf's shared-prefix data
/// generator cycles through its prompts this way), so the prefix cache sees whole-prompt repeats.
package struct SyntheticWorkload: Sendable, Equatable {
    package var count: Int
    package var arrival: ArrivalPattern
    package var promptTokens: LengthDistribution
    package var outputTokens: LengthDistribution
    /// `max_tokens` of every request; nil = each request's output length (it stops by length).
    package var maxTokens: Int?
    package var ignoreEOS: Bool
    package var maxConcurrency: Int?
    package var sharedPrefixTokens: Int
    package var prefixGroups: Int
    package var distinctPrompts: Int?
    package var blockSize: Int
    package var seed: UInt64

    package init(
        count: Int, arrival: ArrivalPattern = .allAtOnce, promptTokens: LengthDistribution,
        outputTokens: LengthDistribution, maxTokens: Int? = nil, ignoreEOS: Bool = false, maxConcurrency: Int? = nil,
        sharedPrefixTokens: Int = 0, prefixGroups: Int = 1, distinctPrompts: Int? = nil, blockSize: Int = 16,
        seed: UInt64 = 0
    ) {
        self.count = count
        self.arrival = arrival
        self.promptTokens = promptTokens
        self.outputTokens = outputTokens
        self.maxTokens = maxTokens
        self.ignoreEOS = ignoreEOS
        self.maxConcurrency = maxConcurrency
        self.sharedPrefixTokens = sharedPrefixTokens
        self.prefixGroups = max(prefixGroups, 1)
        self.distinctPrompts = distinctPrompts
        self.blockSize = blockSize
        self.seed = seed
    }

    /// The requests, deterministic for the seed.
    package func generate() -> Workload {
        var lengths = SimRandom(seed: seed, stream: 0x4C65_6E67)  // "Leng"
        var arrivals = SimRandom(seed: seed, stream: 0x4172_7276)  // "Arrv"
        var out: [WorkloadRequest] = []
        out.reserveCapacity(count)
        var promptCache: [Int: (tokens: Int, output: Int, hashes: [UInt64])] = [:]
        var t = 0.0
        for i in 0..<count {
            switch arrival {
            case .allAtOnce: t = 0
            case .poisson(let rate): t += arrivals.exponential(mean: 1 / rate)
            case .constant(let rate): t = Double(i) / rate
            }
            let promptIndex = distinctPrompts.map { i % max($0, 1) } ?? i
            let prompt: (tokens: Int, output: Int, hashes: [UInt64])
            if let cached = promptCache[promptIndex] {
                prompt = cached
            } else {
                let p = promptTokens.sample(&lengths)
                let o = outputTokens.sample(&lengths)
                let group = promptIndex % prefixGroups
                let hashes = SyntheticWorkload.promptHashes(
                    tokens: p, sharedPrefix: sharedPrefixTokens, group: group, prompt: promptIndex,
                    blockSize: blockSize, seed: seed)
                prompt = (p, o, hashes)
                if distinctPrompts != nil { promptCache[promptIndex] = prompt }
            }
            out.append(
                WorkloadRequest(
                    arrival: t, promptTokens: prompt.tokens, outputTokens: prompt.output, maxTokens: maxTokens,
                    ignoreEOS: ignoreEOS, prefixBlockHashes: prompt.hashes))
        }
        return Workload(requests: out, maxConcurrency: maxConcurrency)
    }

    /// Block hashes of a synthetic prompt: token ids are a pure function of (group, position) inside the shared
    /// prefix and of (prompt, position) after it.
    ///
    /// Token id at `pos`: `mix(seed ^ mix(owner) ^ pos) & 0xFFFFF`, the owner being the group inside the shared
    /// prefix and the prompt after it. Both owners' keys (`seed ^ mix(owner)`) are computed once, and only the
    /// tokens of full blocks are hashed (a trailing partial block gets no hash): the same hashes, bit for bit,
    /// as hashing every token with its owner mixed in each time (EngineSimulationTests checks them against that).
    static func promptHashes(tokens: Int, sharedPrefix: Int, group: Int, prompt: Int, blockSize: Int, seed: UInt64)
        -> [UInt64]
    {
        let sharedKey = seed ^ BlockHasher.mix(0x4752_0000_0000 &+ UInt64(group))
        let ownKey = seed ^ BlockHasher.mix(0x5052_0000_0000 &+ UInt64(prompt))
        let hashed = blockSize > 0 ? tokens / blockSize * blockSize : 0
        let ids = (0..<max(hashed, 0)).lazy.map { pos -> UInt64 in
            BlockHasher.mix((pos < sharedPrefix ? sharedKey : ownKey) ^ UInt64(pos)) & 0xF_FFFF
        }
        return BlockHasher.hashes(tokens: ids, blockSize: blockSize)
    }
}
