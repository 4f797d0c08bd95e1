/// The cost–performance Pareto front of a set of points: those no other point beats on both cost (lower is
/// better) and throughput (higher is better) at once. A pure function of its input.
package enum ParetoFront {
    /// Indices into `points` (`cost`, `throughput`) of the front, cheapest first (ties: higher throughput first).
    /// Points with the same cost and throughput as a front point are all on it.
    package static func indices(_ points: [(cost: Double, throughput: Double)]) -> [Int] {
        let front = points.indices.filter { i in
            let p = points[i]
            return !points.contains { q in
                q.cost <= p.cost && q.throughput >= p.throughput && (q.cost < p.cost || q.throughput > p.throughput)
            }
        }
        return front.sorted {
            let (a, b) = (points[$0], points[$1])
            return a.cost != b.cost
                ? a.cost < b.cost : (a.throughput != b.throughput ? a.throughput > b.throughput : $0 < $1)
        }
    }
}
