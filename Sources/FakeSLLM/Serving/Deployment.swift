import MoECore
import SimEngine
import Synchronization

/// A registered model: its deploy config, simulator settings, engine configuration and (when scaled up) its
/// instance. Thread-safe.
public final class Deployment: Sendable {
    public let name: String
    public let config: DeployConfig
    public let settings: SimulatorSettings
    public let engineConfig: EngineConfig
    let oracle: AnswerOracle?
    private let state: Mutex<(instance: Instance?, autoScaling: AutoScalingConfig, deleted: Bool)>
    private let nextRequestId = Atomic<UInt64>(1)

    init(config: DeployConfig, settings: SimulatorSettings, engineConfig: EngineConfig, oracle: AnswerOracle?) throws {
        name = config.model
        self.config = config
        self.settings = settings
        self.engineConfig = engineConfig
        self.oracle = oracle
        state = Mutex((nil, config.autoScaling, false))
        if config.autoScaling.minInstances > 0 { _ = try instance() }
    }

    /// Whether recording routes are served by this deployment's backend (`vllm_moecap` only, §3.9).
    public var supportsRecording: Bool { config.backend == "vllm_moecap" }

    /// The running instance, started on demand (scale from zero: the first request cold-starts it, §3.2).
    func instance() throws -> Instance {
        try state.withLock { s in
            if let i = s.instance { return i }
            let i = try Instance(engineConfig: engineConfig, settings: settings, deploy: config, name: name)
            s.instance = i
            return i
        }
    }

    /// The ready instance, if any (recording calls; no cold start).
    var readyInstance: Instance? {
        state.withLock { s in s.instance.flatMap { $0.isReady ? $0 : nil } }
    }

    var isDeleted: Bool { state.withLock { $0.deleted } }

    var autoScaling: AutoScalingConfig { state.withLock { $0.autoScaling } }

    func update(autoScaling: AutoScalingConfig) { state.withLock { $0.autoScaling = autoScaling } }

    /// The router's autoscaler with the `scale_to_zero` quirk: stops an instance that has been idle for
    /// `keep_alive` simulated seconds (at least one 1-second autoscaler tick) when `min_instances` is 0.
    func scaleDownIfIdle() {
        guard settings.quirks.scaleToZero else { return }
        let stopped = state.withLock { s -> Instance? in
            guard s.autoScaling.minInstances == 0, let i = s.instance, let idle = i.runner.idleSeconds else {
                return nil
            }
            let speedup = settings.speedup ?? 1
            guard idle >= max(s.autoScaling.keepAlive, 1) / speedup else { return nil }
            s.instance = nil
            return i
        }
        if let stopped {
            stopped.stop()
            logInfo("\(name): instance \(stopped.id) scaled down to zero (idle for keep_alive)")
        }
    }

    /// Stops the instance; in-flight requests end with `Instance stopped`.
    func shutdown() {
        let i = state.withLock { s -> Instance? in
            s.deleted = true
            defer { s.instance = nil }
            return s.instance
        }
        i?.stop()
    }

    func newRequestId() -> UInt64 { nextRequestId.wrappingAdd(1, ordering: .relaxed).oldValue }
}
