/// The per-record S-MBU / S-MFU formulas of MoE-CAP's four families (docs/moecap-metrics.md §3), with Python's
/// operation order kept so results agree to the last bits, and its division-by-zero failures turned into
/// ``ContinuousMetricsError``.
///
/// `S-MBU = Bytes / t / (G · BW)`, `S-MFU = Flops · 2 · tp / (G · PF / 2)`. Bytes count the measured distinct
/// experts `A` per layer; FLOPs count **one** routed expert per token (MoE-CAP bug: no top-k factor, §3).
struct PassFormulas {
    let sizes: ModelSizes
    let precision: Double
    let numGPUs: Double
    /// `peak_bandwidth_tb` (TB/s).
    let bandwidthTB: Double
    /// `peak_flops_tf` (TFLOP/s, MoE-CAP's with-sparsity table value).
    let flopsTF: Double
    let gpuRawType: String
    let usedDtype: String

    /// `_calculate_*_prefill`: `t = ttft`, `tp = prefill_tp`, context = the (aggregated) `seq_lens_sum`.
    func prefill(contextTokens ctx: Int, activation a: Double, ttft: Double, tp: Double)
        throws(ContinuousMetricsError) -> (smbu: Double, smfu: Double)
    {
        // _calculate_default_prefill divides by `(ttft or 1)`; the other families by ttft itself.
        let t = sizes.family == .default && ttft == 0 ? 1 : ttft
        let (bytes, flops) = perPass(contextTokens: ctx, activation: a, tp: tp, prefillGrouping: true)
        guard t != 0 else { throw .zeroLatency(forwardMode: "prefill") }
        return try finish(bytesPerSecond: bytes / t, flopsPerSecond: flops)
    }

    /// `_calculate_*_decoding`: `t = tpot = latency`, `tp = decoding_tp = batch_size / latency`.
    func decode(record r: BatchRecord, activation a: Double, tpot: Double, tp: Double)
        throws(ContinuousMetricsError) -> (smbu: Double, smfu: Double)
    {
        let (bytes, flops) = perPass(contextTokens: r.seqLensSum, activation: a, tp: tp, prefillGrouping: false)
        guard tpot != 0 else { throw .zeroLatency(forwardMode: r.forwardMode) }
        return try finish(bytesPerSecond: bytes / tpot, flopsPerSecond: flops)
    }

    /// Bytes read per pass and FLOP/s of one family's formula (§3 table). Prefill and decode differ only in how
    /// Qwen3 groups `n_moe * A * expert` (`n_moe * (A * expert)` in prefill), kept for bit-exact results.
    private func perPass(contextTokens ctx: Int, activation a: Double, tp: Double, prefillGrouping: Bool)
        -> (bytes: Double, flops: Double)
    {
        let kv = sizes.kvSizeT(contextTokens: ctx)
        let sc = sizes.attentionScore(prefillLength: ctx)
        let e = sizes.expert
        let L = Double(sizes.numLayers)
        let attn = sizes.attentionSize
        switch sizes.family {
        case .default:
            return ((L * (a * e.expertSize + attn) + kv) * precision, (L * (attn + e.expertSize) + sc) * 2 * tp)
        case .qwen:
            return (
                (L * (a * e.expertSize + e.sharedExpertsSizeTotal + attn) + kv) * precision,
                (L * (attn + e.expertSize + e.sharedExpertsSizeTotal) + sc) * 2 * tp
            )
        case .qwen3:
            let n = Double(e.numMoELayers)
            let moeBytes = prefillGrouping ? n * (a * e.expertSize) : n * a * e.expertSize
            let dense = Double(e.numDenseLayers) * e.denseFFNSize
            let attnAll = L * attn
            return (
                (moeBytes + dense + attnAll + kv) * precision, (n * e.expertSize + dense + attnAll + sc) * 2 * tp
            )
        case .deepSeek:
            return (deepSeekBytes(a: a, kv: kv), deepSeekFlops(sc: sc) * 2 * tp)
        }
    }

    /// `(L*attn + n_sparse*(A*expert + shared) + n_dense*dense_ffn + kv) * precision`.
    private func deepSeekBytes(a: Double, kv: Double) -> Double {
        let e = sizes.expert
        return
            (Double(sizes.numLayers) * sizes.attentionSize
            + Double(e.deepseekSparseLayerNum) * (a * e.expertSize + e.sharedExpertsSizeTotal)
            + Double(e.deepseekNumDenseLayer) * e.deepseekDenseFFNSize + kv) * precision
    }

    /// `L*attn + n_sparse*(expert + shared) + n_dense*dense_ffn + score` (before `* 2 * tp`).
    private func deepSeekFlops(sc: Double) -> Double {
        let e = sizes.expert
        return Double(sizes.numLayers) * sizes.attentionSize
            + Double(e.deepseekSparseLayerNum) * (e.expertSize + e.sharedExpertsSizeTotal)
            + Double(e.deepseekNumDenseLayer) * e.deepseekDenseFFNSize + sc
    }

    /// Divides by the peaks: `/ (num_gpus * peak_bandwidth_tb)` and `/ (num_gpus * peak_flops_tf / 2)`.
    private func finish(bytesPerSecond: Double, flopsPerSecond: Double) throws(ContinuousMetricsError)
        -> (smbu: Double, smfu: Double)
    {
        let bwDenominator = numGPUs * bandwidthTB
        guard bwDenominator != 0 else {
            throw numGPUs == 0 ? .zeroGPUCount : .zeroPeakBandwidth(gpuRawType: gpuRawType)
        }
        let flopsDenominator = numGPUs * flopsTF / 2
        guard flopsDenominator != 0 else { throw .zeroPeakFlops(gpuRawType: gpuRawType, usedDtype: usedDtype) }
        return (bytesPerSecond / bwDenominator, flopsPerSecond / flopsDenominator)
    }
}
