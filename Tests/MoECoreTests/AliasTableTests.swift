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

    /// One token's draws with the floating-point keep test, from arrays.
    private func drawFloat(
        _ table: AliasTable, marks: inout [UInt32], stamp: UInt32, _ rng: inout SimRandom, into out: inout [Int]
    ) {
        table.keep.withUnsafeBufferPointer { keep in
            table.alias.withUnsafeBufferPointer { alias in
                table.probabilities.withUnsafeBufferPointer { p in
                    marks.withUnsafeMutableBufferPointer { m in
                        out.withUnsafeMutableBufferPointer { o in
                            AliasTable.drawDistinct(
                                keep: keep, alias: alias, probabilities: p, marks: m, stamp: stamp, rng: &rng, into: o)
                        }
                    }
                }
            }
        }
    }

    /// One token's draws with the integer keep test, from arrays.
    private func drawInteger(
        _ table: AliasTable, _ keepTest: AliasTable.IntegerKeep, thresholds: [UInt64], marks: inout [UInt32],
        stamp: UInt32, _ rng: inout SimRandom, into out: inout [Int]
    ) {
        table.alias.withUnsafeBufferPointer { alias in
            table.probabilities.withUnsafeBufferPointer { p in
                thresholds.withUnsafeBufferPointer { t in
                    marks.withUnsafeMutableBufferPointer { m in
                        out.withUnsafeMutableBufferPointer { o in
                            AliasTable.drawDistinct(
                                integerKeep: keepTest, thresholds: t, alias: alias, probabilities: p, marks: m,
                                stamp: stamp, rng: &rng, into: o)
                        }
                    }
                }
            }
        }
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
            drawFloat(table, marks: &marks, stamp: UInt32(token), &b, into: &out)
            #expect(out == expected)
            #expect(Set(out).count == 8)
        }
        // The generators consumed the same draws.
        #expect(a.next() == b.next())
    }

    /// The integer keep test of a power-of-two table draws the same columns from the same bits as the
    /// floating-point one, for skewed, uniform and zero weights, and for draws near every column's threshold.
    @Test(arguments: [1, 2, 8, 128, 256])
    func integerKeepDrawsTheSameColumns(columns: Int) throws {
        let keepTest = try #require(AliasTable.IntegerKeep(columns: columns))
        let skewed: [Double] = (0..<columns).map { (i: Int) -> Double in 1 / Double(i + 1) }
        let uniform = [Double](repeating: 1, count: columns)
        let withZeros: [Double] = (0..<columns).map { (i: Int) -> Double in i % 3 == 0 ? 0 : Double(i % 7 + 1) }
        // One column takes nearly all the mass: later choices end in the residual draw.
        let oneHeavy: [Double] = (0..<columns).map { (i: Int) -> Double in i == 0 ? 1e12 : 1 }
        let tables: [AliasTable] = [skewed, uniform, withZeros, oneHeavy].map { AliasTable(weights: $0) }
        for table in tables {
            let thresholds = table.keep.map { keepTest.threshold(keep: $0) }
            let k = min(columns, 4, table.probabilities.count { $0 > 0 })
            var a = SimRandom(seed: 11)
            var b = SimRandom(seed: 11)
            var marksA = [UInt32](repeating: 0, count: columns)
            var marksB = marksA
            var outA = [Int](repeating: -1, count: k)
            var outB = outA
            for token in 1...400 {
                drawFloat(table, marks: &marksA, stamp: UInt32(token), &a, into: &outA)
                drawInteger(
                    table, keepTest, thresholds: thresholds, marks: &marksB, stamp: UInt32(token), &b, into: &outB)
                #expect(outA == outB)
            }
            #expect(a.next() == b.next())
            // Bits exactly at, just below and just above each column's boundary keep as the float test does.
            let shift = 53 - columns.trailingZeroBitCount
            for column in 0..<columns {
                let low: UInt64 = (1 << UInt64(shift)) - 1
                let t: UInt64 = thresholds[column]
                let bits: [UInt64] = [t, t &- 1, t &+ 1, 0]
                for f in bits {
                    let m: UInt64 = (UInt64(column) << UInt64(shift)) | (f & low)
                    let u = Double(m) * 0x1.0p-53 * Double(columns)
                    let floatKeeps = (u - Double(column)) < table.keep[column]
                    #expect(floatKeeps == (m & keepTest.fractionMask < thresholds[column]))
                }
            }
        }
        #expect(AliasTable.IntegerKeep(columns: 60) == nil)
    }
}
