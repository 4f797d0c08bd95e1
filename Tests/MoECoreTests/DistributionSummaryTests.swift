import Testing

@testable import MoECore

@Suite struct DistributionSummaryTests {
    @Test func numpyLinearPercentiles() throws {
        // np.percentile(range(1, 11), [90, 99]) == [9.1, 9.91]; np.median == 5.5.
        let s = try #require(DistributionSummary([10, 3, 1, 7, 2, 9, 4, 8, 6, 5]))
        #expect(s.count == 10)
        #expect(s.mean == 5.5)
        #expect(s.median == 5.5)
        #expect(abs(s.p90 - 9.1) < 1e-12)
        #expect(abs(s.p99 - 9.91) < 1e-12)
        #expect(s.min == 1 && s.max == 10)
    }

    @Test func oddCountMedianAndSmallSamples() throws {
        let s = try #require(DistributionSummary([0.3, 0.1, 0.2]))
        #expect(s.median == 0.2)
        // virtual index 2·0.9 = 1.8 → 0.2 + 0.8·0.1, computed from the upper end as numpy's _lerp does.
        #expect(abs(s.p90 - 0.28) < 1e-12)
        let one = try #require(DistributionSummary([4.2]))
        #expect(one.median == 4.2 && one.p90 == 4.2 && one.p99 == 4.2 && one.min == 4.2 && one.max == 4.2)
        #expect(DistributionSummary([]) == nil)
    }

    @Test func percentileEnds() {
        let a = [1.0, 2, 3]
        #expect(DistributionSummary.percentile(sorted: a, 0) == 1)
        #expect(DistributionSummary.percentile(sorted: a, 100) == 3)
        #expect(DistributionSummary.percentile(sorted: a, 50) == 2)
        #expect(DistributionSummary.percentile(sorted: a, 25) == 1.5)
    }

    @Test func jsonKeyOrder() throws {
        let s = try #require(DistributionSummary([1, 2]))
        #expect(s.json.objectValue?.keys == ["count", "mean", "median", "p90", "p99", "min", "max"])
        #expect(s.json["count"] == .int(2))
    }
}
