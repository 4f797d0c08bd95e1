import MoECore
import SimEngine

/// One running backend instance of a deployment: an engine thread and its batch recorder.
///
/// A new instance has a new `instance_id` and empty records (sllm_api.md §3.9).
final class Instance: Sendable {
    let id: String
    let runner: EngineRunner
    let recorder: BatchRecorder
    /// Wall-clock second (monotonic) from which the instance counts as ready.
    private let readyAtWall: Double

    init(engineConfig: EngineConfig, settings: SimulatorSettings, deploy: DeployConfig, name: String) throws {
        id = uuid4()
        let core = try EngineCore(config: engineConfig)
        recorder = BatchRecorder(
            gpuNum: engineConfig.tensorParallelSize, gpuRawType: engineConfig.gpu.key,
            duplicatePerRank: settings.quirks.tpDuplicateRecords)
        let gate = AdmissionGate(
            dispatchInterval: settings.quirks.dispatchSleep ? 1.0 : nil,
            concurrencyCap: settings.quirks.routerConcurrencyCap ? deploy.autoScaling.perInstanceCap : nil)
        runner = EngineRunner(
            core: core, recorder: recorder, speedup: settings.speedup, gate: gate, coldStart: settings.coldStartSeconds)
        readyAtWall = monotonicSeconds() + settings.coldStartSeconds / (settings.speedup ?? .infinity)
        runner.start(name: name)
    }

    /// Whether the model has finished loading (recording calls need a ready instance).
    var isReady: Bool { monotonicSeconds() >= readyAtWall }

    func stop() { runner.stop() }
}
