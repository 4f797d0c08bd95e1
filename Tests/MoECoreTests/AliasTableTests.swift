import MoECore
import Testing

@Suite struct AliasTableTests {
    /// The reference: each choice drawn with `sample`, redrawn (64 tries) while it repeats a choice of the token.
    private func reference(_ t: AliasTable, k: Int, _ rng: inout SimRandom) -> [Int] {
        var out: [Int] = []
        while out.count < k {
            var drawn = -1
            for _ in 0..<64 {
                let c = t.sample(&rng)
                if !out.contains(c) {
                    drawn = c
                    break
                }
            }
            #expect(drawn >= 0, "weights chosen so that 64 rejections do not happen")
            out.append(drawn)
        }
        return out
    }

    @Test func drawDistinctIsSequentialSamplingWithRejection() {
        let weights = (0..<128).map { 1 / Double($0 + 1) }
        let table = AliasTable(weights: weights)
        var a = SimRandom(seed: 7)
        var b = SimRandom(seed: 7)
        var marks = [UInt32](repeating: 0, count: weights.count)
        var out = [Int](repeating: -1, count: 8)
        for token in 1...500 {
            let expected = reference(table, k: 8, &a)
            table.keep.withUnsafeBufferPointer { keep in
                table.alias.withUnsafeBufferPointer { alias in
                    table.probabilities.withUnsafeBufferPointer { p in
                        marks.withUnsafeMutableBufferPointer { m in
                            out.withUnsafeMutableBufferPointer { o in
                                AliasTable.drawDistinct(
                                    keep: keep, alias: alias, probabilities: p, marks: m, stamp: UInt32(token),
                                    rng: &b, into: o)
                            }
                        }
                    }
                }
            }
            #expect(out == expected)
            #expect(Set(out).count == 8)
        }
        // The generators consumed the same draws.
        #expect(a.next() == b.next())
    }
}
