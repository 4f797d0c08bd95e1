/// MoE-CAP's `calculate_cost` (`moe_cap/utils/cost_utils.py`; docs/moecap-metrics.md §12), exactly, quirks included:
/// - capital is not amortised, so the "cost" is ≈ 1.25 × the purchase price whatever the run length;
/// - the scale constants are applied swapped relative to their names (energy × 1.2, capital × 1.25);
/// - the keys miss the names real GPUs report: H100 SXM is keyed `NVIDIA-H100-80GB-HBM3` (detected
///   `NVIDIA-H100-HBM3-80GB`) and H200 `NVIDIA-H200-141GB` (detected `NVIDIA-H200-140GB`), so those runs get nil.
package enum MoECAPCost {
    /// `GPU_COST_DICT` in dollars (§12).
    package static let gpuCost: [String: Double] = [
        "NVIDIA-A100-PCIe-40GB": 9000,
        "NVIDIA-A100-PCIe-80GB": 19000,
        "NVIDIA-A100-SXM4-40GB": 12000,
        "NVIDIA-A100-SXM4-80GB": 19000,
        "NVIDIA-H100-PCIe-80GB": 28000,
        "NVIDIA-H200-141GB": 35000,
        "NVIDIA-H100-80GB-HBM3": 38000,
        "NVIDIA-RTX-A5000-24GB": 2400,
        "NVIDIA-RTX-A6000-48GB": 4500,
        "NVIDIA-RTX-PRO-6000-Blackwell-Server-Edition-96GB": 8000,
        "NVIDIA-GB10-UnknownGB": 3999,
        "NVIDIA-GB10-128GB": 3999,
    ]

    /// `GPU_TDP_DICT` in watts (§12; the H200 entry is the PCIe variant's, per MoE-CAP's comment).
    package static let gpuTDP: [String: Double] = [
        "NVIDIA-A100-PCIe-40GB": 250,
        "NVIDIA-A100-PCIe-80GB": 300,
        "NVIDIA-A100-SXM4-40GB": 400,
        "NVIDIA-A100-SXM4-80GB": 400,
        "NVIDIA-H100-PCIe-80GB": 350,
        "NVIDIA-H200-141GB": 350,
        "NVIDIA-H100-80GB-HBM3": 700,
        "NVIDIA-RTX-A5000-24GB": 230,
        "NVIDIA-RTX-A6000-48GB": 300,
        "NVIDIA-RTX-PRO-6000-Blackwell-Server-Edition-96GB": 600,
        "NVIDIA-GB10-UnknownGB": 140,
        "NVIDIA-GB10-128GB": 140,
    ]

    package static let cpuCost = 7214.00
    package static let cpuTDP = 350.0
    /// Dollars per kWh.
    package static let energyCost = 0.15
    package static let scaleRateOtherCostCapital = 1.2
    package static let scaleRateOtherCostEnergy = 1.25

    /// `calculate_cost(e2e_latency, gpu_type, num_gpus)`: nil when `gpuType` is not a `GPU_COST_DICT` key (exact,
    /// case-sensitive). The sllm script passes `round(total_time, 2)`, the run's wall clock (docs/sllm-api.md §5.1).
    package static func calculate(e2eLatencySeconds: Double, gpuType: String, numGPUs: Int) -> Double? {
        guard let capitalPerGPU = gpuCost[gpuType], let power = gpuTDP[gpuType] else { return nil }
        let n = Double(numGPUs)
        let capital = capitalPerGPU * n + cpuCost
        // Python evaluates `(power*n + CPU_TDP) / 1000 * ENERGY_COST * e2e / 3600` left to right.
        let energy = (power * n + cpuTDP) / 1000 * energyCost * e2eLatencySeconds / 3600
        // Quirk: the "capital" constant scales energy and the "energy" constant scales capital.
        return energy * scaleRateOtherCostCapital + capital * scaleRateOtherCostEnergy
    }
}
