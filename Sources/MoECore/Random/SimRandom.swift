import Foundation

/// A small, fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// The simulator owns every source of randomness and seeds it explicitly, so equal seeds give equal runs on every
/// platform (Swift's `SystemRandomNumberGenerator` is neither seedable nor reproducible). A value type: copying it
/// forks the stream.
package struct SimRandom: RandomNumberGenerator, Sendable {
    // Visible to inlined callers (the per-draw calls are inlined into other modules' hot loops: expert routing
    // draws hundreds of numbers per token).
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    /// A generator whose whole state derives from `seed`.
    package init(seed: UInt64) {
        var sm = seed
        s0 = SimRandom.splitMix(&sm)
        s1 = SimRandom.splitMix(&sm)
        s2 = SimRandom.splitMix(&sm)
        s3 = SimRandom.splitMix(&sm)
    }

    /// An independent stream for a named purpose: the same (seed, stream) pair always gives the same sequence.
    package init(seed: UInt64, stream: UInt64) {
        var mixed = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        self.init(seed: SimRandom.splitMix(&mixed))
    }

    package static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    package mutating func next() -> UInt64 {
        let result = SimRandom.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = SimRandom.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inlinable @inline(__always)
    package mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform integer in `0..<n` (n > 0), by Lemire's multiply-shift (bias below 2^-64·n, irrelevant here).
    @inlinable @inline(__always)
    package mutating func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Standard normal deviate (Box–Muller; one of the pair is discarded to keep the state simple).
    package mutating func normal() -> Double {
        var u = uniform()
        while u <= 0 { u = uniform() }
        let v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// Exponential deviate with the given mean.
    package mutating func exponential(mean: Double) -> Double {
        var u = uniform()
        while u <= 0 { u = uniform() }
        return -log(u) * mean
    }

    /// Poisson deviate with mean `lambda` (inversion for small means, normal approximation above 30).
    package mutating func poisson(_ lambda: Double) -> Int {
        if lambda <= 0 { return 0 }
        if lambda > 30 { return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded())) }
        let l = exp(-lambda)
        var k = 0
        var p = uniform()
        while p > l {
            k += 1
            p *= uniform()
        }
        return k
    }
}
