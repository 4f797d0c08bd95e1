/// MoE-CAP's nine published performance metrics, in MoE-CAP's order (docs/moecap-metrics.md §3–4): the one place
/// a metric's key, unit, labels and source field are written. `metrics.json`'s `batch_metrics`, the flat
/// `cap_metrics_*.json`, the terminal summary, the HTML report and the sweep's `moecap_*` columns all iterate
/// ``allCases`` or name a case; none spells a key. Adding a metric: a case here, its row in each `switch` below, the
/// field in ``ContinuousMetrics`` and its computation (docs/architecture.md "Maintainer's walk-through").
package enum CapMetric: String, CaseIterable, Sendable {
    case prefillSMBU = "prefill_smbu"
    case prefillSMFU = "prefill_smfu"
    case decodingSMBU = "decoding_smbu"
    case decodingSMFU = "decoding_smfu"
    case kvSize = "kv_size"
    case decodingThroughput = "decoding_throughput"
    case prefillTP = "prefill_tp"
    case ttft = "ttft"
    case tpot = "tpot"

    /// The key MoE-CAP writes (`metrics.json` `batch_metrics`, `cap_metrics_*.json`).
    package var key: String { rawValue }

    /// What the value measures, in MoE-CAP's units.
    package enum Unit: Sendable {
        /// A fraction of the GPU's peak (may exceed 1).
        case fraction
        /// Millions of KV elements.
        case millionElements
        /// Tokens per second.
        case tokensPerSecond
        /// Seconds.
        case seconds
    }

    /// The metric's unit.
    package var unit: Unit {
        switch self {
        case .prefillSMBU, .prefillSMFU, .decodingSMBU, .decodingSMFU: .fraction
        case .kvSize: .millionElements
        case .decodingThroughput, .prefillTP: .tokensPerSecond
        case .ttft, .tpot: .seconds
        }
    }

    /// The value in a computed run.
    package func value(in m: ContinuousMetrics) -> Double {
        switch self {
        case .prefillSMBU: m.prefillSMBU
        case .prefillSMFU: m.prefillSMFU
        case .decodingSMBU: m.decodingSMBU
        case .decodingSMFU: m.decodingSMFU
        case .kvSize: m.kvSize
        case .decodingThroughput: m.decodingThroughput
        case .prefillTP: m.prefillTP
        case .ttft: m.ttft
        case .tpot: m.tpot
        }
    }

    /// How many values the mean is over; 0 ⇒ MoE-CAP writes the integer `0` (`… if xs else 0`).
    package func count(in m: ContinuousMetrics) -> Int {
        switch self {
        case .prefillSMBU, .prefillSMFU, .prefillTP, .ttft: m.prefillCount
        case .decodingSMBU, .decodingSMFU, .decodingThroughput, .tpot: m.decodeCount
        case .kvSize: m.kvCount
        }
    }

    /// The published JSON value: the mean, or the integer `0` over an empty list.
    package func json(in m: ContinuousMetrics) -> JSONValue {
        count(in: m) == 0 ? .int(0) : .double(value(in: m))
    }

    /// The row label of the terminal summary (`moecap-eval` `SummaryTable`) and its `printf` format.
    package var summaryLabel: (label: String, format: String) {
        switch self {
        case .prefillSMBU: ("prefill S-MBU", "%.4g")
        case .prefillSMFU: ("prefill S-MFU", "%.4g")
        case .decodingSMBU: ("decoding S-MBU", "%.4g")
        case .decodingSMFU: ("decoding S-MFU", "%.4g")
        case .kvSize: ("kv_size (M elements)", "%.1f")
        case .decodingThroughput: ("decoding throughput (tok/s)", "%.1f")
        case .prefillTP: ("prefill throughput (tok/s)", "%.1f")
        case .ttft: ("ttft, per prefill step (s)", "%.4g")
        case .tpot: ("tpot, per decode step (s)", "%.4g")
        }
    }

    /// The row label of the HTML report's headline table, and the scale and unit suffix it is shown with.
    package var reportLabel: (label: String, scale: Double, suffix: String) {
        switch self {
        case .prefillSMBU: ("prefill S-MBU", 100, " %")
        case .prefillSMFU: ("prefill S-MFU", 100, " %")
        case .decodingSMBU: ("decoding S-MBU", 100, " %")
        case .decodingSMFU: ("decoding S-MFU", 100, " %")
        case .kvSize: ("kv_size (M elements)", 1, "")
        case .decodingThroughput: ("decoding throughput (tokens/s)", 1, "")
        case .prefillTP: ("prefill throughput (tokens/s)", 1, "")
        case .ttft: ("ttft, per prefill step", 1000, " ms")
        case .tpot: ("tpot, per decode step", 1000, " ms")
        }
    }

    /// The sweep's column (`sweep.csv`/`sweep.json`): `moecap_<key>`, with `_s` on the latencies.
    package var sweepColumn: String { "moecap_" + key + (unit == .seconds ? "_s" : "") }

    /// The nine keys, in order.
    package static var keys: [String] { allCases.map(\.key) }
}

extension JSONValue {
    /// The metric's member of a `batch_metrics` object (or of a flat `cap_metrics_*.json`).
    package subscript(metric: CapMetric) -> JSONValue? { self[metric.key] }
}
