/// Time and work of one engine step on a tensor-parallel group of GPUs: a roofline per operator group with
/// shape-dependent efficiencies, plus communication and fixed costs (docs/engine.md).
///
/// Per layer and rank: attention projections (2·tokens·params FLOPs, weights read once), attention itself (FLOPs
/// over every (query, key) pair, causal for prefill; KV read = each running sequence's full context, at the KV
/// cache format), and either the MoE block (router; each *touched* expert's weights read once; 2·tokens·k·expert
/// FLOPs; shared experts) or a dense FFN. Once per step: embedding gather, LM head over one row per request. With
/// tensor parallelism every size above is the rank's share and two all-reduces per layer run over the
/// interconnect (ring: 2(TP−1)/TP of the message each way, plus a fixed latency). Each operator group takes
/// max(FLOPs ÷ (peak·efficiency), bytes ÷ (bandwidth·efficiency)); efficiencies never exceed 1, so a step is
/// never faster than the datasheet roofline.
///
/// Costing a step is O(1): it depends only on the ``StepShape`` sums. A plain value, safe to share.
package struct StepCostModel: Sendable {
    package let footprint: ModelFootprint
    package let gpu: GPUSpec
    package let calibration: Calibration
    /// Dense peak (FLOP/s) of the routed experts' products (their ``GemmPath``), one GPU; the figure the
    /// step's FLOP utilization is reported against.
    package let peakFlops: Double
    /// Dense peaks (FLOP/s) of the other linear layers' path and of 16-bit work (attention core, router, LM head).
    package let densePeakFlops: Double
    package let sixteenBitPeakFlops: Double
    /// Datasheet memory bandwidth (B/s), one GPU.
    package let bandwidth: Double
    /// How close a rank's slice of one expert comes to large-expert efficiency: S / (S + half), S its bytes.
    package let expertSizeFactor: Double
    /// Where the fused-MoE kernel's block config comes from (vLLM's tuned file or its default); with `.default`
    /// the routed-expert products take ``moeKernelSlowdown(tokens:rows:)`` longer.
    package let moeKernelSource: FusedMoEKernelConfig.Source
    /// Whether the routed experts are a block-wise FP8 checkpoint (their default config costs less extra).
    private let moeKernelBlockFP8: Bool
    /// Compute efficiency of the non-expert products relative to the dense curve: the block-FP8 kernels' on
    /// Hopper (``Calibration/blockFP8GemmEfficiency``), else 1.
    private let denseProductEfficiency: Double
    /// Fixed time per attention layer, per shared-expert block and per dense FFN of the block-FP8 products'
    /// per-product costs on Hopper (``Calibration/blockFP8GemmCall``, ``Calibration/blockFP8GemmKBlock``; 0
    /// elsewhere), s.
    private let attentionProductFixed: Double
    private let sharedExpertProductFixed: Double
    private let denseFFNProductFixed: Double

    private let layers: Double
    private let moeLayers: Double
    private let denseLayers: Double
    private let hidden: Double
    private let topK: Double
    private let tp: Double
    private let expertBytes: Double
    /// Parameters of one routed expert per rank as its kernel reads and multiplies them (Marlin: padded).
    private let expertParamsRun: Double
    /// Efficiency of the experts' kernel path relative to the fused-MoE curves (Marlin MXFP4: its fitted
    /// constant; else 1).
    private let expertPathEfficiency: Double
    /// Highest compute efficiency of the routed experts' and of the other linear layers' products: Marlin's plateau
    /// (``Calibration/marlinComputePeak``) where the path is weight-only on a GPU without FP8 tensor cores, else 1.
    private let expertComputeCap: Double
    private let denseComputeCap: Double
    private let denseBytes: Double
    private let hpBytes: Double
    private let actPerTokenAttention: Double
    private let actPerTokenMoE: Double
    private let actPerTokenDense: Double

    /// - Parameters:
    ///   - footprint: the sharded model.
    ///   - gpu: one GPU of the group (all alike).
    ///   - calibration: efficiencies and fixed costs.
    ///   - moeKernelSource: the fused-MoE block config's source; nil looks it up in vLLM 0.11's shipped files
    ///     (``FusedMoEKernelConfig/source(footprint:gpu:)``).
    ///   - tritonKernels: the engine has OpenAI's `triton_kernels` (MXFP4 experts on Hopper through Triton rather
    ///     than Marlin; ``GemmPath/init(weights:gpu:activation:tritonKernels:)``).
    package init(
        footprint: ModelFootprint, gpu: GPUSpec, calibration: Calibration,
        moeKernelSource: FusedMoEKernelConfig.Source? = nil, tritonKernels: Bool = false
    ) {
        self.footprint = footprint
        self.moeKernelSource = moeKernelSource ?? FusedMoEKernelConfig.source(footprint: footprint, gpu: gpu)
        self.gpu = gpu
        self.calibration = calibration
        let activation: NumberFormat = footprint.highPrecisionBytes == 4 ? .float32 : .bfloat16
        // A quantized checkpoint's own formats (experts and the rest may differ: gpt-oss keeps attention in
        // bf16); else the format the deployment runs (unquantized, or quantized online by `--quantization`).
        let checkpoint = footprint.model.checkpointWeights
        if case .fp8Block = checkpoint.experts, checkpoint.method != nil {
            moeKernelBlockFP8 = true
        } else {
            moeKernelBlockFP8 = false
        }
        // Block-FP8 non-expert products on Hopper: vLLM's CUTLASS block-FP8 kernel after a per-token-group
        // quantisation, a fixed time per product and per 128 input columns (docs/calibration.md "Block-FP8 dense
        // products on Hopper").
        if case .fp8Block = checkpoint.dense, checkpoint.method != nil, gpu.isHopper {
            let perProduct = { (inputs: [Double]) in
                inputs.reduce(0.0) { $0 + calibration.blockFP8GemmCall + calibration.blockFP8GemmKBlock * $1 / 128 }
            }
            denseProductEfficiency = calibration.blockFP8GemmEfficiency
            attentionProductFixed = perProduct(footprint.attentionProductInputs)
            sharedExpertProductFixed = perProduct(footprint.sharedExpertProductInputs)
            denseFFNProductFixed = perProduct(footprint.denseFFNProductInputs)
        } else {
            denseProductEfficiency = 1
            attentionProductFixed = 0
            sharedExpertProductFixed = 0
            denseFFNProductFixed = 0
        }
        // Kernel paths of the routed experts and of the other linear layers (attention, shared experts, dense FFNs).
        let expertPath = footprint.expertGemmPath(on: gpu, tritonKernels: tritonKernels)
        let densePath = footprint.denseGemmPath(on: gpu)
        if expertPath.kind == .marlinMXFP4 {
            // Marlin reads and multiplies the padded experts, on Hopper at its own fitted efficiency; Ampere's
            // Marlin keeps the fused-MoE curves (docs/engine.md §8).
            expertParamsRun = footprint.marlinPaddedExpertParams
            expertPathEfficiency = gpu.isHopper ? calibration.marlinMXFP4ExpertEfficiency : 1
        } else {
            expertParamsRun = footprint.expertParams
            expertPathEfficiency = 1
        }
        // Ampere runs every weight-only product through Marlin (FP8 via `prepare_fp8_layer_for_marlin`, MXFP4 via
        // `get_mxfp4_backend` below capability 9, GPTQ/AWQ via their Marlin methods): docs/engine.md §8.
        let marlinCap = gpu.hasFP8TensorCores ? 1 : calibration.marlinComputePeak
        expertComputeCap = expertPath.isWeightOnly ? marlinCap : 1
        denseComputeCap = densePath.isWeightOnly ? marlinCap : 1
        peakFlops = expertPath.peakFlops(on: gpu)
        densePeakFlops = densePath.peakFlops(on: gpu)
        sixteenBitPeakFlops = GemmPath(format: activation, gpu: gpu).peakFlops(on: gpu)
        bandwidth = gpu.memoryBandwidth
        let m = footprint.model
        layers = Double(m.numLayers)
        moeLayers = Double(footprint.moeLayers)
        denseLayers = Double(footprint.denseLayers)
        hidden = Double(m.hiddenSize)
        topK = Double(max(m.topK, 1))
        tp = Double(footprint.tensorParallelSize)
        expertBytes = footprint.expertBytesPerParam
        denseBytes = footprint.denseBytesPerParam
        hpBytes = footprint.highPrecisionBytes
        let dh = Double(m.headDim)
        let q = Double(footprint.queryHeadsPerRank) * dh
        let kv =
            m.usesMLA ? Double((m.kvLoraRank ?? 0) + (m.qkRopeHeadDim ?? 0)) : 2 * Double(footprint.kvHeadsPerRank) * dh
        // 16-bit activations: each operator reads its input and writes its output.
        actPerTokenAttention = (hidden + q + kv + q + hidden + hidden) * 2
        let ff = Double(m.moeIntermediateSize ?? m.dFF) / tp
        actPerTokenMoE = (hidden + topK * (hidden + 3 * ff + hidden) + hidden) * 2
        let dff = Double(m.intermediateSize ?? m.dFF) / tp
        actPerTokenDense = (hidden + 3 * dff + hidden) * 2
        let sliceBytes = expertParamsRun * footprint.expertBytesPerParam
        expertSizeFactor = sliceBytes > 0 ? sliceBytes / (sliceBytes + calibration.expertHalfBytes) : 1
    }

    /// Compute efficiency of a dense matrix product with `rows` rows.
    package func denseGemmEfficiency(rows: Double) -> Double {
        let r = max(rows, 1)
        return calibration.denseGemmPeak * r / (r + calibration.denseGemmHalfRows)
    }

    /// Compute efficiency of the non-expert linear products (attention projections, shared experts, dense FFNs)
    /// with `rows` tokens: the dense curve times the block-FP8 kernels' efficiency on Hopper, capped at Marlin's
    /// plateau where the path is weight-only on a GPU without FP8 tensor cores.
    private func denseProductComputeEfficiency(rows: Double) -> Double {
        min(denseGemmEfficiency(rows: rows) * denseProductEfficiency, denseComputeCap)
    }

    /// Compute efficiency of the fused-MoE product with `rows` tokens per expert (tuned config; divided by
    /// ``moeKernelSlowdown(tokens:rows:)`` in ``cost(_:)``).
    package func moeGemmEfficiency(rows: Double) -> Double {
        let r = max(rows, 1)
        return calibration.moeGemmPeak * r / (r + calibration.moeGemmHalfRows) * expertSizeFactor
    }

    /// How much longer the fused-MoE products of a `tokens`-token step take than with a tuned block config, at
    /// `rows` tokens per touched expert: 1 unless the kernel runs vLLM's default config.
    package func moeKernelSlowdown(tokens: Double, rows: Double) -> Double {
        guard moeKernelSource == .default else { return 1 }
        return FusedMoEKernelConfig.defaultSlowdown(
            tokens: tokens, experts: footprint.model.numExperts, rowsPerExpert: rows, blockFP8: moeKernelBlockFP8,
            gpu: gpu)
    }

    /// Cost of one ring all-reduce of `bytes` over the group (s); 0 without tensor parallelism.
    package func allReduceTime(bytes: Double) -> Double {
        guard tp > 1 else { return 0 }
        let link = gpu.interconnectBandwidth * calibration.interconnectEfficiency
        return calibration.allReduceLatency + 2 * (tp - 1) / tp * bytes / link
    }

    /// Adds the routed-expert products of one step (`tokens` tokens, `touchedPerLayer` distinct experts per MoE
    /// layer) to `acc`, `times` over.
    private func addRoutedExperts(to acc: inout Accumulator, tokens: Double, touchedPerLayer: Double, times: Double) {
        let c = calibration
        let rowsPerExpert = touchedPerLayer > 0 ? tokens * topK / touchedPerLayer : 0
        let slowdown = moeKernelSlowdown(tokens: tokens, rows: rowsPerExpert) / expertPathEfficiency
        acc.add(
            flops: 2 * tokens * topK * expertParamsRun, peak: peakFlops,
            computeEfficiency: min(moeGemmEfficiency(rows: rowsPerExpert) / slowdown, expertComputeCap),
            weightBytes: touchedPerLayer * expertParamsRun * expertBytes,
            weightEfficiency: c.expertWeightBandwidth * expertSizeFactor / slowdown,
            activationBytes: tokens * actPerTokenMoE, times: times, c)
    }

    /// The time of one MoE layer's fused-MoE call as the step prices it: the routed-expert products of `tokens`
    /// tokens over `touchedPerLayer` distinct experts plus ``Calibration/moeLayerOverhead`` (what vLLM's
    /// `benchmark_moe.py` times; docs/calibration.md "A100 fused-MoE kernels").
    package func fusedMoELayerTime(tokens: Double, touchedPerLayer: Double) -> Double {
        var acc = Accumulator(bandwidth: bandwidth)
        addRoutedExperts(to: &acc, tokens: tokens, touchedPerLayer: touchedPerLayer, times: 1)
        return acc.operatorTime + calibration.moeLayerOverhead
    }

    /// Costs one step.
    package func cost(_ s: StepShape) -> StepCost {
        let c = calibration
        let fp = footprint
        let tokens = Double(max(s.tokens, s.scheduledTokens))
        let scheduled = Double(s.scheduledTokens)
        let requests = Double(s.requests)
        var acc = Accumulator(bandwidth: bandwidth)
        let densePeak = densePeakFlops
        let hpPeak = sixteenBitPeakFlops

        // Attention projections, every layer.
        let projFlops = 2 * tokens * fp.attentionParamsPerLayer
        acc.add(
            flops: projFlops, peak: densePeak,
            computeEfficiency: denseProductComputeEfficiency(rows: tokens),
            weightBytes: fp.attentionParamsPerLayer * denseBytes, weightEfficiency: c.denseWeightBandwidth,
            activationBytes: tokens * actPerTokenAttention, times: layers, c)

        // Attention core: causal pairs, KV read over each sequence's context plus the new tokens' KV written.
        let prefillFlops = s.prefillAttentionPairs * fp.attentionFlopsPerPairPrefill
        let decodeFlops = s.decodeAttentionPairs * fp.attentionFlopsPerPairDecode
        let kvBytes = (s.kvTokensRead + scheduled) * fp.kvBytesPerTokenPerLayer
        acc.addAttention(
            peak: hpPeak, prefillFlops: prefillFlops, prefillEfficiency: c.attentionPrefillEfficiency,
            decodeFlops: decodeFlops,
            decodeEfficiency: c.attentionDecodeEfficiency, kvBytes: kvBytes, kvEfficiency: c.kvBandwidth,
            times: layers)

        if moeLayers > 0 {
            let experts = Double(fp.model.numExperts)
            let touchedPerLayer = min(max(s.touchedExperts / moeLayers, 0), experts)
            // Router: replicated 16-bit gate.
            acc.add(
                flops: 2 * tokens * fp.routerParams, peak: hpPeak, computeEfficiency: denseGemmEfficiency(rows: tokens),
                weightBytes: fp.routerParams * hpBytes, weightEfficiency: c.denseWeightBandwidth,
                activationBytes: tokens * experts * 4, times: moeLayers, c)
            // Routed experts: touched experts' weights once, k expert products per token.
            addRoutedExperts(to: &acc, tokens: tokens, touchedPerLayer: touchedPerLayer, times: moeLayers)
            if fp.sharedExpertParams > 0 {
                acc.add(
                    flops: 2 * tokens * fp.sharedExpertParams, peak: densePeak,
                    computeEfficiency: denseProductComputeEfficiency(rows: tokens),
                    weightBytes: fp.sharedExpertParams * denseBytes, weightEfficiency: c.denseWeightBandwidth,
                    activationBytes: tokens * actPerTokenDense, times: moeLayers, c)
            }
        }
        if denseLayers > 0 {
            acc.add(
                flops: 2 * tokens * fp.denseFFNParams, peak: densePeak,
                computeEfficiency: denseProductComputeEfficiency(rows: tokens),
                weightBytes: fp.denseFFNParams * denseBytes, weightEfficiency: c.denseWeightBandwidth,
                activationBytes: tokens * actPerTokenDense, times: denseLayers, c)
        }
        // Embedding gather and LM head (one row per request; float32 logits written).
        let vocabPerRank = Double(fp.model.vocabSize) / tp
        acc.add(
            flops: 0, peak: hpPeak, computeEfficiency: 1, weightBytes: tokens * hidden * hpBytes,
            weightEfficiency: c.denseWeightBandwidth, activationBytes: 0, times: 1, c)
        acc.add(
            flops: 2 * requests * fp.lmHeadParams, peak: hpPeak, computeEfficiency: denseGemmEfficiency(rows: requests),
            weightBytes: fp.lmHeadParams * hpBytes, weightEfficiency: c.denseWeightBandwidth,
            activationBytes: requests * (hidden * 2 + vocabPerRank * 4), times: 1, c)

        // Tensor parallelism: two all-reduces of the hidden states per layer, and the logits gather.
        var comm = 0.0
        if tp > 1 {
            comm += 2 * layers * allReduceTime(bytes: tokens * hidden * 2)
            let link = gpu.interconnectBandwidth * c.interconnectEfficiency
            comm += c.allReduceLatency + (tp - 1) / tp * requests * Double(fp.model.vocabSize) * 4 / link
        }
        let overhead =
            (s.cudaGraph ? c.stepOverheadGraph : c.stepOverheadEager) + layers
            * (s.cudaGraph ? c.layerOverheadGraph : c.layerOverheadEager) + requests * c.requestOverhead
            + moeLayers * c.moeLayerOverhead + layers * attentionProductFixed
            + moeLayers * sharedExpertProductFixed + denseLayers * denseFFNProductFixed
            + (fp.model.usesMLA ? layers * c.mlaLayerOverhead : 0)
        let latency = acc.operatorTime + comm + overhead
        let rankBytes = acc.weightBytes + acc.kvBytes + acc.activationBytes
        let roofline = max(acc.flops / peakFlops, rankBytes / bandwidth)
        return StepCost(
            latency: latency, flops: acc.flops * tp, weightBytes: acc.weightBytes * tp, kvBytes: acc.kvBytes * tp,
            activationBytes: acc.activationBytes * tp, computeTime: acc.computeTime, memoryTime: acc.memoryTime,
            operatorTime: acc.operatorTime, commTime: comm, overheadTime: overhead, rooflineTime: roofline,
            bandwidthUtilization: latency > 0 ? rankBytes / latency / bandwidth : 0,
            flopsUtilization: latency > 0 ? acc.flops / latency / peakFlops : 0)
    }

    /// CPU time the engine spends between steps (scheduling, input preparation, output processing), outside the
    /// recorded latency: per step, per scheduled request, and per request scheduled for the first time.
    package func schedulingTime(requests: Int, newRequests: Int = 0) -> Double {
        calibration.schedulerOverhead + Double(requests) * calibration.schedulerRequestOverhead
            + Double(newRequests) * calibration.schedulerNewRequestOverhead
    }
}

/// Running totals of one step's operator groups (per rank).
private struct Accumulator {
    let bandwidth: Double
    var flops = 0.0
    var weightBytes = 0.0
    var kvBytes = 0.0
    var activationBytes = 0.0
    var computeTime = 0.0
    var memoryTime = 0.0
    var operatorTime = 0.0

    init(bandwidth: Double) {
        self.bandwidth = bandwidth
    }

    /// One matrix-product operator group, repeated `times` (layers).
    mutating func add(
        flops f: Double, peak: Double, computeEfficiency: Double, weightBytes w: Double, weightEfficiency: Double,
        activationBytes a: Double, times: Double, _ c: Calibration
    ) {
        let compute = f > 0 ? f / (peak * min(max(computeEfficiency, 1e-6), 1)) : 0
        let memory = w / (bandwidth * min(weightEfficiency, 1)) + a / (bandwidth * min(c.activationBandwidth, 1))
        flops += f * times
        weightBytes += w * times
        activationBytes += a * times
        computeTime += compute * times
        memoryTime += memory * times
        operatorTime += max(compute, memory) * times
    }

    /// The attention core, repeated `times` (layers).
    mutating func addAttention(
        peak: Double, prefillFlops: Double, prefillEfficiency: Double, decodeFlops: Double, decodeEfficiency: Double,
        kvBytes kv: Double, kvEfficiency: Double, times: Double
    ) {
        let compute =
            prefillFlops / (peak * min(prefillEfficiency, 1)) + decodeFlops / (peak * min(decodeEfficiency, 1))
        let memory = kv / (bandwidth * min(kvEfficiency, 1))
        flops += (prefillFlops + decodeFlops) * times
        kvBytes += kv * times
        computeTime += compute * times
        memoryTime += memory * times
        operatorTime += max(compute, memory) * times
    }
}
