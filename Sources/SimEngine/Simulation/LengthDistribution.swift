import Foundation
import MoECore

/// A distribution of token counts for synthetic workloads; every draw is at least 1.
///
/// Text forms (``init(parsing:)``): `N` (fixed), `uniform:MIN:MAX` (inclusive), `normal:MEAN:STD`,
/// `exponential:MEAN`, `lognormal:MEAN:SIGMA` (SIGMA of the underlying normal; the mean is MEAN).
package enum LengthDistribution: Sendable, Equatable {
    case fixed(Int)
    case uniform(Int, Int)
    case normal(mean: Double, std: Double)
    case exponential(mean: Double)
    case lognormal(mean: Double, sigma: Double)

    /// - Throws: ``SimulationInputError`` naming the accepted forms.
    package init(parsing text: String) throws(SimulationInputError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func number(_ s: String) throws(SimulationInputError) -> Double {
            guard let v = Double(s), v.isFinite else {
                throw SimulationInputError("invalid length distribution '\(text)': '\(s)' is not a number")
            }
            return v
        }
        switch (parts[0].lowercased(), parts.count) {
        case (_, 1):
            guard let n = Int(parts[0]), n >= 1 else {
                throw SimulationInputError(
                    "invalid length distribution '\(text)': expected N ≥ 1, uniform:MIN:MAX, normal:MEAN:STD, "
                        + "exponential:MEAN or lognormal:MEAN:SIGMA")
            }
            self = .fixed(n)
        case ("uniform", 3):
            guard let a = Int(parts[1]), let b = Int(parts[2]), a >= 1, b >= a else {
                throw SimulationInputError("invalid length distribution '\(text)': uniform needs 1 ≤ MIN ≤ MAX")
            }
            self = .uniform(a, b)
        case ("normal", 3):
            let m = try number(parts[1])
            let s = try number(parts[2])
            guard m >= 1, s >= 0 else {
                throw SimulationInputError("invalid length distribution '\(text)': normal needs MEAN ≥ 1, STD ≥ 0")
            }
            self = .normal(mean: m, std: s)
        case ("exponential", 2):
            let m = try number(parts[1])
            guard m >= 1 else { throw SimulationInputError("invalid length distribution '\(text)': MEAN must be ≥ 1") }
            self = .exponential(mean: m)
        case ("lognormal", 3):
            let m = try number(parts[1])
            let s = try number(parts[2])
            guard m >= 1, s >= 0 else {
                throw SimulationInputError("invalid length distribution '\(text)': lognormal needs MEAN ≥ 1, SIGMA ≥ 0")
            }
            self = .lognormal(mean: m, sigma: s)
        default:
            throw SimulationInputError(
                "invalid length distribution '\(text)': expected N, uniform:MIN:MAX, normal:MEAN:STD, "
                    + "exponential:MEAN or lognormal:MEAN:SIGMA")
        }
    }

    /// One draw (≥ 1).
    package func sample(_ rng: inout SimRandom) -> Int {
        switch self {
        case .fixed(let n): return max(n, 1)
        case .uniform(let a, let b): return a + rng.below(b - a + 1)
        case .normal(let m, let s): return max(1, Int((m + s * rng.normal()).rounded()))
        case .exponential(let m): return max(1, Int(rng.exponential(mean: m).rounded()))
        case .lognormal(let m, let sigma):
            let mu = log(m) - sigma * sigma / 2
            return max(1, Int(exp(mu + sigma * rng.normal()).rounded()))
        }
    }

    /// The distribution's mean (before rounding and clamping).
    package var mean: Double {
        switch self {
        case .fixed(let n): return Double(n)
        case .uniform(let a, let b): return Double(a + b) / 2
        case .normal(let m, _), .exponential(let m), .lognormal(let m, _): return m
        }
    }
}

/// A workload, trace or deploy file the simulator cannot use; the message says which and why.
package struct SimulationInputError: Error, Sendable, Equatable, CustomStringConvertible {
    package let description: String
    package init(_ d: String) { description = d }
}
