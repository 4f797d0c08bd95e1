import Foundation
import MoECore
import SimEngine

/// Turns a deploy config's `backend_config` (vLLM `AsyncEngineArgs` keys) and the simulator settings into an
/// ``EngineConfig``.
package enum EngineSettings {
    /// Resolves the model (built-in catalog by HF id, or a `config.json` path) and the GPU, and maps the vLLM
    /// engine arguments the simulator models. The cost-model constants are the GPU's profile
    /// (``CalibrationCatalog``) with the settings' calibration file, if any, applied over them.
    package static func engineConfig(deploy: DeployConfig, settings: SimulatorSettings) throws -> EngineConfig {
        let model = try resolveModel(deploy.model, configPath: settings.modelConfig)
        guard let gpu = HardwareCatalog.gpu(named: settings.gpuType) else {
            throw SettingsError("unknown GPU type '\(settings.gpuType)' (known: \(HardwareCatalog.acceptedNames))")
        }
        // vLLM's engine arguments, validated by the engine (tensor_parallel_size defaults to 1, as in vLLM).
        var config: EngineConfig
        do {
            config = try EngineConfig(
                backendConfig: .object(deploy.backendConfig), model: model, gpu: gpu, gpuCount: nil,
                routing: settings.routing ?? .calibrated, seed: settings.seed)
        } catch {
            throw SettingsError(error.description)
        }
        if let override = settings.calibrationOverride, override.applies(to: gpu) {
            do {
                config.calibration = try Calibration(json: override.json, base: config.calibration)
            } catch {
                throw SettingsError("calibration file \(override.path): \(error)")
            }
        }
        return config
    }

    /// A built-in model by HF id, or a `config.json` (or folder holding one) at `configPath` or at the model
    /// name itself.
    static func resolveModel(_ name: String, configPath: String?) throws -> ModelSpec {
        if let path = configPath ?? (looksLikePath(name) ? name : nil) {
            var file = path
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                file = (path as NSString).appendingPathComponent("config.json")
            }
            guard let bytes = readFileBytes(file) else { throw SettingsError("cannot read model config \(file)") }
            let json: JSONValue
            do { json = try JSONValue.parse(bytes) } catch { throw SettingsError("model config \(file): \(error)") }
            return try ModelSpec(hfConfig: json, name: name)
        }
        if let spec = ModelCatalog.spec(named: name) { return spec }
        throw SettingsError(
            "unknown model '\(name)': not in the built-in catalog (\(ModelCatalog.ids.joined(separator: ", "))) "
                + "and no model_config path given")
    }

    static func looksLikePath(_ s: String) -> Bool {
        s.hasPrefix("/") || s.hasPrefix("./") || s.hasPrefix("../") || s.hasSuffix(".json")
    }
}
