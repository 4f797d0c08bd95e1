import MoECore
import SimEngine

/// Switches that reproduce known defects of the real ServerlessLLM branch. All off by default (docs/serving.md "Serving modes").
package struct Quirks: Sendable, Equatable {
    /// Write each step once per tensor-parallel rank, as every TP worker does on the real branch
    /// (docs/sllm-api.md §4 "Multiplicity").
    var tpDuplicateRecords = false
    /// Reject the `stream` key (even `false`) with `Invalid sampling parameters`, as the real backend does
    /// (§3.6 step 5); also makes every `/v1/completions` call fail (§3.7).
    var rejectStream = false
    /// A request the engine fails (a prompt longer than `max_model_len`) keeps its router and instance slot for
    /// good, as `RoundRobinRouter.inference` has no `try/finally` (docs/serving.md "Failed requests").
    var failedRequestLeak = false
    /// A deploy config without `auto_scaling_config` never gets an instance: the real autoscaler loop dies on
    /// `None.copy()` (docs/serving.md "Missing keys").
    var noAutoscalingConfigHang = false

    package init() {}

    static let names = ["tp_duplicate_records", "reject_stream", "failed_request_leak", "no_autoscaling_config_hang"]
    /// Former quirks that are now part of the `sllm` serving mode, accepted and ignored (docs/serving.md).
    static let sllmModeAliases = ["dispatch_sleep", "router_concurrency_cap", "scale_to_zero"]

    /// Turns on the quirk named `name` (one of ``names``).
    package mutating func set(_ name: String, _ on: Bool) throws(SettingsError) {
        switch name {
        case "tp_duplicate_records": tpDuplicateRecords = on
        case "reject_stream": rejectStream = on
        case "failed_request_leak": failedRequestLeak = on
        case "no_autoscaling_config_hang": noAutoscalingConfigHang = on
        case _ where Quirks.sllmModeAliases.contains(name): break
        default:
            throw SettingsError("unknown quirk '\(name)' (known: \(Quirks.names.joined(separator: ", ")))")
        }
    }
}

/// A bad simulator setting (flag or `fake_sllm` object of a deploy config).
package struct SettingsError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ d: String) { description = d }
}

/// How the simulator answers, server-wide (flags) and per deployment (the `fake_sllm` object of a deploy
/// config, which ServerlessLLM itself ignores, so a real `moecap_config.json` deploys unchanged).
package struct SimulatorSettings: Sendable {
    /// GPU model: a MoE-CAP table key or an alias (`H100`, `A100`, …).
    package var gpuType = "H100"
    /// Simulated seconds per wall second; `nil` = no waiting (steps run back to back, for tests and sweeps).
    package var speedup: Double? = 1
    /// Seed of routing and text generation.
    package var seed: UInt64 = 0
    /// Expert popularity: nil = the engine's calibrated default.
    package var routing: RoutingConfig?
    /// Mean and log-normal spread of sampled completion lengths (tokens) when a request is not stopped by
    /// `max_tokens`.
    package var outputLengthMean = 256.0
    package var outputLengthSigma = 0.6
    /// Router and autoscaler (`sllm`, the default) or a bare engine (`direct`).
    package var serving = ServingMode.sllm
    /// Whether ``serving`` was chosen (flag or `fake_sllm.serving`); if not, it follows ``api``.
    package var servingIsExplicit = false
    /// ServerlessLLM's API (default) or vLLM's OpenAI server (docs/openai-mode.md).
    package var api = APIMode.sllm {
        didSet { if !servingIsExplicit { serving = api.defaultServing } }
    }
    /// How a new instance's start-up time is made (a sum of named terms, docs/serving.md "Cold start"), or a
    /// fixed `--cold-start`.
    package var coldStart = ColdStartModel()
    /// Wall seconds the simulated clock holds for a burst of arrivals (docs/serving.md "Reproducible
    /// arrivals"); 0 turns holds off; nil: ``defaultBurstWindow(speedup:)`` in `sllm` API mode, and with
    /// ``reproducible``; no holds in `openai` API mode otherwise.
    package var burstWindowSeconds: Double?
    /// Hold the clock for bursts in `openai` API mode too (`--reproducible`): the records stop depending on the
    /// client's timing, and wall-clock clients see the holds as latency (docs/metrics.md "Wall-clock clients").
    package var reproducible = false
    /// Wall seconds a client gets to react to an answer with its next request before a hold that nobody can fill
    /// ends (`--arrival-grace-ms`; docs/serving.md "Reproducible arrivals", rule 3); never more than the window.
    package var arrivalGraceSeconds = ArrivalHold.defaultGrace

    /// The burst window when none is set: a millisecond of client jitter is `speedup` simulated milliseconds, so
    /// the window grows with the speedup, from 2 ms at real time to 50 ms from 25× on (and without pacing). At
    /// real time a longer hold would show as extra wall-clock latency to clients that time on the wall clock.
    static func defaultBurstWindow(speedup: Double?) -> Double {
        guard let speedup else { return 0.05 }
        return min(0.05, max(0.002, 0.002 * speedup))
    }

    /// The burst window in effect: `openai` mode, where users point wall-clock clients, holds only when asked.
    var effectiveBurstWindow: Double {
        if let burstWindowSeconds { return burstWindowSeconds }
        if api == .openai, !reproducible { return 0 }
        return Self.defaultBurstWindow(speedup: speedup)
    }
    /// OpenAI mode: answer `tool_choice` `auto` (vLLM's `--enable-auto-tool-choice`) instead of refusing it.
    package var enableAutoToolChoice = false
    /// OpenAI mode: precede each SSE event with a `: fake-sllm sim_t=…` comment (off: vLLM sends none; the
    /// timing headers stay).
    package var sseComments = false
    /// GPUs of the simulated node, shared by all instances (server-wide).
    package var nodeGPUs = 8
    package var quirks = Quirks()
    /// The answer oracle (dataset file and accuracy), if any.
    package var oracle: OracleSettings?
    /// Path of an HF `config.json` (or a folder holding one) for models not in the built-in catalog.
    package var modelConfig: String?
    /// A calibration file (`--calibration`) applied over each deployment's GPU profile: its path and contents
    /// (docs/calibration.md).
    package var calibrationOverride: CalibrationOverride?

    package init() {}

    /// These settings with the members of a `fake_sllm` object applied (each through its ``SimulatorSetting``).
    package func applying(_ overrides: JSONValue?) throws(SettingsError) -> SimulatorSettings {
        guard let overrides, !overrides.isNull else { return self }
        guard case .object(let o) = overrides else { throw SettingsError("'fake_sllm' must be an object") }
        var s = self
        for (key, value) in o.pairs {
            guard let setting = SimulatorSetting.named(key) else {
                throw SettingsError(
                    "unknown fake_sllm setting '\(key)' (known: "
                        + SimulatorSetting.all.map(\.key).joined(separator: ", ") + ")")
            }
            try setting.apply(&s, value)
        }
        return s
    }
}

/// Parses routing specifications: `"uniform"`, `"zipf"`, `"zipf:1.2"`, `"file:PATH"`, `{"zipf": 1.2}`,
/// `{"counts": [[…]]}` or `{"counts_file": "path.json"}` (per-layer arrays of per-expert counts). The text forms and
/// the counts checks are the engine's own (``RoutingConfig``).
package enum RoutingSpec {
    package static func parse(_ value: JSONValue) throws(SettingsError) -> RoutingConfig {
        if let s = value.stringValue { return try parse(text: s) }
        guard case .object(let o) = value else { throw SettingsError("routing must be a string or an object") }
        if let z = o["zipf"]?.doubleValue {
            guard z >= 0 else { throw SettingsError("routing zipf exponent must be ≥ 0") }
            return .zipf(exponent: z)
        }
        if let counts = o["counts"] {
            do { return try RoutingConfig(countsJSON: counts) } catch { throw SettingsError(error.description) }
        }
        if let path = o["counts_file"]?.stringValue { return try parse(text: "file:" + path) }
        throw SettingsError("routing object needs 'zipf', 'counts' or 'counts_file'")
    }

    /// `uniform`, `zipf`, `zipf:S` or `file:PATH`.
    package static func parse(text: String) throws(SettingsError) -> RoutingConfig {
        do {
            guard text.hasPrefix("file:") else { return try RoutingConfig(parsing: text) }
            let path = String(text.dropFirst(5))
            guard let bytes = readFileBytes(path) else {
                throw SettingsError("cannot read routing counts file \(path)")
            }
            let json: JSONValue
            do { json = try JSONValue.parse(bytes) } catch {
                throw SettingsError("routing counts file \(path) is not JSON: \(error)")
            }
            return try RoutingConfig(countsJSON: json)
        } catch let e as SettingsError {
            throw e
        } catch let e as EngineConfigError {
            throw SettingsError(e.description)
        } catch {
            throw SettingsError("\(error)")
        }
    }
}
