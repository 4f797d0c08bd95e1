import MoECore
import SimEngine

/// One backend instance inside a ``ServingCluster``: its engine driver and the router's view of it.
///
/// Threading: owned by the cluster (one thread); HTTP threads see it only through ``handle``.
final class ClusterInstance {
    enum Phase: Equatable {
        /// Created by the autoscaler, waiting for the FCFS scheduler's GPUs; it looks again at `checkAt` (its
        /// next pass), or, when nil, after GPUs are given back somewhere on the node.
        case waitingForGPUs(checkAt: Double?)
        /// Loading; ready at the given simulated time.
        case starting(readyAt: Double)
        case ready
        /// Popped from the ready instances by a scale-down (`_stop_instance`): out of routing, finishing what it
        /// holds. `stopBegan` is when the backend's `stop` call got an actor slot; `shutdownAt` is the poll at
        /// which it found no request left (then the GPUs go back).
        case draining(stopBegan: Double?, shutdownAt: Double?)
        case stopped
    }

    /// A call waiting at the backend's Ray actor (`max_concurrency=10`), first come first served.
    enum ActorCall: Equatable {
        /// A router request's `generate`.
        case generate(UInt64)
        /// A recording or expert-distribution call (its token).
        case control(UInt64)
        /// The scale-down's `stop`.
        case stop
    }

    let handle: InstanceHandle
    let driver: EngineDriver
    let gpus: Int
    /// Router requests it may hold (`max_queue_length`), fixed when the instance was created.
    let cap: Int
    var phase: Phase
    /// Router requests allocated to it (its cap counts these; a leaked failure stays counted).
    var allocated = 0
    /// Actor slots busy with `generate` calls; the rest wait in ``actorQueue``.
    var busySlots = 0
    var actorQueue: [ActorCall] = []
    /// The step running now; it is recorded at its end, its tokens reach clients when the API server delivers
    /// them.
    var stepInProgress: StepOutcome?

    init(handle: InstanceHandle, driver: EngineDriver, gpus: Int, cap: Int, phase: Phase) {
        self.handle = handle
        self.driver = driver
        self.gpus = gpus
        self.cap = cap
        self.phase = phase
    }

    /// When this instance's next event happens (a step ends or starts, a request reaches the engine, the
    /// instance becomes ready, gets its GPUs or shuts down), or nil.
    var nextEventTime: Double? {
        switch phase {
        case .waitingForGPUs(let checkAt): return checkAt
        case .starting(let readyAt): return readyAt
        case .ready, .draining:
            var t = Double.infinity
            if let step = stepInProgress { t = step.end } else if let e = driver.nextEventTime { t = e }
            if let d = driver.nextDeliveryTime { t = min(t, d) }
            if case .draining(_, let shutdownAt?) = phase { t = min(t, shutdownAt) }
            return t.isFinite ? t : nil
        case .stopped: return nil
        }
    }

    /// Whether it holds GPUs (starting, ready or draining).
    var holdsGPUs: Bool {
        switch phase {
        case .starting, .ready, .draining: return true
        case .waitingForGPUs, .stopped: return false
        }
    }
}
