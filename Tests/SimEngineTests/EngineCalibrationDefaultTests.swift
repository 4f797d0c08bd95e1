import MoECore
import Testing

@testable import SimEngine

/// An engine runs with its GPU's calibration profile unless told otherwise (docs/calibration.md).
@Suite struct EngineCalibrationDefaultTests {
    @Test func engineConfigsTakeTheirGPUsProfile() throws {
        let model = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B"))
        let h200 = try #require(HardwareCatalog.gpu(named: "H200"))
        let h100 = try #require(HardwareCatalog.gpu(named: "H100"))
        #expect(EngineConfig(model: model, gpu: h200).calibration == CalibrationCatalog.calibration(for: h200))
        #expect(EngineConfig(model: model, gpu: h100).calibration == Calibration())
        let parsed = try EngineConfig(backendConfig: .null, model: model, gpu: h200)
        #expect(parsed.calibration == CalibrationCatalog.calibration(for: h200))
        var custom = Calibration()
        custom.kvBandwidth = 0.5
        #expect(
            try EngineConfig(backendConfig: .null, model: model, gpu: h200, calibration: custom).calibration == custom)
    }

    @Test func theMeasuredH200ProfileChangesItsDecodeSteps() throws {
        let model = try #require(ModelCatalog.spec(for: "Qwen/Qwen3-30B-A3B"))
        let h200 = try #require(HardwareCatalog.gpu(named: "H200"))
        let fp = ModelFootprint(model: model, tensorParallelSize: 1, weightFormat: .bfloat16, kvFormat: .bfloat16)
        let shape = StepShape.decode(batch: 1, context: 512, touchedExperts: 8 * 48, cudaGraph: true)
        let datasheet = StepCostModel(footprint: fp, gpu: h200, calibration: Calibration()).cost(shape)
        let measured = StepCostModel(footprint: fp, gpu: h200, calibration: CalibrationCatalog.calibration(for: h200))
            .cost(shape)
        // The probe's H200 runs small steps slower than the H100 fit scaled by datasheet bandwidth.
        #expect(measured.latency > datasheet.latency * 1.2)
        #expect(measured.latency >= measured.rooflineTime)
    }
}
