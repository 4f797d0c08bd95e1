import Testing

@testable import MoECore

@Suite struct CapMetricTests {
    @Test func keysAreMoECAPsNineInOrder() {
        #expect(
            CapMetric.keys == [
                "prefill_smbu", "prefill_smfu", "decoding_smbu", "decoding_smfu", "kv_size", "decoding_throughput",
                "prefill_tp", "ttft", "tpot",
            ])
    }

    @Test func sweepColumnsKeepTheirNames() {
        #expect(CapMetric.kvSize.sweepColumn == "moecap_kv_size")
        #expect(CapMetric.ttft.sweepColumn == "moecap_ttft_s")
        #expect(CapMetric.tpot.sweepColumn == "moecap_tpot_s")
        #expect(CapMetric.prefillTP.sweepColumn == "moecap_prefill_tp")
    }

    @Test func everyMetricReadsItsOwnField() {
        let m = ContinuousMetrics(
            prefillSMBU: 1, prefillSMFU: 2, decodingSMBU: 3, decodingSMFU: 4, kvSize: 5, decodingThroughput: 6,
            prefillTP: 7, ttft: 8, tpot: 9, gpuRawType: "x", prefillCount: 1, decodeCount: 1, kvCount: 1)
        #expect(CapMetric.allCases.map { $0.value(in: m) } == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let json = m.json
        for metric in CapMetric.allCases { #expect(json[metric] == .double(metric.value(in: m))) }
    }

    @Test func emptyMeansAreTheIntegerZero() {
        let m = ContinuousMetrics(
            prefillSMBU: 1, prefillSMFU: 2, decodingSMBU: 3, decodingSMFU: 4, kvSize: 5, decodingThroughput: 6,
            prefillTP: 7, ttft: 8, tpot: 9, gpuRawType: "x", prefillCount: 0, decodeCount: 2, kvCount: 0)
        #expect(m.json[.prefillTP] == .int(0))
        #expect(m.json[.kvSize] == .int(0))
        #expect(m.json[.tpot] == .double(9))
    }
}
