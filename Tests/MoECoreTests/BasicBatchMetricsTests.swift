import Testing

@testable import MoECore

@Suite struct BasicBatchMetricsTests {
    static func rec(_ batch: Int, _ latency: Double, id: Int? = nil) -> BatchRecord {
        BatchRecord(batchSize: batch, latency: latency, seqLensSum: batch, forwardMode: "decode", forwardPassID: id)
    }

    @Test func statisticsOverRecords() throws {
        let records = [Self.rec(4, 0.1), Self.rec(1, 0.4), Self.rec(7, 0.25)]
        let m = try BasicBatchMetrics(records: records, totalRequests: 9)
        #expect(m.totalBatches == 3)
        #expect(m.totalRequests == 9)
        #expect(m.avgBatchSize == 4)
        #expect(m.maxBatchSize == 7)
        #expect(m.minBatchSize == 1)
        #expect(abs(m.avgLatencyMs - 250) < 1e-9)
        #expect(abs(m.maxLatencyMs - 400) < 1e-9)
        #expect(abs(m.minLatencyMs - 100) < 1e-9)
        #expect(abs(m.totalTimeS - 0.75) < 1e-12)
        #expect(abs(m.throughputRPS - 12) < 1e-9)
    }

    @Test func rankCopiesAreRemovedFirst() throws {
        let records = [
            Self.rec(8, 0.2, id: 5), Self.rec(8, 0.21, id: 5), Self.rec(2, 0.1, id: 6), Self.rec(2, 0.12, id: 6),
        ]
        let m = try BasicBatchMetrics(records: records, totalRequests: 3)
        #expect(m.totalBatches == 2)
        #expect(abs(m.totalTimeS - 0.3) < 1e-12)
        #expect(abs(m.maxLatencyMs - 200) < 1e-9)
        #expect(m.avgBatchSize == 5)
    }

    @Test func jsonFollowsTheSeedReadmeOrder() throws {
        let m = try BasicBatchMetrics(records: [Self.rec(2, 0.5)], totalRequests: 1)
        #expect(
            m.json.objectValue?.keys == [
                "total_batches", "total_requests", "avg_batch_size", "max_batch_size", "min_batch_size",
                "avg_latency_ms",
                "max_latency_ms", "min_latency_ms", "throughput_rps", "total_time_s",
            ])
        #expect(m.json["avg_batch_size"] == .double(2))
        #expect(m.json["max_batch_size"] == .int(2))
        #expect(m.json["throughput_rps"] == .double(2))
    }

    @Test func emptyOrTimelessRecordsAreClearErrors() {
        #expect(throws: BasicBatchMetricsError.noRecords) { try BasicBatchMetrics(records: [], totalRequests: 3) }
        #expect(throws: BasicBatchMetricsError.zeroTotalTime) {
            try BasicBatchMetrics(records: [Self.rec(1, 0)], totalRequests: 1)
        }
        #expect(BasicBatchMetricsError.noRecords.description.contains("no batch records"))
    }
}
