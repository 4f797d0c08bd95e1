/// Walker/Vose alias table: draws an index from a fixed discrete distribution in O(1).
///
/// Built once per distribution in O(n). A plain value.
package struct AliasTable: Sendable {
    /// Probability of keeping the drawn column (scaled to [0, 1]).
    package private(set) var keep: [Double]
    /// The other index of each column.
    package private(set) var alias: [Int32]
    /// The normalized probabilities.
    package let probabilities: [Double]

    /// - Parameter weights: non-negative weights, at least one positive.
    package init(weights: [Double]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        probabilities = weights.map { total > 0 ? $0 / total : 1 / Double(n) }
        keep = [Double](repeating: 1, count: n)
        alias = [Int32](repeating: 0, count: n)
        var scaled = probabilities.map { $0 * Double(n) }
        var small: [Int] = []
        var large: [Int] = []
        for (i, p) in scaled.enumerated() {
            if p < 1 { small.append(i) } else { large.append(i) }
        }
        while let s = small.popLast() {
            guard let l = large.popLast() else {
                keep[s] = 1
                continue
            }
            keep[s] = scaled[s]
            alias[s] = Int32(l)
            scaled[l] = (scaled[l] + scaled[s]) - 1
            if scaled[l] < 1 { small.append(l) } else { large.append(l) }
        }
        for l in large { keep[l] = 1 }
    }

    /// One draw.
    @inline(__always)
    package func sample(_ rng: inout SimRandom) -> Int {
        keep.withUnsafeBufferPointer { k in
            alias.withUnsafeBufferPointer { a in Self.sample(keep: k, alias: a, &rng) }
        }
    }

    /// One draw from a table given as raw buffers (`keep`, `alias` of equal length).
    @inline(__always)
    static func sample(keep: UnsafeBufferPointer<Double>, alias: UnsafeBufferPointer<Int32>, _ rng: inout SimRandom)
        -> Int
    {
        let u = rng.uniform() * Double(keep.count)
        let column = min(Int(u), keep.count - 1)
        return (u - Double(column)) < keep[column] ? column : Int(alias[column])
    }

    /// Draws `out.count` distinct columns of a table given as raw buffers (`keep`, `alias`, `probabilities` of one
    /// length), in order, each with probability proportional to its weight among the columns not drawn yet
    /// (sampling without replacement): an alias draw, redrawn while it hits a column already drawn (64 tries),
    /// then a draw from the remaining probabilities. `marks[j] == stamp` means column j is drawn; the drawn
    /// columns are marked. The columns go to `out` in draw order.
    ///
    /// Here rather than beside its caller so that the generator's step is inlined into the loop: Swift does not
    /// inline `package` functions across modules (docs/swift-interop.md).
    package static func drawDistinct(
        keep: UnsafeBufferPointer<Double>, alias: UnsafeBufferPointer<Int32>,
        probabilities: UnsafeBufferPointer<Double>, marks: UnsafeMutableBufferPointer<UInt32>, stamp: UInt32,
        rng: inout SimRandom, into out: UnsafeMutableBufferPointer<Int>
    ) {
        for slot in out.indices {
            var drawn = -1
            for _ in 0..<64 {
                let candidate = sample(keep: keep, alias: alias, &rng)
                if marks[candidate] != stamp {
                    drawn = candidate
                    break
                }
            }
            if drawn < 0 { drawn = residualDraw(probabilities, drawn: out[..<slot], marks: marks, stamp: stamp, &rng) }
            marks[drawn] = stamp
            out[slot] = drawn
        }
    }

    /// ``drawDistinct(keep:alias:probabilities:marks:stamp:rng:into:)`` for a table of 2^s columns, with the keep
    /// test in integers (``IntegerKeep``): the same columns from the same draws, without the floating-point
    /// steps of ``sample(keep:alias:_:)``. The loop is written out (not shared through a closure) so that each
    /// draw stays a few instructions: it runs for every expert choice of a small batch.
    package static func drawDistinct(
        integerKeep keep: IntegerKeep, thresholds: UnsafeBufferPointer<UInt64>, alias: UnsafeBufferPointer<Int32>,
        probabilities: UnsafeBufferPointer<Double>, marks: UnsafeMutableBufferPointer<UInt32>, stamp: UInt32,
        rng: inout SimRandom, into out: UnsafeMutableBufferPointer<Int>
    ) {
        let (bits, mask) = (keep.fractionBits, keep.fractionMask)
        var generator = rng
        for slot in out.indices {
            var drawn = -1
            var tries = 0
            repeat {
                // `&>>`: `bits` is below 64, so the masking shift is the plain one (one instruction).
                let m = generator.next() &>> 11
                let column = Int(truncatingIfNeeded: m &>> bits)
                let candidate = m & mask < thresholds[column] ? column : Int(alias[column])
                if marks[candidate] != stamp {
                    drawn = candidate
                    break
                }
                tries &+= 1
            } while tries < 64
            if drawn < 0 {
                drawn = residualDraw(probabilities, drawn: out[..<slot], marks: marks, stamp: stamp, &generator)
            }
            marks[drawn] = stamp
            out[slot] = drawn
        }
        rng = generator
    }

    /// The keep test of a table of 2^s columns in integers. A draw is `u = (m · 2^−53) · 2^s` with `m` the
    /// generator's top 53 bits, so its column is `m >> (53 − s)` and `u − column` is `f · 2^(s−53)` with
    /// `f = m mod 2^(53−s)`, all exact in binary floating point; `u − column < keep` therefore holds exactly when
    /// `f < ⌈keep · 2^(53−s)⌉`, that column's threshold.
    package struct IntegerKeep: Sendable {
        /// 53 − s.
        package let fractionBits: UInt64
        package let fractionMask: UInt64

        /// nil unless `columns` is a power of two.
        package init?(columns: Int) {
            guard columns > 0, columns & (columns - 1) == 0 else { return nil }
            fractionBits = UInt64(53 - columns.trailingZeroBitCount)
            fractionMask = (1 << fractionBits) - 1
        }

        /// The threshold of a column whose keep probability is `keep` (0…1).
        package func threshold(keep: Double) -> UInt64 {
            UInt64((keep * Double(sign: .plus, exponent: Int(fractionBits), significand: 1)).rounded(.up))
        }
    }

    /// Draws from the probabilities of columns not drawn yet (slow path after many rejections). `drawn`: the
    /// token's columns so far, whose mass is summed in draw order.
    private static func residualDraw(
        _ p: UnsafeBufferPointer<Double>, drawn: Slice<UnsafeMutableBufferPointer<Int>>,
        marks: UnsafeMutableBufferPointer<UInt32>, stamp: UInt32, _ rng: inout SimRandom
    ) -> Int {
        var chosenMass = 0.0
        for earlier in drawn { chosenMass += p[earlier] }
        let remaining = 1 - chosenMass
        var u = rng.uniform() * max(remaining, 0)
        var last = -1
        for (j, pj) in p.enumerated() where marks[j] != stamp && pj > 0 {
            last = j
            u -= pj
            if u < 0 { return j }
        }
        if last >= 0 { return last }
        // Only zero-weight columns remain (cannot happen when enough weights are positive); take the first free one.
        return p.indices.first { marks[$0] != stamp } ?? 0
    }
}
