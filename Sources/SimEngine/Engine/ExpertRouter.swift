import Foundation
import MoECore

/// Simulated MoE routing: per MoE layer, every token picks `k` distinct experts from a popularity distribution
/// (``RoutingConfig``); a step's expert activation is the number of distinct experts that received at least one
/// token, averaged over MoE layers (docs/sllm-api.md §4).
///
/// Two regimes keep it cheap and statistically right:
/// - **Exact** when `tokens · k · moeLayers` is at most ``exactDrawBudget``: every choice is drawn (alias table,
///   duplicates rejected — sampling without replacement proportional to popularity, the Plackett–Luce model a
///   Gumbel-perturbed top-k router follows).
/// - **Moments** otherwise: expert j is left untouched by n tokens with probability `(1−π_j)^n`, where `π_j` is
///   its exact Plackett–Luce inclusion probability (computed once per distribution by numerical integration).
///   The mean untouched count `Σ_j (1−π_j)^n` is exact; its variance includes the within-token negative
///   correlation between experts (see ``moments(tokens:)``). The total untouched count over all layers is drawn
///   as Poisson when small (rare events, where the variance is not needed) and normal otherwise. Means are cached
///   per token count (O(E) the first time), variances too (their O(E²) pair term only on a grid of counts), so a
///   step costs O(1) once its count has been seen. For uniform routing the mean is `E·(1−(1−k/E)^n)` per layer.
///
/// Deterministic for a given seed. Not thread-safe: owned by one ``EngineCore``.
struct ExpertRouter {
    /// Routed experts per MoE layer and experts per token.
    let numExperts: Int
    let topK: Int
    /// MoE layers.
    let moeLayers: Int
    /// Draws above which the moments regime is used.
    let exactDrawBudget: Int

    /// Every layer's alias table (``AliasTable``) and probabilities laid end to end (layer l at
    /// `l · numExperts`), for the exact regime's raw-buffer loop.
    private var flatKeep: [Double] = []
    private var flatAlias: [Int32] = []
    private var flatProbabilities: [Double] = []
    /// With a power-of-two expert count: the keep test in integers and every column's threshold, laid out as
    /// ``flatKeep`` (the same draws, fewer steps: ``AliasTable/IntegerKeep``); else nil and empty.
    private let integerKeep: AliasTable.IntegerKeep?
    private var flatThresholds: [UInt64] = []
    /// Inclusion probabilities π_j of each distinct distribution (one per distribution, not per layer).
    private(set) var inclusion: [[Double]]
    /// For each distinct distribution, how many layers use it.
    private var distributionLayers: [Int]
    /// The popularity distribution of each MoE layer (an index into ``inclusion``).
    private var distributionOfLayer: [Int] = []
    private var rng: SimRandom
    private var momentCache: [Int: (mean: Double, variance: Double)] = [:]
    private var firstMomentCache: [Int: (mean: Double, bernoulli: [Double])] = [:]
    private var meanCache: [Double] = []
    private var pairRatioCache: [Int: [Int: Double]] = [:]
    private var pairTables: [Int: PairTable] = [:]
    /// Distributions whose pair term is computed (all, or eight evenly spaced ones).
    private var sampledDistributions: [Int] = []
    private var layerMark: [UInt32]
    private var tokenMark: [UInt32]
    private var layerStamp: UInt32 = 0
    private var tokenStamp: UInt32 = 0

    /// - Parameters:
    ///   - config: the popularity model.
    ///   - numExperts: E (> 0).
    ///   - topK: k (1…E).
    ///   - moeLayers: MoE layers (> 0).
    ///   - seed: randomness seed (layer permutations and draws).
    ///   - exactDrawBudget: per-step draw count up to which routing is sampled exactly.
    /// - Throws: ``EngineConfigError`` when a counts matrix does not match the model or has fewer than k positive
    ///   experts in a row.
    init(
        config: RoutingConfig, numExperts: Int, topK: Int, moeLayers: Int, seed: UInt64,
        exactDrawBudget: Int = 4096
    ) throws(EngineConfigError) {
        precondition(numExperts > 0 && topK > 0 && topK <= numExperts && moeLayers > 0)
        self.numExperts = numExperts
        self.topK = topK
        self.moeLayers = moeLayers
        self.exactDrawBudget = exactDrawBudget
        rng = SimRandom(seed: seed, stream: 0x526F_7574_6572)  // "Router"
        layerMark = [UInt32](repeating: 0, count: numExperts)
        tokenMark = [UInt32](repeating: 0, count: numExperts)
        var weightsPerLayer: [[Double]] = []
        var distributions: [[Double]] = []
        var layerDistribution: [Int] = []
        switch config {
        case .uniform:
            let w = [Double](repeating: 1, count: numExperts)
            distributions = [w]
            weightsPerLayer = [[Double]](repeating: w, count: moeLayers)
            layerDistribution = [Int](repeating: 0, count: moeLayers)
        case .zipf(let exponent):
            let base = (0..<numExperts).map { pow(Double($0 + 1), -exponent) }
            distributions = [base]
            var permRNG = SimRandom(seed: seed, stream: 0x5065_726D)  // "Perm"
            for _ in 0..<moeLayers {
                var order = Array(0..<numExperts)
                for i in stride(from: numExperts - 1, to: 0, by: -1) {
                    order.swapAt(i, permRNG.below(i + 1))
                }
                var w = [Double](repeating: 0, count: numExperts)
                for (rank, expert) in order.enumerated() { w[expert] = base[rank] }
                weightsPerLayer.append(w)
                layerDistribution.append(0)
            }
        case .counts(let matrix):
            guard matrix.count == 1 || matrix.count == moeLayers else {
                throw EngineConfigError(
                    "routing counts have \(matrix.count) rows; the model has \(moeLayers) MoE layers (give 1 or "
                        + "\(moeLayers) rows)")
            }
            for (i, row) in matrix.enumerated() {
                guard row.count == numExperts else {
                    throw EngineConfigError(
                        "routing counts row \(i) has \(row.count) experts; the model has \(numExperts)")
                }
                guard row.filter({ $0 > 0 }).count >= topK else {
                    throw EngineConfigError(
                        "routing counts row \(i) has fewer than top-k = \(topK) experts with a positive count")
                }
            }
            distributions = matrix
            for l in 0..<moeLayers {
                let r = matrix.count == 1 ? 0 : l
                weightsPerLayer.append(matrix[r])
                layerDistribution.append(r)
            }
        }
        let tables = weightsPerLayer.map { AliasTable(weights: $0) }
        flatKeep = tables.flatMap(\.keep)
        flatAlias = tables.flatMap(\.alias)
        flatProbabilities = tables.flatMap(\.probabilities)
        integerKeep = AliasTable.IntegerKeep(columns: numExperts)
        if let integerKeep { flatThresholds = flatKeep.map { integerKeep.threshold(keep: $0) } }
        distributionOfLayer = layerDistribution
        distributionLayers = [Int](repeating: 0, count: distributions.count)
        for d in layerDistribution { distributionLayers[d] += 1 }
        inclusion = distributions.map { InclusionCache.probabilities(weights: $0, k: topK) }
        sampledDistributions =
            inclusion.count <= 8 ? Array(inclusion.indices) : (0..<8).map { $0 * (inclusion.count - 1) / 7 }
    }

    /// Tokens each expert of each MoE layer receives from a step of `tokens` tokens, apportioned from their
    /// expectations (`tokens ×` the expert's top-k inclusion probability) by largest remainders, so every layer's
    /// counts sum to exactly `tokens × topK` (the counts of the expert-distribution recorder's stat modes,
    /// docs/sllm-api.md §3.10).
    func expectedCounts(tokens: Int) -> [[Int]] {
        distributionOfLayer.map { d in
            let quotas = inclusion[d].map { Double(tokens) * $0 }
            var counts = quotas.map { Int($0.rounded(.down)) }
            let missing = tokens * topK - counts.reduce(0, +)
            if missing > 0 {
                let order = quotas.indices.sorted { a, b in
                    let fa = quotas[a] - Double(counts[a])
                    let fb = quotas[b] - Double(counts[b])
                    return fa != fb ? fa > fb : a < b
                }
                for e in order.prefix(missing) { counts[e] += 1 }
            }
            return counts
        }
    }

    /// Routes `tokens` tokens through every MoE layer.
    /// - Returns: Σ over MoE layers of distinct experts touched (the mean over layers is this ÷ ``moeLayers``).
    mutating func route(tokens: Int) -> Double {
        guard tokens > 0 else { return 0 }
        if tokens * topK * moeLayers <= exactDrawBudget { return routeExactly(tokens: tokens) }
        let total = Double(numExperts * moeLayers)
        let untouchedMean = total - mean(tokens: tokens)
        var untouched: Double
        if untouchedMean < 25 {
            // Rare untouched experts: their count is Poisson (Le Cam), and the variance is not needed.
            untouched = Double(rng.poisson(untouchedMean))
        } else {
            untouched = (untouchedMean + moments(tokens: tokens).variance.squareRoot() * rng.normal()).rounded()
        }
        // Each layer touches between k and min(k·n, E) experts.
        let minUntouched = Double(max(numExperts - topK * tokens, 0) * moeLayers)
        let maxUntouched = Double((numExperts - topK) * moeLayers)
        untouched = min(max(untouched, minUntouched), maxUntouched)
        return total - untouched
    }

    /// Expected Σ over MoE layers of distinct experts for `tokens` tokens, and its variance.
    ///
    /// Per layer, with u_j = (1−π_j)^n the chance that expert j stays untouched: mean = Σ_j (1 − u_j) (exact);
    /// variance = Σ_j u_j(1−u_j) + Σ_{i≠j} (P(a token avoids i and j)^n − u_i u_j). For uniform routing the pair
    /// term is exact in closed form. Otherwise the pair inclusion probabilities use Hájek's approximation
    /// π_ij ∝ π_i π_j (1 − (1−π_i)(1−π_j)/D), D = Σ π_l(1−π_l), scaled so that Σ_{i≠j} π_ij = k(k−1); the O(E²)
    /// pair sum is evaluated on a geometric grid of token counts (every count up to 16, then steps of 12 %) and
    /// its ratio to the first term interpolated in log n. With more than eight distinct layer distributions (a
    /// counts matrix), eight of them stand for the rest.
    mutating func moments(tokens: Int) -> (mean: Double, variance: Double) {
        if let cached = momentCache[tokens] { return cached }
        let first = firstMoments(tokens: tokens)
        var variance = 0.0
        var ratioSum = 0.0
        var ratioCount = 0
        for d in sampledDistributions {
            let r = pairRatio(distribution: d, tokens: tokens)
            ratioSum += r
            ratioCount += 1
            variance += Double(distributionLayers[d]) * max(first.bernoulli[d] * (1 + r), 0)
        }
        let meanRatio = ratioCount > 0 ? ratioSum / Double(ratioCount) : 0
        for d in inclusion.indices where !sampledDistributions.contains(d) {
            variance += Double(distributionLayers[d]) * max(first.bernoulli[d] * (1 + meanRatio), 0)
        }
        momentCache[tokens] = (first.mean, variance)
        return (first.mean, variance)
    }

    /// Expected Σ over MoE layers of distinct experts (cached in an array: the per-step hot path).
    private mutating func mean(tokens: Int) -> Double {
        if tokens < meanCache.count, !meanCache[tokens].isNaN { return meanCache[tokens] }
        let m = firstMoments(tokens: tokens).mean
        if tokens >= meanCache.count {
            meanCache.append(contentsOf: repeatElement(.nan, count: tokens + 1 - meanCache.count))
        }
        meanCache[tokens] = m
        return m
    }

    /// The mean, and each distribution's Σ u(1−u), for `tokens` tokens (O(E) per distribution, cached).
    private mutating func firstMoments(tokens: Int) -> (mean: Double, bernoulli: [Double]) {
        if let cached = firstMomentCache[tokens] { return cached }
        let n = Double(tokens)
        var mean = 0.0
        var bernoulli: [Double] = []
        bernoulli.reserveCapacity(inclusion.count)
        for (d, pi) in inclusion.enumerated() {
            var distinct = 0.0
            var b = 0.0
            for p in pi {
                let u = p >= 1 ? 0 : pow(1 - p, n)
                distinct += 1 - u
                b += u * (1 - u)
            }
            mean += Double(distributionLayers[d]) * distinct
            bernoulli.append(b)
        }
        firstMomentCache[tokens] = (mean, bernoulli)
        return (mean, bernoulli)
    }

    /// Pair term ÷ first term of one distribution's variance at `tokens` tokens.
    private mutating func pairRatio(distribution d: Int, tokens: Int) -> Double {
        let pi = inclusion[d]
        if pi.allSatisfy({ $0 == pi[0] }) {
            // Uniform: P(avoid i and j) = (E−k)(E−k−1)/(E(E−1)) exactly.
            let e = Double(pi.count)
            let k = pi[0] * e
            let n = Double(tokens)
            let u = pow(1 - k / e, n)
            let bern = e * u * (1 - u)
            guard bern > 0, e > 1 else { return 0 }
            let pair = e * (e - 1) * (pow((e - k) * (e - k - 1) / (e * (e - 1)), n) - u * u)
            return pair / bern
        }
        func grid(_ i: Int) -> Int { i <= 16 ? i : Int((16 * pow(1.12, Double(i - 16))).rounded()) }
        func ratioAt(_ n: Int) -> Double {
            if let r = pairRatioCache[d]?[n] { return r }
            let bern = pi.reduce(0.0) { acc, p in
                let u = p >= 1 ? 0 : pow(1 - p, Double(n))
                return acc + u * (1 - u)
            }
            if pairTables[d] == nil { pairTables[d] = PairTable(pi) }
            let r = bern > 0 ? ExpertRouter.pairCovariance(pairTables[d]!, tokens: Double(n)) / bern : 0
            pairRatioCache[d, default: [:]][n] = r
            return r
        }
        var i = 1
        while grid(i + 1) <= tokens { i += 1 }
        let low = grid(i)
        if low == tokens { return ratioAt(low) }
        let high = grid(i + 1)
        let t = (log(Double(tokens)) - log(Double(low))) / (log(Double(high)) - log(Double(low)))
        return ratioAt(low) * (1 - t) + ratioAt(high) * t
    }

    /// Σ_{i≠j} Cov(untouched_i, untouched_j) for one layer after n tokens (see ``moments(tokens:)``).
    static func pairCovariance(_ pi: [Double], tokens n: Double) -> Double {
        pairCovariance(PairTable(pi), tokens: n)
    }

    /// Σ_{i≠j} Cov(untouched_i, untouched_j) from precomputed logarithms.
    static func pairCovariance(_ table: PairTable, tokens n: Double) -> Double {
        var total = 0.0
        table.logUntouched.withUnsafeBufferPointer { logSingle in
            table.logAvoid.withUnsafeBufferPointer { logAvoid in
                var p = 0
                for i in 0..<logSingle.count {
                    let li = logSingle[i]
                    for j in (i + 1)..<logSingle.count {
                        total += exp(n * logAvoid[p]) - exp(n * (li + logSingle[j]))
                        p += 1
                    }
                }
            }
        }
        return 2 * total
    }

    /// ln(1−π_j) of the experts that are neither certain nor impossible, and ln P(a token avoids i and j) of
    /// their pairs (row-major upper triangle): what the pair term needs for any n, computed once per
    /// distribution. Pair probabilities are Hájek's, scaled so that Σ_{i≠j} π_ij = k(k−1).
    struct PairTable {
        var logUntouched: [Double] = []
        var logAvoid: [Double] = []

        init(_ pi: [Double]) {
            var dSum = 0.0
            var k = 0.0
            for p in pi {
                dSum += p * (1 - p)
                k += p
            }
            let free = pi.filter { $0 > 0 && $0 < 1 }
            guard dSum > 0, free.count > 1 else { return }
            func hajek(_ a: Double, _ b: Double) -> Double { a * b * (1 - (1 - a) * (1 - b) / dSum) }
            var pairSum = 0.0
            for i in 0..<free.count {
                for j in (i + 1)..<free.count { pairSum += 2 * hajek(free[i], free[j]) }
            }
            let certain = Double(pi.count { $0 >= 1 })
            let kk = k.rounded()
            let target = kk * (kk - 1) - 2 * certain * (kk - 1)
            let scale = pairSum > 0 && target > 0 ? target / pairSum : 1
            logUntouched = free.map { log(1 - $0) }
            logAvoid.reserveCapacity(free.count * (free.count - 1) / 2)
            for i in 0..<free.count {
                for j in (i + 1)..<free.count {
                    let a = free[i]
                    let b = free[j]
                    logAvoid.append(log(max(1 - a - b + scale * hajek(a, b), 1e-300)))
                }
            }
        }
    }

    private mutating func routeExactly(tokens: Int) -> Double {
        // The per-step hot path (every draw of a small batch): the generator, the stamps and the marks work on
        // locals and raw buffers, the alias tables are read from one flat copy (``flatKeep``), and each token's
        // k draws run in ``AliasTable/drawDistinct(keep:alias:probabilities:marks:stamp:rng:into:)`` (MoECore,
        // where the generator's step is inlined). Same draws in the same order: the same bits as drawing each
        // choice with ``AliasTable/sample(_:)``.
        var rng = self.rng
        var layerStamp = self.layerStamp
        var tokenStamp = self.tokenStamp
        var layerMark = self.layerMark
        var tokenMark = self.tokenMark
        // Unique owners for in-place writes.
        self.layerMark = []
        self.tokenMark = []
        var chosen = [Int](repeating: 0, count: topK)
        let (e, layers) = (numExperts, moeLayers)
        let total = flatKeep.withUnsafeBufferPointer { keep in
            flatThresholds.withUnsafeBufferPointer { thresholds in
                flatAlias.withUnsafeBufferPointer { alias in
                    flatProbabilities.withUnsafeBufferPointer { probabilities in
                        layerMark.withUnsafeMutableBufferPointer { layerMarks in
                            tokenMark.withUnsafeMutableBufferPointer { tokenMarks in
                                chosen.withUnsafeMutableBufferPointer { chosen in
                                    Self.drawLayers(
                                        tokens: tokens, experts: e, layers: layers, keep: keep,
                                        integerKeep: integerKeep, thresholds: thresholds, alias: alias,
                                        probabilities: probabilities, layerMarks: layerMarks, layerStamp: &layerStamp,
                                        tokenMarks: tokenMarks, tokenStamp: &tokenStamp, chosen: chosen, rng: &rng)
                                }
                            }
                        }
                    }
                }
            }
        }
        self.rng = rng
        self.layerStamp = layerStamp
        self.tokenStamp = tokenStamp
        self.layerMark = layerMark
        self.tokenMark = tokenMark
        return Double(total)
    }

    /// ``routeExactly(tokens:)``'s loop over raw buffers: Σ over layers of the distinct experts `tokens` tokens
    /// choose. A mark equal to its stamp means "chosen" (in this layer, by this token); a stamp that wraps to 0
    /// clears its marks. With `integerKeep` the draws take the integer keep test (`thresholds`), else `keep`.
    private static func drawLayers(
        tokens: Int, experts e: Int, layers: Int, keep: UnsafeBufferPointer<Double>,
        integerKeep: AliasTable.IntegerKeep?, thresholds: UnsafeBufferPointer<UInt64>,
        alias: UnsafeBufferPointer<Int32>, probabilities: UnsafeBufferPointer<Double>,
        layerMarks: UnsafeMutableBufferPointer<UInt32>, layerStamp: inout UInt32,
        tokenMarks: UnsafeMutableBufferPointer<UInt32>, tokenStamp: inout UInt32,
        chosen: UnsafeMutableBufferPointer<Int>, rng: inout SimRandom
    ) -> Int {
        var total = 0
        for l in 0..<layers {
            let layer = (l * e)..<(l * e + e)
            let keep = UnsafeBufferPointer(rebasing: keep[layer])
            let thresholds = integerKeep == nil ? thresholds : UnsafeBufferPointer(rebasing: thresholds[layer])
            let alias = UnsafeBufferPointer(rebasing: alias[layer])
            let probabilities = UnsafeBufferPointer(rebasing: probabilities[layer])
            layerStamp &+= 1
            if layerStamp == 0 {
                layerMarks.update(repeating: 0)
                layerStamp = 1
            }
            var distinct = 0
            for _ in 0..<tokens {
                tokenStamp &+= 1
                if tokenStamp == 0 {
                    tokenMarks.update(repeating: 0)
                    tokenStamp = 1
                }
                if let integerKeep {
                    AliasTable.drawDistinct(
                        integerKeep: integerKeep, thresholds: thresholds, alias: alias, probabilities: probabilities,
                        marks: tokenMarks, stamp: tokenStamp, rng: &rng, into: chosen)
                } else {
                    AliasTable.drawDistinct(
                        keep: keep, alias: alias, probabilities: probabilities, marks: tokenMarks, stamp: tokenStamp,
                        rng: &rng, into: chosen)
                }
                for expert in chosen where layerMarks[expert] != layerStamp {
                    layerMarks[expert] = layerStamp
                    distinct += 1
                }
            }
            total += distinct
        }
        return total
    }

    /// Plackett–Luce inclusion probabilities: P(expert j is among a token's k choices) when choices are drawn
    /// without replacement proportionally to `weights`.
    ///
    /// With exponential clocks X_i ~ Exp(p_i), the choices are the first k arrivals, so
    /// π_j = ∫₀^∞ p_j e^{−p_j t} P(fewer than k other clocks by t) dt. The probability is a Poisson-binomial tail
    /// (a k-term dynamic programme); the integral runs on a logarithmic grid (Simpson's rule in ln t).
    static func inclusionProbabilities(weights: [Double], k: Int) -> [Double] {
        let e = weights.count
        let total = weights.reduce(0, +)
        let p = weights.map { total > 0 ? $0 / total : 1 / Double(e) }
        if p.allSatisfy({ abs($0 - p[0]) < 1e-15 }) { return [Double](repeating: Double(k) / Double(e), count: e) }
        if k >= p.filter({ $0 > 0 }).count { return p.map { $0 > 0 ? 1 : 0 } }
        let positive = p.filter { $0 > 0 }
        let pMax = positive.max() ?? 1
        let pMin = positive.min() ?? 1
        let tLow = 1e-7 / pMax
        // Upper limit: every clock but (k−1) has surely rung; clocks with weight pMin ring by ~50/pMin.
        let tHigh = 60 / pMin
        let intervals = max(120, Int((log(tHigh / tLow) * 6).rounded(.up)) & ~1)
        let h = log(tHigh / tLow) / Double(intervals)
        // Scratch as raw buffers: this is the costliest set-up loop of an engine (O(E²k) per node for the experts
        // whose deconvolution is unstable), and array bounds and uniqueness checks doubled its cost.
        var piArray = [Double](repeating: 0, count: e)
        let full = UnsafeMutableBufferPointer<Double>.allocate(capacity: k + 1)
        let without = UnsafeMutableBufferPointer<Double>.allocate(capacity: k)
        let q = UnsafeMutableBufferPointer<Double>.allocate(capacity: e)
        // prefix[i·k + m]: full[m] just before clock i enters the product, i.e. the distribution of clocks 0..<i
        // (truncated at k). The recomputation of the distribution without clock j starts from prefix j: the same
        // operations in the same order as recomputing it from clock 0, so the same values.
        let prefix = UnsafeMutableBufferPointer<Double>.allocate(capacity: e * k)
        defer {
            full.deallocate()
            without.deallocate()
            q.deallocate()
            prefix.deallocate()
        }
        p.withUnsafeBufferPointer { p in
            piArray.withUnsafeMutableBufferPointer { pi in
                for node in 0...intervals {
                    let t = tLow * exp(Double(node) * h)
                    let simpson = (node == 0 || node == intervals) ? 1.0 : (node % 2 == 1 ? 4.0 : 2.0)
                    // Poisson-binomial of all clocks, truncated at k (index k = "k or more").
                    for m in 0...k { full[m] = 0 }
                    full[0] = 1
                    for i in 0..<e {
                        for m in 0..<k { prefix[i &* k &+ m] = full[m] }
                        let qi = p[i] > 0 ? -expm1(-p[i] * t) : 0
                        q[i] = qi
                        if qi == 0 { continue }
                        full[k] += full[k - 1] * qi
                        var m = k - 1
                        while m > 0 {
                            full[m] = full[m] * (1 - qi) + full[m - 1] * qi
                            m -= 1
                        }
                        full[0] *= (1 - qi)
                    }
                    var fewerThanK = 0.0
                    for m in 0..<k { fewerThanK += full[m] }
                    if fewerThanK < 1e-300 { continue }
                    for j in 0..<e where p[j] > 0 {
                        let qj = q[j]
                        // Distribution of the other clocks: deconvolve clock j (stable for q_j < 1/2), else
                        // recompute (from the clocks before j, already known, on through the clocks after it).
                        if qj < 0.5 {
                            let inv = 1 / (1 - qj)
                            without[0] = full[0] * inv
                            if k > 1 {
                                for m in 1..<k { without[m] = (full[m] - qj * without[m - 1]) * inv }
                            }
                        } else {
                            for m in 0..<k { without[m] = prefix[j &* k &+ m] }
                            var i = j + 1
                            while i < e {
                                let qi = q[i]
                                if qi > 0 {
                                    var m = k - 1
                                    while m > 0 {
                                        without[m] = without[m] * (1 - qi) + without[m - 1] * qi
                                        m -= 1
                                    }
                                    without[0] *= (1 - qi)
                                }
                                i += 1
                            }
                        }
                        var tail = 0.0
                        for m in 0..<k { tail += max(without[m], 0) }
                        // Integrand in ln t: p_j e^{−p_j t} · P(N_{−j}(t) < k) · t.
                        pi[j] += simpson * p[j] * exp(-p[j] * t) * min(tail, 1) * t
                    }
                }
                for j in 0..<e { pi[j] = pi[j] * h / 3 + (p[j] > 0 ? -expm1(-p[j] * tLow) : 0) }
            }
        }
        // Remove the quadrature's tiny residual so that Σπ = k exactly.
        let sum = piArray.reduce(0, +)
        return piArray.map { min($0 * Double(k) / sum, 1) }
    }

}

/// Plackett–Luce inclusion probabilities already computed in this process, by weights and k: every engine of a
/// sweep or a multi-instance deployment with the same model and routing needs the same ones, and the numerical
/// integration is the costliest part of building an engine. Values are exactly those of
/// ``ExpertRouter/inclusionProbabilities(weights:k:)``. Thread-safe.
enum InclusionCache {
    private struct Key: Hashable {
        let weights: [Double]
        let k: Int
    }
    private static let table = Locked<[Key: [Double]]>([:])

    static func probabilities(weights: [Double], k: Int) -> [Double] {
        let key = Key(weights: weights, k: k)
        if let hit = table.withLock({ $0[key] }) { return hit }
        let pi = ExpertRouter.inclusionProbabilities(weights: weights, k: k)
        table.withLock { t in
            if t.count >= 64 { t.removeAll() }  // a bound for processes that see many routing files
            t[key] = pi
        }
        return pi
    }
}
