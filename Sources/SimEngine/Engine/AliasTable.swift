import MoECore

/// Walker/Vose alias table: draws an index from a fixed discrete distribution in O(1).
///
/// Built once per distribution in O(n). A plain value.
struct AliasTable: Sendable {
    /// Probability of keeping the drawn column (scaled to [0, 1]).
    private(set) var keep: [Double]
    /// The other index of each column.
    private(set) var alias: [Int32]
    /// The normalized probabilities.
    let probabilities: [Double]

    /// - Parameter weights: non-negative weights, at least one positive.
    init(weights: [Double]) {
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
    func sample(_ rng: inout SimRandom) -> Int {
        let u = rng.uniform() * Double(keep.count)
        let column = min(Int(u), keep.count - 1)
        return (u - Double(column)) < keep[column] ? column : Int(alias[column])
    }
}
