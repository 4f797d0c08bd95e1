/// The cost-model constants a GPU type is simulated with, and where they come from.
public struct CalibrationProfile: Sendable, Equatable {
    /// MoE-CAP key of the GPU.
    public let gpuKey: String
    /// How the constants were obtained.
    public let source: CalibrationSource
    /// The constants.
    public let calibration: Calibration
    /// One line of evidence: the measurement or file behind the constants.
    public let evidence: String

    public init(gpuKey: String, source: CalibrationSource, calibration: Calibration, evidence: String) {
        self.gpuKey = gpuKey
        self.source = source
        self.calibration = calibration
        self.evidence = evidence
    }
}
