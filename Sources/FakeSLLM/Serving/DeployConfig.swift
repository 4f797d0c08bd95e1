import MoECore
import SimEngine

/// A ServerlessLLM deploy config, the body of `POST /register` (docs/sllm-api.md §3.2).
///
/// The whole body is kept (`raw`) because `/v1/models` echoes some of its keys; the simulator reads its own
/// settings from the `fake_sllm` extension object, which the real server ignores.
package struct DeployConfig: Sendable {
    package var model: String
    /// `vllm_moecap` records batches; `vllm` (and the others) answer recording calls with 400.
    package var backend: String?
    package var numGPUs: Int
    package var backendConfig: JSONObject
    var autoScaling: AutoScalingConfig
    package var raw: JSONObject

    /// Parses a deploy config body.
    /// - Throws: ``SettingsError`` for wrong types (a missing `backend` is not an error: the controller
    ///   silently ignores such a registration, §3.2).
    package init(json: JSONValue) throws(SettingsError) {
        guard case .object(let o) = json else { throw SettingsError("deploy config must be a JSON object") }
        guard let model = o["model"]?.stringValue, !model.isEmpty else {
            throw SettingsError("deploy config needs a non-empty string 'model'")
        }
        self.model = model
        backend = o["backend"]?.stringValue
        numGPUs = o["num_gpus"]?.intValue ?? 1
        if let bc = o["backend_config"], !bc.isNull {
            guard case .object(let b) = bc else { throw SettingsError("'backend_config' must be an object") }
            backendConfig = b
        } else {
            backendConfig = JSONObject()
        }
        autoScaling = try AutoScalingConfig(json: o["auto_scaling_config"])
        raw = o
    }

    /// The simulator's extension object.
    package var simulatorOverrides: JSONValue? { raw["fake_sllm"] }
}

/// `auto_scaling_config` as the router reads it (docs/serving.md "Missing keys"). Keys left out keep no value
/// here, because the real code defaults them differently in different places: the autoscaler
/// (`roundrobin_router.auto_scaler`) uses min 0, max 10, target 2, keep_alive 0; the per-instance cap
/// (`RoundRobinRouter._create_instance`) is `target` (default 1) for metric `concurrency`, else 1.
package struct AutoScalingConfig: Sendable, Equatable {
    /// `metric`; nil when left out.
    package var metric: String? = "concurrency"
    /// `target`; nil when left out.
    package var target: Int? = 2
    var minInstances = 0
    var maxInstances = 10
    var keepAlive = 0.0
    /// False when the deploy config had no `auto_scaling_config` at all (the router then has `None`).
    var present = true

    package init() {}

    init(json: JSONValue?) throws(SettingsError) {
        guard let json, !json.isNull else {
            // The router's defaults stand in; a real server never creates an instance (docs/serving.md).
            metric = nil
            target = nil
            present = false
            return
        }
        guard case .object(let o) = json else { throw SettingsError("'auto_scaling_config' must be an object") }
        metric = o["metric"]?.stringValue
        target = o["target"]?.intValue.map { max(1, $0) }
        minInstances = max(0, o["min_instances"]?.intValue ?? minInstances)
        maxInstances = max(0, o["max_instances"]?.intValue ?? maxInstances)
        keepAlive = o["keep_alive"]?.doubleValue ?? keepAlive
    }

    /// The autoscaler's `target_ongoing_requests` (`auto_scaler`: default 2).
    var scalingTarget: Int { target ?? 2 }

    /// Requests one new instance may hold (`_create_instance`'s `max_queue_length`: `target`, default 1, for
    /// metric `concurrency`, else 1). Fixed when the instance is created.
    var perInstanceCap: Int { metric == "concurrency" ? (target ?? 1) : 1 }

    /// The keys a real router would default differently than `sllm deploy` would, for the start-up warning.
    var missingKeys: [String] {
        guard present else { return ["auto_scaling_config"] }
        return (metric == nil ? ["metric"] : []) + (target == nil ? ["target"] : [])
    }
}
