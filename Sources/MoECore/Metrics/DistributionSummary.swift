/// Summary statistics of a sample (client latencies: TTFT, TPOT, ITL, E2E): count, mean, median, p90, p99, min,
/// max. Percentiles use numpy's default (`method="linear"`) interpolation; the median is numpy's (mean of the two
/// middle values for an even count).
package struct DistributionSummary: Sendable, Equatable {
    package var count: Int
    package var mean: Double
    package var median: Double
    package var p90: Double
    package var p99: Double
    package var min: Double
    package var max: Double

    /// Summarises `values`; nil when empty. Values are taken as they are (scale them first for other units).
    package init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        var s = 0.0
        for v in values { s += v }
        mean = s / Double(count)
        let mid = count / 2
        median = count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
        p90 = Self.percentile(sorted: sorted, 90)
        p99 = Self.percentile(sorted: sorted, 99)
        min = sorted[0]
        max = sorted[count - 1]
    }

    /// numpy's `percentile(a, q)` with the default linear method, on an ascending, non-empty array:
    /// virtual index `(n-1)·q/100`, then numpy's `_lerp` (which interpolates from the upper end when the fraction
    /// is ≥ 0.5, for monotonicity).
    package static func percentile(sorted a: [Double], _ q: Double) -> Double {
        precondition(!a.isEmpty, "percentile of an empty array")
        let n = a.count
        let virtual = Double(n - 1) * (q / 100)
        let lowerIndex = Swift.min(Swift.max(Int(virtual.rounded(.down)), 0), n - 1)
        let upperIndex = Swift.min(lowerIndex + 1, n - 1)
        let gamma = virtual - Double(lowerIndex)
        let lo = a[lowerIndex]
        let hi = a[upperIndex]
        let diff = hi - lo
        return gamma >= 0.5 ? hi - diff * (1 - gamma) : lo + diff * gamma
    }

    /// `{"count", "mean", "median", "p90", "p99", "min", "max"}` in that order.
    package var json: JSONValue {
        .object([
            "count": .int(count), "mean": .double(mean), "median": .double(median), "p90": .double(p90),
            "p99": .double(p99), "min": .double(min), "max": .double(max),
        ])
    }
}
