import Testing

@testable import MoECore

/// docs/moecap-metrics.md §12.
@Suite struct CostTests {
    @Test func h100PCIeTenMinutes() throws {
        // §12: 1×H100-PCIe, 600 s ⇒ 44,017.52, of which energy 0.021.
        let cost = try #require(
            MoECAPCost.calculate(e2eLatencySeconds: 600, gpuType: "NVIDIA-H100-PCIe-80GB", numGPUs: 1))
        #expect(abs(cost - 44_017.521) < 1e-9)
    }

    @Test func scaleConstantsAreAppliedSwapped() throws {
        // 4×A100-SXM4-80GB for one hour: capital (19000·4 + 7214)·1.25, energy (400·4+350)/1000·0.15·1.2.
        let cost = try #require(
            MoECAPCost.calculate(e2eLatencySeconds: 3600, gpuType: "NVIDIA-A100-SXM4-80GB", numGPUs: 4))
        let expected = (1600.0 + 350) / 1000 * 0.15 * 1.2 + (76_000.0 + 7214) * 1.25
        #expect(abs(cost - expected) < 1e-9)
        // Not amortised: a zero-length run still costs 1.25 × the purchase price.
        let idle = MoECAPCost.calculate(e2eLatencySeconds: 0, gpuType: "NVIDIA-A100-SXM4-80GB", numGPUs: 4)
        #expect(idle == 83_214 * 1.25)
    }

    @Test(arguments: [
        "NVIDIA-H100-HBM3-80GB", "NVIDIA-H200-140GB", "NVIDIA-B200-183GB", "AMD-Instinct-MI300X-192GB", "H100",
        "nvidia-h100-pcie-80gb",
    ])
    func detectedNamesMissingFromTheCostTableGiveNil(gpu: String) {
        #expect(MoECAPCost.calculate(e2eLatencySeconds: 60, gpuType: gpu, numGPUs: 1) == nil)
    }

    @Test func everyCostKeyHasATDP() {
        #expect(Set(MoECAPCost.gpuCost.keys) == Set(MoECAPCost.gpuTDP.keys))
        #expect(MoECAPCost.gpuCost["NVIDIA-H100-80GB-HBM3"] == 38000)
        #expect(MoECAPCost.gpuTDP["NVIDIA-GB10-128GB"] == 140)
    }
}
