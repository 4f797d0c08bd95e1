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
        var sums: [String: [String: (Double, Int)]] = ["prefill": [:], "decode": [:]]
        var order: [String] = []
        for step in truth {
            guard let id = step["forward_pass_id"]?.intValue, let mode = modeOf[id] else { continue }
            let phase = mode == "prefill" ? "prefill" : "decode"
            for (key, value) in step.objectValue?.pairs ?? [] where key != "forward_pass_id" {
                guard let v = value.doubleValue else { continue }
                if !order.contains(key) { order.append(key) }
                let (s, n) = sums[phase]![key] ?? (0, 0)
                sums[phase]![key] = (s + v, n + 1)
            }
        }
        func means(_ phase: String) -> JSONValue {
            .object(
                JSONObject(
                    order.compactMap { key in
                        sums[phase]![key].map { (key, JSONValue.double($0.0 / Double($0.1))) }
                    }))
        }
        var out = JSONObject([("prefill_mean", means("prefill")), ("decode_mean", means("decode"))])
        if let a = advanced {
            let utilizations: [CapMetric] = [.prefillSMBU, .prefillSMFU, .decodingSMBU, .decodingSMFU]
            out["moecap"] = .object(JSONObject(utilizations.map { ($0.key, .double($0.value(in: a))) }))
        }
        out["steps_matched"] = .int(
            truth.filter { $0["forward_pass_id"]?.intValue.flatMap { modeOf[$0] } != nil }.count)
        return .object(out)
    }
}
