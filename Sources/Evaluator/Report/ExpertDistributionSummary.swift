import MoECore

/// The `expert_distribution` section of `metrics.json`: a summary of a `/dump_expert_distribution` answer
/// (docs/evaluator.md "Expert distribution").
///
/// Per worker (tensor-parallel rank) the recorder's dump holds scalars and per-layer arrays whose keys depend on
/// the recording mode (`per_pass`: `num_layers`, `num_experts`, `total_forward_passes`,
/// `avg_activated_per_layer`, `avg_expert_utilization`, `total_tokens_processed`, …). The summary keeps every
/// numeric scalar as its mean over workers, and every numeric array as the mean over workers of its mean (named
/// `<key>_mean`; a list of records counts as `<key>_count`), so it works for all four modes; the distinct experts hit per layer
/// (`activated_experts_per_layer` and their mean) where the dump has them per layer. When the dump carries `local_records` (the real server never
/// fills them), the ServerlessLLM script's `expert_total_records`, `expert_avg_activation` and
/// `expert_avg_utilization` are added.
enum ExpertDistributionSummary {
    static func json(dump: JSONValue, mode: ExpertRecordingMode) -> JSONValue {
        var out = JSONObject([("recording_mode", .string(mode.rawValue))])
        guard dump["status"]?.stringValue != "error" else {
            out["error"] = dump["message"] ?? "dump failed"
            return .object(out)
        }
        out["instance_id"] = dump["instance_id"] ?? .null
        let workers = (dump["worker_data"]?.arrayValue ?? []).filter { $0.objectValue != nil }
        out["workers"] = .int(workers.count)
        var order: [String] = []
        var sums: [String: (Double, Int)] = [:]
        func add(_ key: String, _ value: Double) {
            if sums[key] == nil { order.append(key) }
            let (s, n) = sums[key] ?? (0, 0)
            sums[key] = (s + value, n + 1)
        }
        for worker in workers {
            // Identifiers (rank, forward pass ids) are not measurements.
            for (key, value) in worker.objectValue!.pairs where key != "rank" && !key.hasSuffix("_ids") {
                if let number = value.doubleValue {
                    add(key, number)
                } else if let array = value.arrayValue {
                    let numbers = array.compactMap(\.doubleValue)
                    if !numbers.isEmpty, numbers.count == array.count {
                        add(key + "_mean", numbers.reduce(0, +) / Double(numbers.count))
                    } else if !array.isEmpty, array.allSatisfy({ $0.objectValue != nil }) {
                        add(key + "_count", Double(array.count))  // per_token's records
                    }
                }
            }
        }
        out["per_worker_mean"] = .object(
            JSONObject(order.map { key in (key, JSONValue.double(sums[key]!.0 / Double(sums[key]!.1))) }))
        // Distinct experts hit per layer (the stat modes' per-pass counts, or per_pass's per-layer means).
        if let layers = ReportSources.perLayerActivation(dump), !layers.isEmpty {
            out["activated_experts_per_layer"] = .array(layers.map { .double($0) })
            out["activated_experts_mean"] = .double(layers.reduce(0, +) / Double(layers.count))
        }
        let local = dump["local_records"]?.arrayValue ?? []
        out["total_local_records"] = .int(local.count)
        for (k, v) in scriptFields(localRecords: local) { out[k] = v }
        return .object(out)
    }

    /// The ServerlessLLM script's summary of `local_records` (its `expert_*` keys), empty when there are none.
    static func scriptFields(localRecords: [JSONValue]) -> [(String, JSONValue)] {
        guard !localRecords.isEmpty else { return [] }
        let n = Double(localRecords.count)
        func mean(_ key: String) -> Double { localRecords.reduce(0) { $0 + ($1[key]?.doubleValue ?? 0) } / n }
        return [
            ("expert_total_records", .int(localRecords.count)),
            ("expert_avg_activation", .double(mean("expert_activation"))),
            ("expert_avg_utilization", .double(mean("expert_utilization"))),
        ]
    }
}
