/// Why MoE-CAP's `_calculate_continuous_metrics` produced no numbers. In Python each of these is an exception
/// (mostly `ZeroDivisionError`) that the runner catches, publishing `{}` instead of the performance fields
/// (docs/moecap-metrics.md §3, last bullet; docs/sllm-api.md §5.1 step 10). The Swift port throws instead of crashing, so the
/// caller can print a warning and omit the advanced fields.
package enum ContinuousMetricsError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `MEM_BW_DICT` has no entry for the GPU name (MoE-CAP's peak is then 0, §8).
    case zeroPeakBandwidth(gpuRawType: String)
    /// `PEAK_FLOPS_DICT[used_dtype][gpu]` is 0 or missing: unknown GPU, or a precision without a section
    /// (`awq`, `gptq`, `nvfp4`, …; §7).
    case zeroPeakFlops(gpuRawType: String, usedDtype: String)
    /// `num_gpus` is 0.
    case zeroGPUCount
    /// A record (or a per-request prefill sum) with latency 0 was divided by.
    case zeroLatency(forwardMode: String)
    /// The model config lacks an attribute MoE-CAP's family helper reads.
    case modelConfig(String)

    package var description: String {
        switch self {
        case .zeroPeakBandwidth(let gpu):
            return "no peak memory bandwidth for GPU '\(gpu)' in MoE-CAP's hardware table"
        case .zeroPeakFlops(let gpu, let dtype):
            return "no peak FLOPS for GPU '\(gpu)' at dtype '\(dtype)' in MoE-CAP's hardware table"
        case .zeroGPUCount:
            return "num_gpus is 0"
        case .zeroLatency(let mode):
            return "a \(mode) record has latency 0 (division by zero)"
        case .modelConfig(let message):
            return message
        }
    }
}
