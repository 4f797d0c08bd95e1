import Foundation

@testable import SimEngine

/// The first version of ``ExpertRouter/inclusionProbabilities(weights:k:)``, kept beside the tests only: the
/// fast version must give the same bits (`inclusionProbabilitiesFastPathIsBitIdenticalToReference`).
extension ExpertRouter {
    /// ``inclusionProbabilities(weights:k:)`` as first written: the distribution without clock j recomputed from
    /// clock 0 with checked arrays. Kept as the reference the fast version is tested against (same bits).
    static func inclusionProbabilitiesReference(weights: [Double], k: Int) -> [Double] {
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
        var pi = [Double](repeating: 0, count: e)
        var full = [Double](repeating: 0, count: k + 1)
        var without = [Double](repeating: 0, count: k)
        var q = [Double](repeating: 0, count: e)
        for node in 0...intervals {
            let t = tLow * exp(Double(node) * h)
            let simpson = (node == 0 || node == intervals) ? 1.0 : (node % 2 == 1 ? 4.0 : 2.0)
            // Poisson-binomial of all clocks, truncated at k (index k = "k or more").
            for m in 0...k { full[m] = 0 }
            full[0] = 1
            for i in 0..<e {
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
                // Distribution of the other clocks: deconvolve clock j (stable for q_j < 1/2), else recompute.
                if qj < 0.5 {
                    let inv = 1 / (1 - qj)
                    without[0] = full[0] * inv
                    if k > 1 {
                        for m in 1..<k { without[m] = (full[m] - qj * without[m - 1]) * inv }
                    }
                } else {
                    for m in 0..<k { without[m] = 0 }
                    without[0] = 1
                    for i in 0..<e where i != j && q[i] > 0 {
                        let qi = q[i]
                        var m = k - 1
                        while m > 0 {
                            without[m] = without[m] * (1 - qi) + without[m - 1] * qi
                            m -= 1
                        }
                        without[0] *= (1 - qi)
                    }
                }
                var tail = 0.0
                for m in 0..<k { tail += max(without[m], 0) }
                // Integrand in ln t: p_j e^{−p_j t} · P(N_{−j}(t) < k) · t.
                pi[j] += simpson * p[j] * exp(-p[j] * t) * min(tail, 1) * t
            }
        }
        for j in 0..<e { pi[j] = pi[j] * h / 3 + (p[j] > 0 ? -expm1(-p[j] * tLow) : 0) }
        // Remove the quadrature's tiny residual so that Σπ = k exactly.
        let sum = pi.reduce(0, +)
        return pi.map { min($0 * Double(k) / sum, 1) }
    }
}
