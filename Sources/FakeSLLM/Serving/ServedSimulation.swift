import MoECore
import SimEngine

/// `fake-sllm simulate --deploy` in `sllm` mode: a workload through the same ``ServingCluster`` that `serve`
/// runs — router, autoscaler, cold starts — on a virtual clock, so it predicts what `serve` records for the same
/// requests (docs/serving.md "simulate and serve").
///
/// The run loop is `Simulation`'s (``Simulation/drive(_:keepSteps:through:stalled:)``): each request is sent at
/// its arrival time (under a concurrency cap, when a slot frees). The steps kept for records are those of the
/// first instance that became ready, the one the recording routes act on. Deterministic; single-threaded.
package enum ServedSimulation {
    /// Runs `workload` through a deployment configured like `serve` would configure it.
    /// - Throws: ``SimulationInputError`` when a request is refused or the run stalls; the engine's
    ///   ``EngineConfigError`` when an instance cannot be built.
    package static func run(
        deploy: DeployConfig, settings: SimulatorSettings, engineConfig: EngineConfig, workload: Workload,
        keepSteps: Bool = true
    ) throws -> SimulationResult {
        var instanceCount = 0
        let cluster = try ServingCluster(
            settings: ServingCluster.Settings(
                deploy: deploy, settings: settings,
                gpusPerInstance: max(deploy.numGPUs, engineConfig.tensorParallelSize)),
            engineConfig: engineConfig, gpuPool: GPUPool(total: settings.nodeGPUs),
            makeInstanceID: {
                instanceCount += 1
                return "simulated-instance-\(instanceCount)"
            },
            makeRecorder: {
                BatchRecorder(
                    gpuNum: engineConfig.tensorParallelSize, gpuRawType: engineConfig.gpu.key, duplicatePerRank: false)
            })
        var service = ClusterService(cluster: cluster)
        let tally = try Simulation.drive(workload, keepSteps: keepSteps, through: &service, stalled: "finished")
        var engines = service.engines
        for h in cluster.liveHandles { engines[ObjectIdentifier(h)] = cluster.engine(of: h) }
        return tally.result(
            config: engineConfig, simulatedSeconds: cluster.now,
            engines: engines.values.sorted { $0.kvCacheTokens < $1.kvCacheTokens })
    }
}

/// A serving cluster as the run loop's service: the first instance that becomes ready is the recorded one.
private struct ClusterService: SimulatedService {
    let cluster: ServingCluster
    var recorded: InstanceHandle?
    var engines: [ObjectIdentifier: EngineCore] = [:]

    init(cluster: ServingCluster) { self.cluster = cluster }

    var nextEventTime: Double? { cluster.nextEventTime }

    func send(_ request: EngineRequest, at time: Double) { cluster.arrive(request, at: time) }

    mutating func advance(stepEnded: (StepOutcome, _ kept: Bool) -> Void, delivered: (TokenDelivery) -> Void) throws {
        for event in cluster.advance() {
            switch event {
            case .step(let instance, let outcome):
                if recorded == nil { recorded = instance }
                stepEnded(outcome, instance === recorded)
            case .failed(let id, let message, _):
                throw SimulationInputError("request \(id): \(message)")
            case .instanceReady(let i):
                if recorded == nil { recorded = i }
                engines[ObjectIdentifier(i)] = cluster.engine(of: i)
            case .tokens(let d):
                delivered(d)
            case .started, .dispatched, .instanceStopped, .instanceDraining, .slotKeptByRealRouter:
                break
            }
        }
    }
}
