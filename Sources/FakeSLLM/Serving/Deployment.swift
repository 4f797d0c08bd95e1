import MoECore
import SimEngine
import Synchronization

/// A registered model: its deploy config, simulator settings, engine configuration and the host that runs its
/// router, instances and engines (docs/serving.md). Thread-safe.
///
/// Dropping a deployment (or ``shutdown()``) ends its host thread; requests in flight fail with
/// `Instance stopped`.
package final class Deployment: Sendable {
    package let name: String
    package let config: DeployConfig
    package let settings: SimulatorSettings
    package let engineConfig: EngineConfig
    let oracle: AnswerOracle?
    let host: DeploymentHost
    /// Seconds the first instance takes from its GPUs granted to ready (checkpoint from NVMe; a model loaded on
    /// the node before starts from host memory).
    let coldStartSeconds: Double
    /// This deployment's series of `GET /metrics` (docs/metrics.md).
    let metrics: EngineMetrics
    private let state: Locked<(autoScaling: AutoScalingConfig, deleted: Bool)>
    private let nextRequestId = Atomic<UInt64>(1)

    init(
        config: DeployConfig, settings: SimulatorSettings, engineConfig: EngineConfig, oracle: AnswerOracle?,
        gpuPool: GPUPool?, metricsRegistry: MetricsRegistry = MetricsRegistry(), transport: TransportActivity? = nil
    ) throws {
        name = config.model
        self.config = config
        self.settings = settings
        self.engineConfig = engineConfig
        self.oracle = oracle
        state = Locked((config.autoScaling, false))
        coldStartSeconds = settings.coldStart.seconds(for: engineConfig)
        let recorderShape = (engineConfig.tensorParallelSize, engineConfig.gpu.key, settings.quirks.tpDuplicateRecords)
        let cluster = try ServingCluster(
            settings: ServingCluster.Settings(
                deploy: config, settings: settings,
                gpusPerInstance: max(config.numGPUs, engineConfig.tensorParallelSize)),
            engineConfig: engineConfig, gpuPool: settings.serving == .sllm ? gpuPool : nil,
            makeInstanceID: uuid4,
            makeRecorder: {
                BatchRecorder(
                    gpuNum: recorderShape.0, gpuRawType: recorderShape.1, duplicatePerRank: recorderShape.2)
            })
        let metrics = EngineMetrics(
            registry: metricsRegistry, modelName: config.model,
            maxModelLen: engineConfig.maxModelLen ?? engineConfig.model.maxPositionEmbeddings)
        self.metrics = metrics
        let clock: any SimulationClock =
            settings.speedup.map { PacedClock(speedup: $0, wall: monotonicSeconds()) } ?? VirtualClock()
        host = DeploymentHost(
            name: config.model, cluster: cluster, clock: clock, burstWindow: settings.effectiveBurstWindow,
            arrivalGrace: settings.arrivalGraceSeconds,
            gpuPool: gpuPool, transport: transport,
            stepObserver: { instance, outcome in metrics.observe(step: outcome, instance: instance.id) })
        if settings.serving == .sllm, let warning = Self.missingKeysWarning(config) { serverLog.warning("\(warning)") }
    }

    /// One line saying how a real router would treat this deploy config's missing `auto_scaling_config` keys
    /// (docs/serving.md "Missing keys"), or nil when nothing is missing.
    static func missingKeysWarning(_ config: DeployConfig) -> String? {
        let a = config.autoScaling
        let missing = a.missingKeys
        guard !missing.isEmpty else { return nil }
        let merge =
            "`sllm deploy` would have merged its default_config.json (metric concurrency, target 1, "
            + "min_instances 0, max_instances 10, keep_alive 0)"
        if !a.present {
            return "\(config.model): no auto_scaling_config: a real ServerlessLLM never creates an instance for this "
                + "model (its autoscaler loop fails on None; quirk no_autoscaling_config_hang reproduces it); served "
                + "with the router's defaults as for {}; \(merge)"
        }
        return "\(config.model): auto_scaling_config lacks \(missing.joined(separator: " and ")): the real router "
            + "caps each instance at \(a.perInstanceCap) request(s) and scales for target \(a.scalingTarget); \(merge)"
    }

    deinit { host.shutdown() }

    /// Whether recording routes are served by this deployment's backend (`vllm_moecap` only).
    var supportsRecording: Bool { config.backend == "vllm_moecap" }

    /// The instance the router forwards recording calls to: the first ready one, if any.
    var readyInstance: InstanceHandle? { host.readyInstances.first }

    var isDeleted: Bool { state.withLock { $0.deleted } }

    var autoScaling: AutoScalingConfig { state.withLock { $0.autoScaling } }

    func update(autoScaling: AutoScalingConfig) {
        state.withLock { $0.autoScaling = autoScaling }
        host.update(autoScaling: autoScaling)
    }

    /// Stops the host; in-flight requests end with `Instance stopped`.
    func shutdown() {
        state.withLock { $0.deleted = true }
        host.shutdown()
    }

    /// ``shutdown()``, waiting until every request in flight has been answered `Instance stopped` (server stop).
    func shutdownAndWait() {
        state.withLock { $0.deleted = true }
        host.shutdownAndWait()
    }

    func newRequestId() -> UInt64 { nextRequestId.wrappingAdd(1, ordering: .relaxed).oldValue }
}
