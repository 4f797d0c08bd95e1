import Foundation
import Testing

@testable import MoECore

/// `Fixtures/calibration` of this checkout, found from this source file's location.
let calibrationFixtures: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Fixtures/calibration").path
}()

func fixtureJSON(_ name: String) throws -> JSONValue {
    let data = try #require(FileManager.default.contents(atPath: calibrationFixtures + "/" + name))
    return try JSONValue.parse([UInt8](data))
}

/// GPU profiles and the GPU probe's calibration (docs/calibration.md).
@Suite struct CalibrationCatalogTests {
    @Test func theEmbeddedH200CalibrationIsTheCommittedProbeOutput() throws {
        let file = try fixtureJSON("NVIDIA-H200-140GB.json")
        let embedded = try JSONValue.parse(MeasuredCalibrations.h200)
        #expect(file == embedded)
        let h200 = try #require(HardwareCatalog.gpu(named: "H200"))
        let profile = CalibrationCatalog.profile(for: h200)
        #expect(profile.source == .measured)
        #expect(profile.calibration == (try Calibration(json: file)))
        #expect(profile.calibration != Calibration())
        // MoE-CAP's other key of the same chip uses the same measurement.
        let other = try #require(HardwareCatalog.gpu(named: "NVIDIA-H200-141GB"))
        #expect(CalibrationCatalog.calibration(for: other) == profile.calibration)
    }

    @Test func sourcesOfTheOtherProfiles() throws {
        let h100 = try #require(HardwareCatalog.gpu(named: "H100"))
        #expect(CalibrationCatalog.profile(for: h100).source == .publishedCalibrated)
        #expect(CalibrationCatalog.calibration(for: h100) == Calibration())
        for name in ["B200", "MI300X", "H100-PCIE"] {
            let gpu = try #require(HardwareCatalog.gpu(named: name))
            #expect(CalibrationCatalog.profile(for: gpu).source == .datasheetOnly, "\(name)")
        }
    }

    @Test func provenanceKeysAreSkippedAndAFileAppliesOverTheGPUsProfile() throws {
        let json = try JSONValue.parse(#"{"_gpu": "X", "_probe": {"date": "d"}, "kv_bandwidth": 0.5}"#)
        let h200 = try #require(HardwareCatalog.gpu(named: "H200"))
        let p = try CalibrationCatalog.profile(for: h200, file: "f.json", json: json)
        #expect(p.source == .userFile)
        #expect(p.calibration.kvBandwidth == 0.5)
        #expect(p.calibration.denseWeightBandwidth == CalibrationCatalog.calibration(for: h200).denseWeightBandwidth)
        #expect(throws: CalibrationError.self) {
            _ = try Calibration(json: try JSONValue.parse(#"{"kvbandwidth": 1}"#))
        }
    }

    /// The held-out check of issue 12: whole decode steps timed on an H200 against the cost model.
    @Test func heldOutDecodeStepsOnTheH200MeetTheTarget() throws {
        let (key, steps) = try StepTimeCheck.parse(try fixtureJSON("NVIDIA-H200-140GB.step-check.json"))
        let gpu = try #require(HardwareCatalog.gpu(named: key))
        // Two models × batch 1 … 256 × contexts 512 and 2048, on one GPU and tensor-parallel over two.
        #expect(steps.count == 72)
        #expect(Set(steps.map(\.tp)) == [1, 2])
        let rows = StepTimeCheck.compare(
            steps, gpu: gpu, before: Calibration(), after: CalibrationCatalog.calibration(for: gpu))
        #expect(rows.count == steps.count)
        for tp in [1, 2] {
            let after = StepTimeCheck.summary(rows.filter { $0.step.tp == tp }.map(\.afterError))
            #expect(after.median <= 10, "TP \(tp)")
            #expect(after.worst <= 25, "TP \(tp)")
        }
        let after = StepTimeCheck.summary(rows.map(\.afterError))
        // The datasheet-scaled H100 fit misses small batches by more than a third.
        let before = StepTimeCheck.summary(rows.map(\.beforeError))
        #expect(before.worst > 25)
        #expect(after.median < before.median)
    }

    @Test func stepCheckFilesAreValidated() throws {
        #expect(throws: CalibrationError.self) { _ = try StepTimeCheck.parse(try JSONValue.parse(#"{"steps": []}"#)) }
        #expect(throws: CalibrationError.self) {
            _ = try StepTimeCheck.parse(
                try JSONValue.parse(#"{"_gpu": "H200", "steps": [{"model": "m", "batch": 0, "context": 1}]}"#))
        }
    }

    @Test func servingCostSpreadsMoECAPsCapitalAndChargesEnergy() throws {
        // H100 SXM: MoE-CAP prices it under "NVIDIA-H100-80GB-HBM3": $38,000, 700 W; host $7,214, 350 W.
        let perHour = try #require(ServingCost.dollarsPerHour(gpuKey: "NVIDIA-H100-HBM3-80GB", numGPUs: 1))
        let capital: Double = (38_000.0 + 7214) / (3.0 * 365.0 * 24.0)
        let energy: Double = (700.0 + 350.0) / 1000.0 * 0.15
        let expected = capital + energy
        #expect(abs(perHour - expected) < 1e-12)
        let perM = try #require(
            ServingCost.dollarsPerMillionTokens(
                outputTokens: 1_000_000, seconds: 3600, gpuKey: "NVIDIA-H100-HBM3-80GB", numGPUs: 1))
        #expect(abs(perM - expected) < 1e-9)
        #expect(ServingCost.dollarsPerHour(gpuKey: "AMD-Instinct-MI300X-192GB", numGPUs: 1) == nil)
        #expect(
            ServingCost.dollarsPerMillionTokens(outputTokens: 0, seconds: 1, gpuKey: "NVIDIA-H200-140GB", numGPUs: 1)
                == nil)
        let two = try #require(ServingCost.dollarsPerHour(gpuKey: "NVIDIA-H200-140GB", numGPUs: 2))
        let one = try #require(ServingCost.dollarsPerHour(gpuKey: "NVIDIA-H200-140GB", numGPUs: 1))
        #expect(two > one)
    }
}
