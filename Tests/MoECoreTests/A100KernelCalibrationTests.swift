import Foundation
import Testing

@testable import MoECore

/// The A100 profile: the H100 fit with fused-MoE constants fitted to published vLLM kernel times on A100s
/// (docs/calibration.md "A100 fused-MoE kernels", `Fixtures/calibration/NVIDIA-A100.published-moe-kernels.json`).
@Suite struct A100KernelCalibrationTests {
    static let fixture = "NVIDIA-A100.published-moe-kernels.json"
    static let moeFields: Set<String> = [
        "expert_weight_bandwidth", "expert_half_bytes", "moe_gemm_peak", "moe_gemm_half_rows", "moe_layer_overhead_s",
    ]
    /// The profile's constants: the fused-MoE ones and Marlin's compute plateau.
    static let a100Fields = moeFields.union(["marlin_compute_peak"])

    @Test func everyA100UsesTheCommittedFixtureAndOnlyItsKernelConstantsDiffer() throws {
        let file = try fixtureJSON(Self.fixture)
        #expect(file == (try JSONValue.parse(PublishedKernelCalibrations.a100)))
        let expected = try Calibration(json: file)
        for name in ["A100", "a100-40gb", "a100-pcie", "a100-pcie-40gb"] {
            let gpu = try #require(HardwareCatalog.gpu(named: name))
            let profile = CalibrationCatalog.profile(for: gpu)
            #expect(profile.source == .publishedKernels, "\(name)")
            #expect(profile.calibration == expected, "\(name)")
        }
        // Every other constant is the H100 fit's, so nothing but the fused-MoE call and Marlin's products is priced
        // differently.
        let h100 = Calibration()
        for (name, path) in Calibration.fields {
            let same = expected[keyPath: path] == h100[keyPath: path]
            #expect(same != Self.a100Fields.contains(name), "\(name)")
        }
        // The H100 and H200 profiles have no separate fused-MoE intercept (their fits hold it elsewhere).
        let h200 = try #require(HardwareCatalog.gpu(named: "H200"))
        #expect(CalibrationCatalog.calibration(for: h200).moeLayerOverhead == 0)
        #expect(h100.moeLayerOverhead == 0)
    }

    /// Points of one published source, as the fixture lists them.
    struct Source {
        let id: String
        let bandwidth: Double
        let experts: Double, n: Double, hidden: Double, topK: Double
        let defaultConfig: Bool
        let points: [(m: Double, us: Double)]
        let memoryFit: Set<Int>
        let computeFit: Set<Int>

        func touched(_ m: Double) -> Double { experts * (1 - pow(1 - topK / experts, m)) }
        func bytes(_ m: Double) -> Double { touched(m) * 3 * hidden * n * 2 }
        func flops(_ m: Double) -> Double { 2 * m * topK * 3 * hidden * n }
        /// The simulator's Ampere default-over-tuned ratio for a batch of `m` ≤ E tokens.
        func ratio(_ m: Double) -> Double { defaultConfig && m > 1 ? 1.03 : 1 }
    }

    static func sources() throws -> [Source] {
        let file = try fixtureJSON(fixture)
        let list = try #require(file["_sources"]?.arrayValue)
        return try list.map { s in
            let shape = try #require(s["shape"])
            func num(_ v: JSONValue?) throws -> Double { try #require(v?.doubleValue) }
            let points = try #require(s["points_us"]?.arrayValue).map { p in
                let pair = try #require(p.arrayValue)
                return (m: try num(pair[0]), us: try num(pair[1]))
            }
            func batches(_ key: String) -> Set<Int> {
                Set((s[key]?.arrayValue ?? []).compactMap { $0.doubleValue.map { Int($0) } })
            }
            return Source(
                id: try #require(s["id"]?.stringValue), bandwidth: try num(s["bandwidth_GBps"]) * 1e9,
                experts: try num(shape["E"]), n: try num(shape["N"]), hidden: try num(shape["hidden"]),
                topK: try num(shape["top_k"]), defaultConfig: s["config"]?.stringValue == "default", points: points,
                memoryFit: batches("memory_fit_batches"), computeFit: batches("compute_fit_batches"))
        }
    }

    /// The committed constants are the fit `scripts/fit_a100_moe_kernels.py` describes, redone here from the points.
    @Test func theConstantsAreTheFitOfThePublishedPoints() throws {
        let sources = try Self.sources()
        // Intercept c and streaming fraction e: least squares of t = c + x/e on relative error (memory-bound points).
        var s00 = 0.0, s01 = 0.0, s11 = 0.0, v0 = 0.0, v1 = 0.0
        for src in sources {
            for p in src.points where src.memoryFit.contains(Int(p.m)) {
                let t = p.us * 1e-6 / src.ratio(p.m)
                let x = src.bytes(p.m) / src.bandwidth
                let w = 1 / (t * t)
                s00 += w; s01 += w * x; s11 += w * x * x; v0 += w * t; v1 += w * x * t
            }
        }
        let det = s00 * s11 - s01 * s01
        let c = (v0 * s11 - v1 * s01) / det
        let e = 1 / ((s00 * v1 - s01 * v0) / det)
        // The compute curve p·r/(r+h) through the compute-fit points, given c.
        var curve: [(r: Double, eff: Double)] = []
        for src in sources {
            for p in src.points where src.computeFit.contains(Int(p.m)) {
                curve.append((r: p.m * src.topK / src.touched(p.m), eff: src.flops(p.m) / ((p.us * 1e-6 - c) * 312e12)))
            }
        }
        curve.sort { $0.r < $1.r }
        try #require(curve.count == 2)
        let h = (curve[1].eff - curve[0].eff) / (curve[0].eff / curve[0].r - curve[1].eff / curve[1].r)
        let peak = curve[0].eff * (curve[0].r + h) / curve[0].r
        let k = try Calibration(json: try fixtureJSON(Self.fixture))
        #expect(abs(k.moeLayerOverhead / c - 1) < 1e-3)
        #expect(abs(k.expertWeightBandwidth / e - 1) < 1e-3)
        #expect(abs(k.moeGemmPeak / peak - 1) < 1e-3)
        #expect(abs(k.moeGemmHalfRows / h - 1) < 2e-3)
        #expect(k.expertHalfBytes == 0)
    }

    /// The step cost model's fused-MoE call, on catalog models of the published shapes, against the published times:
    /// Qwen3-30B-A3B (E 128, N 768) on the A100 PCIe 40GB of vLLM PR #19049 (default config), DeepSeek-V2-Lite
    /// (E 64, N 1408, top 6) on the A100 SXM4 80GB of vLLM PR #40542 (tuned).
    @Test func theCostModelReproducesThePublishedA100KernelTimes() throws {
        let cases: [(id: String, model: String, gpu: String, tolerance: Double)] = [
            ("vllm19049", "Qwen/Qwen3-30B-A3B", "a100-pcie-40gb", 0.06),
            ("vllm40542", "deepseek-ai/DeepSeek-V2-Lite", "A100", 0.11),
        ]
        let sources = try Self.sources()
        for testCase in cases {
            let src = try #require(sources.first { $0.id == testCase.id })
            let gpu = try #require(HardwareCatalog.gpu(named: testCase.gpu))
            let model = try #require(ModelCatalog.spec(for: testCase.model))
            #expect(Double(model.numExperts) == src.experts && Double(model.topK) == src.topK)
            let fp = ModelFootprint(model: model, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16)
            let cost = StepCostModel(
                footprint: fp, gpu: gpu, calibration: CalibrationCatalog.calibration(for: gpu), moeKernelSource: .tuned)
            // Without the A100 constants (the H100 fit over the datasheet) the same call is priced far too fast at
            // one token.
            let h100Fit = StepCostModel(footprint: fp, gpu: gpu, calibration: Calibration(), moeKernelSource: .tuned)
            for p in src.points where p.m >= 2 || src.defaultConfig {
                let modelled = cost.fusedMoELayerTime(tokens: p.m, touchedPerLayer: src.touched(p.m)) * src.ratio(p.m)
                let error = modelled / (p.us * 1e-6) - 1
                #expect(abs(error) < testCase.tolerance, "\(testCase.id) M=\(p.m): \(error)")
                if p.m == 1 {
                    let old = h100Fit.fusedMoELayerTime(tokens: 1, touchedPerLayer: src.touched(1)) / (p.us * 1e-6) - 1
                    #expect(old < -0.4, "H100 fit at one token: \(old)")
                }
            }
        }
    }

    /// Marlin's compute plateau is the mean of vLLM PR #2497's A100 TFLOP/s from batch 128 on, over the A100's
    /// 312 TFLOP/s dense 16-bit peak; it slows the long prefill of an FP8 checkpoint on an A100 (Marlin), leaves its
    /// decode steps alone, and changes nothing for bf16 weights or on an H100 (W8A8).
    @Test func marlinPlateauIsThePublishedMeanAndCapsOnlyAmpereWeightOnlyProducts() throws {
        let file = try fixtureJSON(Self.fixture)
        let source = try #require(file["_marlin_source"])
        let plateau = Set((source["plateau_batches"]?.arrayValue ?? []).compactMap { $0.doubleValue })
        let values = try #require(source["points_tflops"]?.arrayValue).compactMap { p -> Double? in
            guard let pair = p.arrayValue, let m = pair[0].doubleValue, plateau.contains(m) else { return nil }
            return pair[1].doubleValue
        }
        try #require(values.count == 6)
        let a100 = try #require(HardwareCatalog.gpu(named: "A100"))
        let k = CalibrationCatalog.calibration(for: a100)
        #expect(abs(k.marlinComputePeak - values.reduce(0, +) / Double(values.count) / 312) < 1e-4)
        #expect(Calibration().marlinComputePeak == 1)

        func step(_ model: String, _ gpu: GPUSpec, _ shape: StepShape, cap: Double? = nil) throws -> Double {
            let spec = try #require(ModelCatalog.spec(for: model))
            let fp = ModelFootprint(model: spec, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16)
            var c = CalibrationCatalog.calibration(for: gpu)
            if let cap { c.marlinComputePeak = cap }
            return StepCostModel(footprint: fp, gpu: gpu, calibration: c).cost(shape).latency
        }
        let prefill = StepShape.prefill(requests: 1, promptTokens: 2048, touchedExperts: 128 * 48, cudaGraph: false)
        let decode = StepShape.decode(batch: 8, context: 1024, touchedExperts: 40 * 48, cudaGraph: true)
        // FP8 on the A100: Marlin's plateau (0.45) is below the 2,048-row dense curve (0.73), so the prefill slows.
        let fp8 = "Qwen/Qwen3-30B-A3B-FP8"
        #expect(try step(fp8, a100, prefill) > step(fp8, a100, prefill, cap: 1) * 1.05)
        #expect(try step(fp8, a100, decode) == step(fp8, a100, decode, cap: 1))
        // bf16 weights on the A100 and FP8 on the H100 (W8A8) do not run Marlin.
        let h100 = try #require(HardwareCatalog.gpu(named: "H100"))
        #expect(try step("Qwen/Qwen3-30B-A3B", a100, prefill) == step("Qwen/Qwen3-30B-A3B", a100, prefill, cap: 1))
        #expect(try step(fp8, h100, prefill) == step(fp8, h100, prefill, cap: 0.45))
    }
}
