/// MoE-CAP's performance metrics of one run: an exact port of `_calculate_continuous_metrics`
/// (`moe_cap/utils/continuous_batching_utils.py`; docs/moecap-metrics.md §3–4), known bugs included.
///
/// Reproduced MoE-CAP quirks (§3, §13), all deliberately kept in these MoE-CAP-named fields:
/// - S-MFU counts **one** routed expert per token (no top-k factor);
/// - the peak FLOPS table holds with-sparsity numbers and is halved (`PF/2`), which also halves already-dense peaks;
/// - the S-MBU KV term is the whole batch's `seq_lens_sum` × `kv_tok` at the *weight* precision;
/// - the attention score uses the batch-total context and is multiplied by the batch's token rate;
/// - `num_gpus` multiplies only the peaks; means are unweighted; `kv_size` is in millions of KV elements;
/// - in per-request mode each request's TTFT sums full pass latencies and `prefill_tp` is a per-request rate.
package struct ContinuousMetrics: Sendable, Equatable {
    /// Mean prefill S-MBU (fraction, may exceed 1).
    package var prefillSMBU: Double
    /// Mean prefill S-MFU.
    package var prefillSMFU: Double
    /// Mean decode S-MBU.
    package var decodingSMBU: Double
    /// Mean decode S-MFU.
    package var decodingSMFU: Double
    /// Mean `true_kv_size` over all kept records: millions of KV elements (§2).
    package var kvSize: Double
    /// `decoding_throughput`: mean of `batch_size / latency` over decode records.
    package var decodingThroughput: Double
    /// `prefill_tp`: mean prefill tokens/s (per pass, or per request in per-request mode).
    package var prefillTP: Double
    /// `ttft`: mean prefill latency in seconds (per pass, or per request in per-request mode).
    package var ttft: Double
    /// `tpot`: mean decode-step latency in seconds.
    package var tpot: Double
    /// The GPU name the peaks were looked up with (`gpu_raw_type` of MoE-CAP's result dict).
    package var gpuRawType: String
    /// Number of prefill values averaged (passes, or completed requests in per-request mode); 0 ⇒ the prefill
    /// fields are MoE-CAP's integer `0`.
    package var prefillCount: Int
    /// Number of decode records averaged; 0 ⇒ the decode fields are MoE-CAP's integer `0`.
    package var decodeCount: Int
    /// Number of `kv_size` values averaged.
    package var kvCount: Int

    /// The nine published keys in MoE-CAP's order (``CapMetric``). A mean over an empty list is written as the integer
    /// `0`, as Python's `… if xs else 0` does. `gpu_raw_type` is not included (the sllm script deletes it).
    package var json: JSONValue {
        .object(JSONObject(CapMetric.allCases.map { ($0.key, $0.json(in: self)) }))
    }
}

extension ContinuousMetrics {
    /// Computes the metrics with the GPU named as in the records (`gpu_raw_type`). The name is looked up
    /// **exactly** in MoE-CAP's tables (no aliases, case-sensitive); an unknown name has peak 0 (§8).
    /// - Parameters:
    ///   - records: the run's records, normally de-duplicated with ``BatchRecord/deduplicated(_:)`` first
    ///     (per-rank copies double the per-request TTFT sums).
    ///   - model: the model; `model.name` (the HF id) picks the formula family.
    ///   - gpuRawType: MoE-CAP hardware key, e.g. `NVIDIA-H100-HBM3-80GB`.
    ///   - usedDtype: the FLOPS-table section (`float16`, `bfloat16`, `fp8`, …; `mxfp4` reads `fp4`).
    ///   - precision: bytes per parameter (``Precision/bytesPerParam(_:)``).
    ///   - numGPUs: MoE-CAP's `num_gpus` (the first record's `gpu_num`; see ``runGPUCount(_:fallback:)``).
    /// - Throws: ``ContinuousMetricsError`` wherever MoE-CAP's Python would raise.
    package static func compute(
        records: [BatchRecord], model: ModelSpec, gpuRawType: String, usedDtype: String, precision: Double,
        numGPUs: Int
    ) throws(ContinuousMetricsError) -> ContinuousMetrics {
        let gpu = HardwareCatalog.all.first { $0.key == gpuRawType }
        return try compute(
            records: records, model: model, gpuRawType: gpuRawType, peakBandwidth: gpu?.memoryBandwidth ?? 0,
            peakFlops: gpu?.moecapPeakFlops(usedDtype) ?? 0, usedDtype: usedDtype, precision: precision,
            numGPUs: numGPUs)
    }

    /// Computes the metrics for a catalogued GPU (its MoE-CAP table values, `gpu.key` as `gpu_raw_type`).
    package static func compute(
        records: [BatchRecord], model: ModelSpec, gpu: GPUSpec, usedDtype: String, precision: Double, numGPUs: Int
    ) throws(ContinuousMetricsError) -> ContinuousMetrics {
        try compute(
            records: records, model: model, gpuRawType: gpu.key, peakBandwidth: gpu.memoryBandwidth,
            peakFlops: gpu.moecapPeakFlops(usedDtype), usedDtype: usedDtype, precision: precision, numGPUs: numGPUs)
    }

    /// MoE-CAP's `num_gpus`: the **first** record's `gpu_num`, even if later records differ (§3); `fallback`
    /// (the `--num-gpus` flag) when there is no record or it has no `gpu_num` (docs/sllm-api.md §5.1 step 9).
    package static func runGPUCount(_ records: [BatchRecord], fallback: Int) -> Int {
        records.first?.gpuNum ?? fallback
    }

    /// The run's `gpu_raw_type`: the first record's value, else `fallback` (docs/sllm-api.md §5.1 step 9).
    package static func runGPURawType(_ records: [BatchRecord], fallback: String) -> String {
        records.first?.gpuRawType ?? fallback
    }

    /// The port proper, with the peaks given in MoE-CAP's units (bytes/s and FLOP/s).
    static func compute(
        records: [BatchRecord], model: ModelSpec, gpuRawType: String, peakBandwidth: Double, peakFlops: Double,
        usedDtype: String, precision: Double, numGPUs: Int
    ) throws(ContinuousMetricsError) -> ContinuousMetrics {
        let sizes: ModelSizes
        do {
            sizes = try ModelSizes(model: model)
        } catch {
            throw .modelConfig(error.description)
        }
        let f = PassFormulas(
            sizes: sizes, precision: precision, numGPUs: Double(numGPUs), bandwidthTB: peakBandwidth / 1e12,
            flopsTF: peakFlops / 1e12, gpuRawType: gpuRawType, usedDtype: usedDtype)
        var acc = Accumulators()

        // has_per_req_info is decided over all records, before any skipping (§4).
        let hasPerReq = records.contains { $0.isPrefill && !($0.perReqInfo ?? []).isEmpty }
        var perRequest = PerRequestPrefills()

        for r in records {
            // Skip rules (§4): activation None or negative; prefill warm-up probes of ≤ 10 tokens.
            guard let activation = r.expertActivation, activation >= 0 else { continue }
            if r.isPrefill, r.seqLensSum <= 10 { continue }

            if !r.isPrefill {
                // Decode: tpot = latency, decoding_tp = batch_size / latency.
                guard r.latency != 0 else { throw .zeroLatency(forwardMode: r.forwardMode) }
                let tpot = r.latency
                let tp = Double(r.batchSize) / tpot
                acc.kv.append(sizes.trueKVSize(contextTokens: r.seqLensSum))
                acc.tpots.append(tpot)
                acc.decodingTPs.append(tp)
                let (smbu, smfu) = try f.decode(record: r, activation: activation, tpot: tpot, tp: tp)
                acc.decodingSMBUs.append(smbu)
                acc.decodingSMFUs.append(smfu)
                continue
            }

            if hasPerReq, let chunks = r.perReqInfo, !chunks.isEmpty {
                perRequest.add(record: r, activation: activation, chunks: chunks)
                continue
            }

            // Per-pass prefill: ttft = latency, prefill_tp = seq_lens_sum / latency.
            guard r.latency != 0 else { throw .zeroLatency(forwardMode: r.forwardMode) }
            let ttft = r.latency
            let tp = Double(r.seqLensSum) / ttft
            acc.ttfts.append(ttft)
            acc.prefillTPs.append(tp)
            acc.kv.append(sizes.trueKVSize(contextTokens: r.seqLensSum))
            let (smbu, smfu) = try f.prefill(
                contextTokens: r.seqLensSum, activation: activation, ttft: ttft, tp: tp)
            acc.prefillSMBUs.append(smbu)
            acc.prefillSMFUs.append(smfu)
        }

        // Completed per-request prefills, in first-seen order (Python dict order).
        for p in perRequest.completed {
            let ttft = p.latencySum
            let tokens = p.totalTokens > 0 ? p.totalTokens : p.seqLensSum
            let tp = ttft > 0 ? Double(tokens) / ttft : 0
            acc.ttfts.append(ttft)
            acc.prefillTPs.append(tp)
            acc.kv.append(sizes.trueKVSize(contextTokens: tokens))
            let (smbu, smfu) = try f.prefill(
                contextTokens: tokens, activation: p.lastActivation, ttft: ttft, tp: tp)
            acc.prefillSMBUs.append(smbu)
            acc.prefillSMFUs.append(smfu)
        }

        return ContinuousMetrics(
            prefillSMBU: mean(acc.prefillSMBUs), prefillSMFU: mean(acc.prefillSMFUs),
            decodingSMBU: mean(acc.decodingSMBUs), decodingSMFU: mean(acc.decodingSMFUs), kvSize: mean(acc.kv),
            decodingThroughput: mean(acc.decodingTPs), prefillTP: mean(acc.prefillTPs), ttft: mean(acc.ttfts),
            tpot: mean(acc.tpots), gpuRawType: gpuRawType, prefillCount: acc.ttfts.count,
            decodeCount: acc.tpots.count, kvCount: acc.kv.count)
    }

    /// `sum(xs) / len(xs) if xs else 0`, summing left to right as Python's `sum`.
    private static func mean(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        var s = 0.0
        for x in xs { s += x }
        return s / Double(xs.count)
    }
}

/// The value lists MoE-CAP averages.
private struct Accumulators {
    var ttfts: [Double] = []
    var tpots: [Double] = []
    var prefillTPs: [Double] = []
    var decodingTPs: [Double] = []
    var kv: [Double] = []
    var prefillSMBUs: [Double] = []
    var prefillSMFUs: [Double] = []
    var decodingSMBUs: [Double] = []
    var decodingSMFUs: [Double] = []
}
