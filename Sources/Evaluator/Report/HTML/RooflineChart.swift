import MoECore

/// The roofline of the recorded steps (docs/report.md): arithmetic intensity (FLOP/byte) against achieved FLOP/s,
/// under the bandwidth ceiling `G · BW · AI` and the compute ceiling `G · PF/2` (MoE-CAP's peaks, so a step's
/// height over the compute roof is its S-MFU and its bandwidth share its S-MBU). Filled squares: MoE-CAP's
/// per-step estimate; hollow squares: the simulator's ground truth for the same step, when recorded.
enum RooflineChart {
    /// The chart and a note on what it shows, or why it could not be drawn.
    static func render(_ data: ReportData) -> (svg: String?, note: String) {
        guard !data.records.isEmpty else { return (nil, "No batch records in these files: no roofline.") }
        guard let key = data.gpuKey, let gpu = HardwareCatalog.all.first(where: { $0.key == key }) else {
            return (nil, "Unknown GPU '\(data.gpuKey ?? "")' (not in MoE-CAP's tables): no roofline.")
        }
        let g = Double(data.numGPUs)
        let bandwidth = g * gpu.memoryBandwidth
        let compute = g * gpu.moecapPeakFlops(data.precision) / 2
        var estimated: [StepUtilization] = []
        var why = ""
        if let model = data.model {
            do {
                let spec = try ModelResolver.spec(model, configPath: data.modelConfigPath)
                estimated = try StepUtilization.compute(
                    records: data.records, model: spec, gpu: gpu, usedDtype: data.precision,
                    precision: Precision.bytesPerParam(data.precision), numGPUs: data.numGPUs)
            } catch {
                why = " MoE-CAP's estimate is missing: \(error)."
            }
        }
        // Ground truth: true FLOPs and bytes of the step, timed by the record's latency.
        var truthPoints: [(ai: Double, flops: Double, prefill: Bool)] = []
        for r in data.records {
            guard let id = r.forwardPassID, let t = data.groundTruth[id], let flops = t["flops"]?.doubleValue,
                let bytes = t["bytes"]?.doubleValue, bytes > 0, r.latency > 0
            else { continue }
            truthPoints.append((flops / bytes, flops / r.latency, r.isPrefill))
        }
        let estPoints = estimated.compactMap { u in
            u.arithmeticIntensity.map { (ai: $0, flops: u.flopsPerSecond, prefill: u.isPrefill) }
        }
        guard !estPoints.isEmpty || !truthPoints.isEmpty else {
            return (nil, "No step could be placed on the roofline." + why)
        }
        guard bandwidth > 0, compute > 0 else {
            return (nil, "MoE-CAP has no peak for \(gpu.key) at \(data.precision): no roofline.")
        }
        let ridge = compute / bandwidth
        let ais = estPoints.map(\.ai) + truthPoints.map(\.ai) + [ridge / 4, ridge * 4]
        let ys = estPoints.map(\.flops) + truthPoints.map(\.flops) + [compute * 1.5]
        var plot = SVGPlot(
            title: "Roofline: \(data.numGPUs)× \(gpu.key), \(data.precision)", x: .log, xValues: ais,
            xTitle: "arithmetic intensity (FLOP/byte)", y: .log, yValues: ys, yTitle: "achieved FLOP/s",
            yIncludesZero: false)
        let x0 = plot.x.lower
        let x1 = plot.x.upper
        plot.line([(x0, bandwidth * x0), (ridge, compute), (x1, compute)], color: ReportPalette.ceiling, width: 2)
        plot.label(
            "\(SVGFormat.si(compute))FLOP/s (PF/2)", at: (x1, compute), color: ReportPalette.ceiling, anchor: "end")
        plot.label(
            "\(SVGFormat.si(bandwidth))B/s", at: (max(x0 * 1.5, ridge / 30), bandwidth * max(x0 * 1.5, ridge / 30)),
            color: ReportPalette.ceiling)
        plot.points(estPoints.filter(\.prefill).map { ($0.ai, $0.flops) }, color: ReportPalette.prefill)
        plot.points(estPoints.filter { !$0.prefill }.map { ($0.ai, $0.flops) }, color: ReportPalette.decode)
        plot.points(
            truthPoints.filter(\.prefill).map { ($0.ai, $0.flops) }, color: ReportPalette.prefill, hollow: true, size: 5
        )
        plot.points(
            truthPoints.filter { !$0.prefill }.map { ($0.ai, $0.flops) }, color: ReportPalette.decode, hollow: true,
            size: 5)
        plot.legendEntry("prefill steps", color: ReportPalette.prefill)
        plot.legendEntry("decode steps", color: ReportPalette.decode)
        let note =
            "\(estPoints.count) steps by MoE-CAP's formulas (filled)"
            + (truthPoints.isEmpty ? "" : ", \(truthPoints.count) by the simulator's ground truth (hollow)")
            + ". Ceilings: \(data.numGPUs) × \(SVGFormat.si(gpu.memoryBandwidth))B/s and \(data.numGPUs) × PF/2."
            + why
        return (plot.render(id: "roofline"), note)
    }

    /// MoE-CAP's S-MBU/S-MFU beside the simulator's measured utilisations (`ground_truth_check` of
    /// `metrics.json`), as table rows; empty when there is no ground truth.
    static func utilizationRows(_ metrics: JSONValue) -> [(String, String, String, String, String)] {
        guard let check = metrics["ground_truth_check"] else { return [] }
        let b = metrics["batch_metrics"]
        func pct(_ v: JSONValue?) -> String { v?.doubleValue.map { SVGFormat.short($0 * 100) + "%" } ?? "–" }
        return [
            (
                "prefill", pct(b?[CapMetric.prefillSMBU]), pct(check["prefill_mean"]?["bandwidth_utilization"]),
                pct(b?[CapMetric.prefillSMFU]), pct(check["prefill_mean"]?["flops_utilization"])
            ),
            (
                "decode", pct(b?[CapMetric.decodingSMBU]), pct(check["decode_mean"]?["bandwidth_utilization"]),
                pct(b?[CapMetric.decodingSMFU]), pct(check["decode_mean"]?["flops_utilization"])
            ),
        ]
    }
}
