import MoECore
import SimEngine

/// One backend instance inside a ``ServingCluster``: its engine driver and the router's view of it.
///
/// Threading: owned by the cluster (one thread); HTTP threads see it only through ``handle``.
final class ClusterInstance {
    enum Phase: Equatable {
        /// Created by the autoscaler, waiting for the node's GPUs.
        case waitingForGPUs
        /// Loading; ready at the given simulated time.
        case starting(readyAt: Double)
        case ready
        case stopped
    }

    let handle: InstanceHandle
    let driver: EngineDriver
    let gpus: Int
    var phase: Phase
    /// Requests the router allocated to it (its concurrency cap counts these).
    var allocated = 0
    /// Allocated requests inside the engine; the rest wait in the Ray actor's queue (``actorQueue``).
    var inEngine = 0
    var actorQueue: [UInt64] = []
    /// The step running now; its tokens are delivered at its end.
    var stepInProgress: StepOutcome?

    init(handle: InstanceHandle, driver: EngineDriver, gpus: Int, phase: Phase) {
        self.handle = handle
        self.driver = driver
        self.gpus = gpus
        self.phase = phase
    }

    /// When this instance's next event happens (a step ends or starts, a request reaches the engine, the
    /// instance becomes ready), or nil.
    var nextEventTime: Double? {
        switch phase {
        case .starting(let readyAt): return readyAt
        case .ready:
            if let step = stepInProgress { return step.end }
            return driver.nextEventTime
        case .waitingForGPUs, .stopped: return nil
        }
    }

    var isLive: Bool { phase != .stopped }
}
