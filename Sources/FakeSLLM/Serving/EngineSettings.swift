import Foundation
import MoECore

/// Turns a deploy config's `backend_config` (vLLM `AsyncEngineArgs` keys) and the simulator settings into an
/// ``EngineConfig``.
public enum EngineSettings {
    /// Resolves the model (built-in catalog by HF id, or a `config.json` path) and the GPU, and maps the vLLM
    /// engine arguments the simulator models.
    public static func engineConfig(deploy: DeployConfig, settings: SimulatorSettings) throws -> EngineConfig {
        let model = try resolveModel(deploy.model, configPath: settings.modelConfig)
        guard let gpu = HardwareCatalog.gpu(named: settings.gpuType) else {
            throw SettingsError("unknown GPU type '\(settings.gpuType)' (known: \(HardwareCatalog.acceptedNames))")
        }
        let bc = deploy.backendConfig
        var c = EngineConfig(model: model, gpu: gpu, tensorParallelSize: deploy.worldSize)
        func int(_ key: String, min: Int = 1) throws(SettingsError) -> Int? {
            guard let v = bc[key], !v.isNull else { return nil }
            guard let i = v.intValue, i >= min else { throw SettingsError("backend_config.\(key) must be an integer ≥ \(min)") }
            return i
        }
        func bool(_ key: String) throws(SettingsError) -> Bool? {
            guard let v = bc[key], !v.isNull else { return nil }
            guard let b = v.boolValue else { throw SettingsError("backend_config.\(key) must be a boolean") }
            return b
        }
        if let v = try int("max_num_seqs") { c.maxNumSeqs = v }
        if let v = try int("max_num_batched_tokens") { c.maxNumBatchedTokens = v }
        if let v = try int("max_model_len") { c.maxModelLen = v }
        if let v = try int("block_size") { c.blockSize = v }
        if let v = bc["gpu_memory_utilization"], !v.isNull {
            guard let u = v.doubleValue, u > 0, u <= 1 else {
                throw SettingsError("backend_config.gpu_memory_utilization must be in (0, 1]")
            }
            c.gpuMemoryUtilization = u
        }
        // vllm_moecap_backend.py: enable_prefix_caching defaults to true, enforce_eager to false (§3.2).
        if let v = try bool("enable_prefix_caching") { c.enablePrefixCaching = v }
        if let v = try bool("enforce_eager") { c.enforceEager = v }
        // `torch_dtype` becomes vLLM's `dtype`; a quantization method sets the weight precision.
        let dtype = (bc["dtype"]?.stringValue ?? bc["torch_dtype"]?.stringValue).flatMap { $0 == "auto" ? nil : $0 }
        c.dtype = bc["quantization"]?.stringValue ?? dtype ?? Precision.resolve(config: model.raw)
        if let kv = bc["kv_cache_dtype"]?.stringValue { c.kvCacheDtype = kv }
        if let routing = settings.routing { c.routing = routing }
        c.seed = settings.seed
        return c
    }

    /// A built-in model by HF id, or a `config.json` (or folder holding one) at `configPath` or at the model
    /// name itself.
    public static func resolveModel(_ name: String, configPath: String?) throws -> ModelSpec {
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
        if let spec = ModelCatalog.spec(for: name) {
            var s = spec
            s.name = name
            return s
        }
        throw SettingsError(
            "unknown model '\(name)': not in the built-in catalog (\(ModelCatalog.ids.joined(separator: ", "))) "
                + "and no model_config path given")
    }

    private static func looksLikePath(_ s: String) -> Bool {
        s.hasPrefix("/") || s.hasPrefix("./") || s.hasPrefix("../") || s.hasSuffix(".json")
    }
}
