import MoECore

/// One per-deployment simulator setting: its `fake_sllm.<key>` in a deploy config, the `fake-sllm serve` flag that
/// sets it server-wide, and how a config value is checked and applied. ``all`` is the one list of known keys:
/// ``SimulatorSettings/applying(_:)`` looks keys up here and names them in its unknown-key error, and the tests
/// check every key against README.md and every flag against `fake-sllm serve --help` (docs/architecture.md
/// "Maintainer's walk-through").
package struct SimulatorSetting: Sendable {
    /// The member name in a deploy config's `fake_sllm` object.
    package let key: String
    /// The `serve` flag that sets it for every deployment; nil for per-deployment-only settings.
    package let flag: String?
    /// Checks `value` and stores it in the settings; the error names `fake_sllm.<key>`.
    let apply: @Sendable (inout SimulatorSettings, JSONValue) throws(SettingsError) -> Void

    /// The setting of `key`, if known.
    package static func named(_ key: String) -> SimulatorSetting? { all.first { $0.key == key } }

    /// Every setting, in the order the unknown-key error lists them.
    package static let all: [SimulatorSetting] = [
        SimulatorSetting(key: "gpu_type", flag: "--gpu") { s, value throws(SettingsError) in
            guard let v = value.stringValue else { throw SettingsError("fake_sllm.gpu_type must be a string") }
            s.gpuType = v
        },
        SimulatorSetting(key: "speedup", flag: "--speedup") { s, value throws(SettingsError) in
            if value.isNull || value.stringValue == "none" || value.stringValue == "no-wait" {
                s.speedup = nil
            } else if let v = value.doubleValue, v > 0 {
                s.speedup = v
            } else {
                throw SettingsError("fake_sllm.speedup must be a positive number or \"no-wait\"")
            }
        },
        SimulatorSetting(key: "seed", flag: "--seed") { s, value throws(SettingsError) in
            guard let v = value.intValue, v >= 0 else { throw SettingsError("fake_sllm.seed must be an integer ≥ 0") }
            s.seed = UInt64(v)
        },
        SimulatorSetting(key: "routing", flag: "--routing") { s, value throws(SettingsError) in
            s.routing = try RoutingSpec.parse(value)
        },
        SimulatorSetting(key: "output_len_mean", flag: "--output-len-mean") { s, value throws(SettingsError) in
            s.outputLengthMean = try number(value, "output_len_mean", "≥ 1") { $0 >= 1 }
        },
        SimulatorSetting(key: "output_len_sigma", flag: "--output-len-sigma") { s, value throws(SettingsError) in
            s.outputLengthSigma = try number(value, "output_len_sigma", "≥ 0") { $0 >= 0 }
        },
        SimulatorSetting(key: "cold_start_s", flag: "--cold-start") { s, value throws(SettingsError) in
            s.coldStart.overrideSeconds = try number(value, "cold_start_s", "≥ 0") { $0 >= 0 }
        },
        SimulatorSetting(key: "storage_bandwidth_gbs", flag: "--storage-bandwidth-gbs") {
            s, value throws(SettingsError) in
            s.coldStart.storageBandwidth = try number(value, "storage_bandwidth_gbs", "> 0") { $0 > 0 } * 1e9
        },
        SimulatorSetting(key: "host_memory_bandwidth_gbs", flag: "--host-memory-bandwidth-gbs") {
            s, value throws(SettingsError) in
            s.coldStart.hostMemoryBandwidth = try number(value, "host_memory_bandwidth_gbs", "> 0") { $0 > 0 } * 1e9
        },
        SimulatorSetting(key: "engine_startup_s", flag: "--engine-startup") { s, value throws(SettingsError) in
            s.coldStart.engineStartupOverride = try number(value, "engine_startup_s", "≥ 0") { $0 >= 0 }
        },
        SimulatorSetting(key: "compile_cache", flag: "--no-compile-cache") { s, value throws(SettingsError) in
            guard let v = value.boolValue else { throw SettingsError("fake_sllm.compile_cache must be a boolean") }
            s.coldStart.compileCacheWarm = v
        },
        SimulatorSetting(key: "serving", flag: "--serving") { s, value throws(SettingsError) in
            guard let v = value.stringValue, let mode = ServingMode(rawValue: v) else {
                throw SettingsError("fake_sllm.serving must be \"sllm\" or \"direct\"")
            }
            s.serving = mode
            s.servingIsExplicit = true
        },
        SimulatorSetting(key: "api", flag: "--api") { s, value throws(SettingsError) in
            guard let v = value.stringValue, let mode = APIMode(rawValue: v) else {
                throw SettingsError("fake_sllm.api must be \"sllm\" or \"openai\"")
            }
            s.api = mode
        },
        SimulatorSetting(key: "enable_auto_tool_choice", flag: "--enable-auto-tool-choice") {
            s, value throws(SettingsError) in
            guard let b = value.boolValue else {
                throw SettingsError("fake_sllm.enable_auto_tool_choice must be a boolean")
            }
            s.enableAutoToolChoice = b
        },
        SimulatorSetting(key: "sse_comments", flag: "--sse-comments") { s, value throws(SettingsError) in
            guard let b = value.boolValue else { throw SettingsError("fake_sllm.sse_comments must be a boolean") }
            s.sseComments = b
        },
        SimulatorSetting(key: "reproducible", flag: "--reproducible") { s, value throws(SettingsError) in
            guard let v = value.boolValue else { throw SettingsError("fake_sllm.reproducible must be a boolean") }
            s.reproducible = v
        },
        SimulatorSetting(key: "quirks", flag: "--quirk") { s, value throws(SettingsError) in
            guard case .object(let q) = value else { throw SettingsError("fake_sllm.quirks must be an object") }
            for (name, on) in q.pairs {
                guard let b = on.boolValue else { throw SettingsError("fake_sllm.quirks.\(name) must be a boolean") }
                try s.quirks.set(name, b)
            }
        },
        SimulatorSetting(key: "oracle", flag: "--oracle-file") { s, value throws(SettingsError) in
            s.oracle = try OracleSettings(json: value)
        },
        SimulatorSetting(key: "model_config", flag: nil) { s, value throws(SettingsError) in
            guard let v = value.stringValue else { throw SettingsError("fake_sllm.model_config must be a path") }
            s.modelConfig = v
        },
    ]

    /// A number that passes `check`, or the error `fake_sllm.<key> must be a number <bound>`.
    private static func number(
        _ value: JSONValue, _ key: String, _ bound: String, _ check: (Double) -> Bool
    ) throws(SettingsError) -> Double {
        guard let v = value.doubleValue, check(v) else {
            throw SettingsError("fake_sllm.\(key) must be a number \(bound)")
        }
        return v
    }
}
