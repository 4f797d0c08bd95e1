/// Cost of serving per million output tokens from MoE-CAP's price and power tables (docs/moecap-metrics.md §12), for
/// comparing deployments (`fake-sllm sweep`).
///
/// MoE-CAP's own `cost` (``MoECAPCost``) charges the whole purchase price to every run, whatever its length, so it
/// cannot rank deployments. Here the same capital (GPUs plus MoE-CAP's host CPU) is spread over
/// ``amortizationYears`` of continuous use and MoE-CAP's energy price is charged for the TDPs over the run:
/// dollars per hour × run hours ÷ output tokens × 10⁶. MoE-CAP's tables spell two keys differently from what the
/// GPUs report (H100 SXM, H200); the price of the same chip is used for those.
package enum ServingCost {
    /// Years over which the capital is spread (an assumption of this project, not MoE-CAP's).
    package static let amortizationYears = 3.0

    /// MoE-CAP's price-table key for a GPU key: itself, or MoE-CAP's spelling of the same chip.
    package static func priceKey(_ gpuKey: String) -> String? {
        let respelled = ["NVIDIA-H100-HBM3-80GB": "NVIDIA-H100-80GB-HBM3", "NVIDIA-H200-140GB": "NVIDIA-H200-141GB"]
        let key = MoECAPCost.gpuCost[gpuKey] != nil ? gpuKey : respelled[gpuKey]
        guard let key, MoECAPCost.gpuCost[key] != nil, MoECAPCost.gpuTDP[key] != nil else { return nil }
        return key
    }

    /// Dollars per hour of `numGPUs` GPUs and their host; nil when MoE-CAP has no price for the GPU.
    package static func dollarsPerHour(gpuKey: String, numGPUs: Int) -> Double? {
        guard let key = priceKey(gpuKey), let price = MoECAPCost.gpuCost[key], let tdp = MoECAPCost.gpuTDP[key]
        else { return nil }
        let n = Double(numGPUs)
        let capital = price * n + MoECAPCost.cpuCost
        let energy = (tdp * n + MoECAPCost.cpuTDP) / 1000 * MoECAPCost.energyCost
        return capital / (amortizationYears * 365 * 24) + energy
    }

    /// Dollars per million output tokens of a run that produced `outputTokens` in `seconds`; nil without a price
    /// or without tokens.
    package static func dollarsPerMillionTokens(outputTokens: Int, seconds: Double, gpuKey: String, numGPUs: Int)
        -> Double?
    {
        guard outputTokens > 0, seconds > 0, let perHour = dollarsPerHour(gpuKey: gpuKey, numGPUs: numGPUs) else {
            return nil
        }
        return perHour * seconds / 3600 / Double(outputTokens) * 1e6
    }
}
