import MoECore

/// The client-side statistics `vllm bench serve` prints for a streamed run, computed from the chunks a simulated
/// run delivered (docs/calibration.md "Stream statistics"): per request TTFT (first chunk − send), TPOT ((last
/// chunk − first chunk) / (output tokens − 1), over requests with more than one token), one inter-token latency
/// per chunk after the first, the run's duration (first send to last chunk) and the peak number of chunks in one
/// second of the run (what the benchmark calls "peak output token throughput": it counts messages per one-second
/// bucket, not tokens).
///
/// A plain value; building one is O(chunks · log chunks).
package struct StreamStatistics: Sendable, Equatable {
    /// Mean, median and 99th percentile of a list of values, as vLLM's benchmark computes them (`numpy.mean`,
    /// `numpy.median`, `numpy.percentile(…, 99)` with linear interpolation).
    package struct Summary: Sendable, Equatable {
        package var mean: Double
        package var median: Double
        package var p99: Double
        package var count: Int

        /// Zeros for an empty list; otherwise ``DistributionSummary``'s numpy rules.
        package init(_ values: [Double]) {
            guard let d = DistributionSummary(values) else {
                (mean, median, p99, count) = (0, 0, 0, 0)
                return
            }
            (mean, median, p99, count) = (d.mean, d.median, d.p99, d.count)
        }
    }

    /// Seconds.
    package var ttft: Summary
    package var tpot: Summary
    package var itl: Summary
    package var duration: Double
    /// Most chunks delivered in one one-second bucket counted from the first send.
    package var peakChunksPerSecond: Int
    package var outputTokens: Int

    /// - Parameters:
    ///   - sendTimes: when the client sent each request; request ids are indices into it.
    ///   - deliveries: every chunk of the run (any order), each naming its request by id.
    package init(sendTimes: [Double], deliveries: [TokenDelivery]) {
        var first = [Double?](repeating: nil, count: sendTimes.count)
        var last = [Double](repeating: 0, count: sendTimes.count)
        var tokens = [Int](repeating: 0, count: sendTimes.count)
        var itl: [Double] = []
        itl.reserveCapacity(deliveries.count)
        let start = sendTimes.min() ?? 0
        var buckets: [Int: Int] = [:]
        var end = start
        for d in deliveries.sorted(by: { $0.time < $1.time }) {
            let i = Int(d.id)
            guard i < sendTimes.count else { continue }
            if first[i] == nil {
                first[i] = d.time
            } else {
                itl.append(d.time - last[i])
            }
            last[i] = d.time
            tokens[i] = max(tokens[i], d.outputTokens)
            buckets[Int((d.time - start).rounded(.down)), default: 0] += 1
            end = max(end, d.time)
        }
        var ttft: [Double] = []
        var tpot: [Double] = []
        for i in sendTimes.indices {
            guard let f = first[i] else { continue }
            ttft.append(f - sendTimes[i])
            if tokens[i] > 1 { tpot.append((last[i] - f) / Double(tokens[i] - 1)) }
        }
        self.ttft = Summary(ttft)
        self.tpot = Summary(tpot)
        self.itl = Summary(itl)
        duration = end - start
        peakChunksPerSecond = buckets.values.max() ?? 0
        outputTokens = tokens.reduce(0, +)
    }
}
