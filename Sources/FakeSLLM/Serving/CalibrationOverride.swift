import MoECore

/// A calibration file the user gave (`--calibration` on serve, simulate, fidelity and sweep; docs/calibration.md).
///
/// The file is a JSON object of ``Calibration`` keys applied over the GPU's own profile. When it names its GPU
/// (`"_gpu"`, as the GPU probe writes it) it applies to that GPU type only; otherwise to every GPU.
package struct CalibrationOverride: Sendable {
    /// Where the file was read from (shown as the calibration source).
    package let path: String
    /// Its contents.
    package let json: JSONValue
    /// The GPU key the file names, if any.
    package let gpuKey: String?

    /// Checks the file against the calibration fields.
    /// - Throws: ``CalibrationError`` for an unknown key or a value out of range; ``SettingsError`` when `"_gpu"`
    ///   names no known GPU.
    package init(path: String, json: JSONValue) throws {
        _ = try Calibration(json: json)
        self.path = path
        self.json = json
        if let name = json["_gpu"]?.stringValue {
            guard let gpu = HardwareCatalog.gpu(named: name) else {
                throw SettingsError("calibration file \(path): unknown \"_gpu\" '\(name)'")
            }
            gpuKey = gpu.key
        } else {
            gpuKey = nil
        }
    }

    /// Whether the file applies to `gpu` (its own key, or the same chip under MoE-CAP's other H200 key).
    package func applies(to gpu: GPUSpec) -> Bool {
        guard let gpuKey else { return true }
        if gpuKey == gpu.key { return true }
        let h200 = ["NVIDIA-H200-140GB", "NVIDIA-H200-141GB"]
        return h200.contains(gpuKey) && h200.contains(gpu.key)
    }

    /// The profile a deployment on `gpu` runs with under this file (the GPU's own profile when it does not apply).
    package func profile(for gpu: GPUSpec) throws -> CalibrationProfile {
        guard applies(to: gpu) else { return CalibrationCatalog.profile(for: gpu) }
        return try CalibrationCatalog.profile(for: gpu, file: path, json: json)
    }
}
