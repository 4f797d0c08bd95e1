import MoECore

/// Compares MoE-CAP's utilisation estimates with the simulator's ground truth (fake-sllm's
/// `/fake_sllm/dump_ground_truth`): the mean of every numeric ground-truth field over prefill and decode steps,
/// beside MoE-CAP's `prefill_smbu`/`decoding_smbu`/`prefill_smfu`/`decoding_smfu`.
enum GroundTruthCheck {
    static func json(truth: [JSONValue], records: [BatchRecord], advanced: ContinuousMetrics?) -> JSONValue {
        var modeOf: [Int: String] = [:]
        for r in records {
            if let id = r.forwardPassID { modeOf[id] = r.forwardMode }
        }
        // Per field (in first-seen order) and phase (0 prefill, 1 decode): the sum and count, added in step order.
        var slot: [String: Int] = [:]
        var order: [String] = []
        var sums: [[(sum: Double, count: Int)]] = [[], []]
        for step in truth {
            guard let id = step["forward_pass_id"]?.intValue, let mode = modeOf[id] else { continue }
            let phase = mode == "prefill" ? 0 : 1
            for (key, value) in step.objectValue?.pairs ?? [] where key != "forward_pass_id" {
                guard let v = value.doubleValue else { continue }
                let k: Int
                if let known = slot[key] {
                    k = known
                } else {
                    k = order.count
                    slot[key] = k
                    order.append(key)
                    sums[0].append((0, 0))
                    sums[1].append((0, 0))
                }
                sums[phase][k].sum += v
                sums[phase][k].count += 1
            }
        }
        func means(_ phase: Int) -> JSONValue {
            .object(
                JSONObject(
                    order.indices.compactMap { k in
                        let (s, n) = sums[phase][k]
                        return n > 0 ? (order[k], JSONValue.double(s / Double(n))) : nil
                    }))
        }
        var out = JSONObject([("prefill_mean", means(0)), ("decode_mean", means(1))])
        if let a = advanced {
            let utilizations: [CapMetric] = [.prefillSMBU, .prefillSMFU, .decodingSMBU, .decodingSMFU]
            out["moecap"] = .object(JSONObject(utilizations.map { ($0.key, .double($0.value(in: a))) }))
        }
        out["steps_matched"] = .int(
            truth.filter { $0["forward_pass_id"]?.intValue.flatMap { modeOf[$0] } != nil }.count)
        return .object(out)
    }
}
