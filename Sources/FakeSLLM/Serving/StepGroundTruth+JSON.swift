import MoECore
import SimEngine

extension StepCost {
    /// The ground truth of one step for `/fake_sllm/dump_ground_truth`: true FLOPs and bytes, the time split,
    /// and utilisation against the datasheet peaks (fractions).
    var json: JSONValue {
        .object(
            JSONObject([
                ("flops", .double(flops)), ("bytes", .double(bytes)), ("weight_bytes", .double(weightBytes)),
                ("kv_bytes", .double(kvBytes)), ("activation_bytes", .double(activationBytes)),
                ("compute_time_s", .double(computeTime)), ("memory_time_s", .double(memoryTime)),
                ("comm_time_s", .double(commTime)), ("overhead_time_s", .double(overheadTime)),
                ("roofline_time_s", .double(rooflineTime)), ("bandwidth_utilization", .double(bandwidthUtilization)),
                ("flops_utilization", .double(flopsUtilization)),
            ]))
    }
}
