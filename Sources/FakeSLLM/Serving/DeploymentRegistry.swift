import MoECore
import SimEngine

/// Why a registration failed; the gateway answers 500 `Cannot register model…` (docs/sllm-api.md §3.2).
package struct RegistrationError: Error, CustomStringConvertible, Sendable {
    package let description: String
}

/// The controller's registry of deployments, in registration order. Thread-safe.
package final class DeploymentRegistry: Sendable {
    private let deployments = Locked<[Deployment]>([])
    /// Server-wide simulator settings (flags); each deploy config's `fake_sllm` object overrides them.
    package let defaults: SimulatorSettings

    /// The simulated node's GPUs, shared by every deployment's instances (`--node-gpus`).
    let gpuPool: GPUPool
    /// Every deployment's Prometheus series, for `GET /metrics` (docs/metrics.md).
    package let metrics = MetricsRegistry()
    /// The HTTP layer's reports of requests on their way in, read by every deployment's host (arrival holds
    /// that end when nobody can arrive, control calls kept out of idle time); nil in-process.
    let transport: TransportActivity?

    /// Most deployments at once (`--max-models`): each has a host thread and its engines' memory.
    package let maxModels: Int

    /// 64 deployments: far more than a node's GPUs serve, few enough that threads and memory stay bounded.
    package static let defaultMaxModels = 64

    /// A registry whose deployments read `transport`, which the HTTP server that serves them reports to.
    package init(
        defaults: SimulatorSettings, maxModels: Int = DeploymentRegistry.defaultMaxModels,
        transport: TransportActivity? = nil
    ) {
        self.defaults = defaults
        self.transport = transport
        self.maxModels = max(1, maxModels)
        gpuPool = GPUPool(total: defaults.nodeGPUs)
    }

    /// The refusal of a registration past ``maxModels`` (docs/sllm-api.md §3.2).
    package var tooManyModels: String {
        "Cannot register model: the server already holds \(maxModels) models (--max-models); delete one first"
    }

    /// Outcome of ``register(_:)``.
    package enum Registration: Equatable, Sendable {
        case registered
        /// The controller's silent refusals: 200 `{"status": "ok"}` all the same (§3.2).
        case ignoredNoBackend, ignoredAlreadyRegistered
        /// Past ``maxModels``: nothing was built.
        case refusedTooMany
    }

    /// Registers a deployment: resolves the model config, GPU and engine settings, and starts an instance
    /// when `min_instances > 0`.
    package func register(_ config: DeployConfig) throws(RegistrationError) -> Registration {
        guard config.backend != nil else { return .ignoredNoBackend }
        if deployment(named: config.model) != nil { return .ignoredAlreadyRegistered }
        if all.count >= maxModels { return .refusedTooMany }
        metrics.reinstate(model: config.model)  // its series may exist again (a deleted model registered anew)
        let deployment: Deployment
        do {
            let settings = try defaults.applying(config.simulatorOverrides)
            let engineConfig = try EngineSettings.engineConfig(deploy: config, settings: settings)
            // Load the engine once now, so a model that does not fit fails its registration, not its first request.
            _ = try EngineCore(config: engineConfig)
            let oracle = try settings.oracle.map { try AnswerOracle(settings: $0, seed: settings.seed) }
            deployment = try Deployment(
                config: config, settings: settings, engineConfig: engineConfig, oracle: oracle, gpuPool: gpuPool,
                metricsRegistry: metrics, transport: transport)
        } catch let e as SettingsError {
            throw RegistrationError(description: e.description)
        } catch let e as ModelConfigError {
            throw RegistrationError(description: e.description)
        } catch let e as EngineConfigError {
            throw RegistrationError(description: e.description)
        } catch {
            throw RegistrationError(description: "\(error)")
        }
        return deployments.withLock { list in
            if list.contains(where: { $0.name == config.model }) {
                deployment.shutdown()
                return .ignoredAlreadyRegistered
            }
            // Checked again under the lock: concurrent registrations cannot pass the bound together.
            if list.count >= maxModels {
                deployment.shutdown()
                return .refusedTooMany
            }
            list.append(deployment)
            return .registered
        }
    }

    package func deployment(named name: String) -> Deployment? {
        deployments.withLock { $0.first { $0.name == name } }
    }

    package var all: [Deployment] { deployments.withLock { $0 } }

    /// Removes and stops a deployment; false when unknown.
    @discardableResult
    package func delete(_ name: String) -> Bool {
        let removed = deployments.withLock { list -> Deployment? in
            guard let i = list.firstIndex(where: { $0.name == name }) else { return nil }
            return list.remove(at: i)
        }
        removed?.shutdown()
        if let removed { metrics.retire(model: removed.name) }
        return removed != nil
    }

    /// Stops every deployment (server shutdown). Their engine threads end; safe to call more than once.
    package func shutdownAll() {
        let all = deployments.withLock { $0 }
        for d in all { d.shutdown() }
        // Every stream in flight has its last chunk before the caller closes the connections.
        for d in all { d.shutdownAndWait() }
    }

    /// A registry dropped without ``shutdownAll()`` (a test, an embedding program) still stops its engine threads,
    /// which would otherwise run, and hold their engines, for the life of the process.
    deinit { shutdownAll() }
}
