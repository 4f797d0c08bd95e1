import MoECore

/// The outcome of one sweep point as named columns, in a fixed order shared by the CSV and JSON outputs.
///
/// Columns: the point (`point`, `model`, `gpu`, `gpu_num`, `max_num_seqs`, `max_num_batched_tokens`,
/// `quantization`, `kv_cache_dtype`, `enforce_eager`, `workload`), `status` (`ok` or `error`) and `error`, the GPU's `calibration_source`; client
/// figures in simulated time (`requests`, `output_tokens`, `duration_s`, `request_throughput`,
/// `output_throughput`, `total_token_throughput`, `ttft_*_s`, `tpot_*_s`, `e2e_*_s`, `preemptions`); MoE-CAP's
/// metrics over the run's batch records (`moecap_*`, ``ContinuousMetrics``); the simulator's ground truth beside
/// them (`truth_prefill_mbu`, `truth_prefill_mfu`, `truth_decoding_mbu`, `truth_decoding_mfu`: mean achieved
/// utilization per phase, ``SweepRunner/truthColumns(_:)``); cost (`usd_per_hour`,
/// `usd_per_million_output_tokens`: ``ServingCost``; `moecap_cost`: MoE-CAP's own `cost`); `wall_s`.
package struct SweepRow: Sendable {
    /// The point this row belongs to.
    package let point: SweepPoint
    /// Column name and value, in order; missing values are `null`.
    package var columns: [(name: String, value: JSONValue)]

    package init(point: SweepPoint, columns: [(name: String, value: JSONValue)]) {
        self.point = point
        self.columns = columns
    }

    /// The value of a column, nil when absent or null.
    package subscript(name: String) -> JSONValue? {
        guard let v = columns.first(where: { $0.name == name })?.value, !v.isNull else { return nil }
        return v
    }

    /// Whether the point ran.
    package var ok: Bool { self["status"]?.stringValue == "ok" }

    /// The row as a JSON object.
    package var json: JSONValue { .object(JSONObject(columns.map { ($0.name, $0.value) })) }
}
