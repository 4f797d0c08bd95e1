/// The cost-model constants a GPU type is simulated with, and where they come from.
package struct CalibrationProfile: Sendable, Equatable {
    /// MoE-CAP key of the GPU.
    package let gpuKey: String
    /// How the constants were obtained.
    package let source: CalibrationSource
    /// The constants.
    package let calibration: Calibration
    /// One line of evidence: the measurement or file behind the constants.
    package let evidence: String

    package init(gpuKey: String, source: CalibrationSource, calibration: Calibration, evidence: String) {
        self.gpuKey = gpuKey
        self.source = source
        self.calibration = calibration
        self.evidence = evidence
    }
}
