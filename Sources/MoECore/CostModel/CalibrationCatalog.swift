/// The calibration every GPU type is simulated with by default (docs/calibration.md):
///
/// - **measured**: GPUs the probe ran on (`Fixtures/calibration/<gpu>.json`, embedded in ``MeasuredCalibrations``);
/// - **published-calibrated**: the H100 SXM, whose constants (``Calibration/init()``) are fitted to the published
///   measurements V1 (TP2) and V4 (TP1) that `fake-sllm fidelity` replays;
/// - **published-kernels**: the A100s, the H100 fit with the fused-MoE constants fitted to published vLLM kernel
///   times on A100s and Marlin's published A100 compute plateau (``PublishedKernelCalibrations``);
/// - **datasheet-only**: every other GPU, simulated with the H100 fit over its own datasheet peaks.
package enum CalibrationCatalog {
    /// The profile of `gpu`.
    package static func profile(for gpu: GPUSpec) -> CalibrationProfile {
        if let entry = MeasuredCalibrations.all.first(where: { $0.keys.contains(gpu.key) }) {
            // The embedded texts are the committed probe outputs, valid by construction (tested).
            let json = try! JSONValue.parse(entry.json)
            let calibration = try! Calibration(json: json)
            let date = json["_probe"]?["date"]?.stringValue.map { " of " + String($0.prefix(10)) } ?? ""
            return CalibrationProfile(
                gpuKey: gpu.key, source: .measured, calibration: calibration,
                evidence: "GPU probe\(date) (\(entry.file))")
        }
        if let entry = PublishedKernelCalibrations.all.first(where: { $0.keys.contains(gpu.key) }) {
            // The embedded texts are the committed fixtures, valid by construction (tested).
            let calibration = try! Calibration(json: try! JSONValue.parse(entry.json))
            return CalibrationProfile(
                gpuKey: gpu.key, source: .publishedKernels, calibration: calibration,
                evidence:
                    "H100 fit with fused-MoE constants fitted to published vLLM kernel times and Marlin's published plateau (\(entry.file))"
            )
        }
        if gpu.key == publishedKey {
            return CalibrationProfile(
                gpuKey: gpu.key, source: .publishedCalibrated, calibration: Calibration(),
                evidence: "fitted to V1 (Mixtral-8x7B, TP2) and V4 (Qwen3-30B-A3B, TP1): fake-sllm fidelity")
        }
        return CalibrationProfile(
            gpuKey: gpu.key, source: .datasheetOnly, calibration: Calibration(),
            evidence: "H100 fit over this GPU's datasheet bandwidth and peaks")
    }

    /// The default constants of `gpu`.
    package static func calibration(for gpu: GPUSpec) -> Calibration { profile(for: gpu).calibration }

    /// The profile of a user's calibration file applied over `gpu`'s default.
    /// - Throws: ``CalibrationError`` when the file's JSON is not a valid calibration.
    package static func profile(for gpu: GPUSpec, file path: String, json: JSONValue) throws(CalibrationError)
        -> CalibrationProfile
    {
        CalibrationProfile(
            gpuKey: gpu.key, source: .userFile, calibration: try Calibration(json: json, base: calibration(for: gpu)),
            evidence: path)
    }

    /// The GPU whose default constants were fitted to published measurements.
    package static let publishedKey = "NVIDIA-H100-HBM3-80GB"
}
