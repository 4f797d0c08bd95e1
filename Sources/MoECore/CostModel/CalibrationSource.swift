/// Where a GPU profile's cost-model constants come from (docs/calibration.md).
package enum CalibrationSource: String, Sendable, Equatable, CaseIterable {
    /// Fitted to the GPU probe's measurements on that GPU (`tools/gpu-probe`, `Fixtures/calibration/<gpu>.json`).
    case measured
    /// Fitted to published measurements of real vLLM servers on that GPU (the H100 SXM: V1 and V4).
    case publishedCalibrated = "published-calibrated"
    /// The H100 fit with the fused-MoE constants fitted to published kernel timings on that GPU family (the
    /// A100s: ``PublishedKernelCalibrations``).
    case publishedKernels = "published-kernels"
    /// The H100 fit applied to this GPU's datasheet peaks: checked against nothing.
    case datasheetOnly = "datasheet-only"
    /// A calibration file the user gave (`--calibration`).
    case userFile = "file"
}
