/// MoE-CAP's per-record view of one step: the S-MBU and S-MFU that `_calculate_continuous_metrics` averages, and
/// the byte and FLOP rates behind them (docs/report.md), for plotting steps on a roofline.
///
/// Rates are the formulas' numerators: bytes read per second (`S-MBU · G · BW`) and FLOP/s (`S-MFU · G · PF/2`).
/// Their ratio is the step's arithmetic intensity as MoE-CAP models it (its one-expert-per-token FLOPs included).
package struct StepUtilization: Sendable, Equatable {
    /// Index of the record in the list given to ``compute(records:model:gpu:usedDtype:precision:numGPUs:)``.
    package var index: Int
    package var isPrefill: Bool
    package var smbu: Double
    package var smfu: Double
    /// Bytes per second MoE-CAP's formula charges the step with.
    package var bytesPerSecond: Double
    /// FLOP/s MoE-CAP's formula charges the step with.
    package var flopsPerSecond: Double

    /// FLOPs per byte, or nil when the step reads no bytes.
    package var arithmeticIntensity: Double? { bytesPerSecond > 0 ? flopsPerSecond / bytesPerSecond : nil }

    /// The per-pass values of every record MoE-CAP keeps (its skip rules applied: no activation, negative
    /// activation, prefill steps of ≤ 10 tokens, zero latency). Per-request prefill aggregation is not applied:
    /// each record stands for itself.
    /// - Throws: ``ContinuousMetricsError`` when the model's sizes cannot be derived or a peak is zero.
    package static func compute(
        records: [BatchRecord], model: ModelSpec, gpu: GPUSpec, usedDtype: String, precision: Double, numGPUs: Int
    ) throws(ContinuousMetricsError) -> [StepUtilization] {
        let sizes: ModelSizes
        do { sizes = try ModelSizes(model: model) } catch { throw .modelConfig(error.description) }
        let bandwidth = gpu.memoryBandwidth / 1e12
        let flopsTF = gpu.moecapPeakFlops(usedDtype) / 1e12
        let f = PassFormulas(
            sizes: sizes, precision: precision, numGPUs: Double(numGPUs), bandwidthTB: bandwidth, flopsTF: flopsTF,
            gpuRawType: gpu.key, usedDtype: usedDtype)
        var out: [StepUtilization] = []
        for (i, r) in records.enumerated() {
            guard let a = r.expertActivation, a >= 0, r.latency > 0 else { continue }
            if r.isPrefill, r.seqLensSum <= 10 { continue }
            let u =
                r.isPrefill
                ? try f.prefill(
                    contextTokens: r.seqLensSum, activation: a, ttft: r.latency,
                    tp: Double(r.seqLensSum) / r.latency)
                : try f.decode(record: r, activation: a, tpot: r.latency, tp: Double(r.batchSize) / r.latency)
            out.append(
                StepUtilization(
                    index: i, isPrefill: r.isPrefill, smbu: u.smbu, smfu: u.smfu,
                    bytesPerSecond: u.smbu * Double(numGPUs) * bandwidth * 1e12,
                    flopsPerSecond: u.smfu * Double(numGPUs) * flopsTF * 1e12 / 2))
        }
        return out
    }
}
