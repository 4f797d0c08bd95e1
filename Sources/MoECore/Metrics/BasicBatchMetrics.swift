/// The "basic" batch statistics of the evaluator's `metrics.json` (docs/evaluator.md; field names from the seed
/// README's example, which no ServerlessLLM code ever produced — docs/sllm-api.md §5.2 gives these derivations as
/// unverified). Computed from records with per-rank copies removed.
package struct BasicBatchMetrics: Sendable, Equatable {
    /// `total_batches`: records after de-duplication.
    package var totalBatches: Int
    /// `total_requests`: requests the evaluator sent (given by the caller).
    package var totalRequests: Int
    /// `avg_batch_size`: mean `batch_size`.
    package var avgBatchSize: Double
    /// `max_batch_size`.
    package var maxBatchSize: Int
    /// `min_batch_size`.
    package var minBatchSize: Int
    /// `avg_latency_ms`: mean `latency` × 1000.
    package var avgLatencyMs: Double
    /// `max_latency_ms`.
    package var maxLatencyMs: Double
    /// `min_latency_ms`.
    package var minLatencyMs: Double
    /// `throughput_rps` = `total_requests / total_time_s`.
    package var throughputRPS: Double
    /// `total_time_s` = Σ `latency` (forward-pass time, not wall clock).
    package var totalTimeS: Double

    /// Computes the statistics; `records` are de-duplicated here (``BatchRecord/deduplicated(_:)``), so raw dumps
    /// can be passed.
    /// - Throws: ``BasicBatchMetricsError`` for an empty record list or a zero total time.
    package init(records: [BatchRecord], totalRequests: Int) throws(BasicBatchMetricsError) {
        let rs = BatchRecord.deduplicated(records)
        guard let first = rs.first else { throw .noRecords }
        var sizeSum = 0
        var maxSize = first.batchSize
        var minSize = first.batchSize
        var latencySum = 0.0
        var maxLatency = first.latency
        var minLatency = first.latency
        for r in rs {
            sizeSum += r.batchSize
            maxSize = max(maxSize, r.batchSize)
            minSize = min(minSize, r.batchSize)
            latencySum += r.latency
            maxLatency = max(maxLatency, r.latency)
            minLatency = min(minLatency, r.latency)
        }
        guard latencySum > 0 else { throw .zeroTotalTime }
        let n = Double(rs.count)
        totalBatches = rs.count
        self.totalRequests = totalRequests
        avgBatchSize = Double(sizeSum) / n
        maxBatchSize = maxSize
        minBatchSize = minSize
        avgLatencyMs = latencySum / n * 1000
        maxLatencyMs = maxLatency * 1000
        minLatencyMs = minLatency * 1000
        totalTimeS = latencySum
        throughputRPS = Double(totalRequests) / latencySum
    }

    /// The fields in the seed README's order: `total_batches, total_requests, avg_batch_size, max_batch_size,
    /// min_batch_size, avg_latency_ms, max_latency_ms, min_latency_ms, throughput_rps, total_time_s`.
    package var json: JSONValue {
        .object([
            "total_batches": .int(totalBatches),
            "total_requests": .int(totalRequests),
            "avg_batch_size": .double(avgBatchSize),
            "max_batch_size": .int(maxBatchSize),
            "min_batch_size": .int(minBatchSize),
            "avg_latency_ms": .double(avgLatencyMs),
            "max_latency_ms": .double(maxLatencyMs),
            "min_latency_ms": .double(minLatencyMs),
            "throughput_rps": .double(throughputRPS),
            "total_time_s": .double(totalTimeS),
        ])
    }
}

/// Why ``BasicBatchMetrics`` could not be computed.
package enum BasicBatchMetricsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The server returned no batch records (the seed's "No batch data collected" case).
    case noRecords
    /// Every record has latency 0, so no throughput can be given.
    case zeroTotalTime

    package var description: String {
        switch self {
        case .noRecords: return "no batch records to compute batch metrics from"
        case .zeroTotalTime: return "batch records have a total latency of 0 s; throughput is undefined"
        }
    }
}
