import Synchronization

/// What the HTTP threads may see of one backend instance: its `instance_id`, its batch recorder and whether it
/// is ready. The serving host owns the instance itself (docs/serving.md "Instances"). Thread-safe.
package final class InstanceHandle: Sendable {
    /// The backend's `instance_id` (a uuid4; a new instance has a new id and empty records).
    package let id: String
    /// The instance's batch recording state.
    package let recorder: BatchRecorder
    /// The instance's expert-distribution recording state.
    package let experts: ExpertDistributionRecorder
    /// Its position among the deployment's live instances (0 for the first); it seeds the instance's routing.
    package let slot: Int
    private let readyFlag = Atomic<Bool>(false)
    private let passes = Atomic<Int>(0)

    init(id: String, recorder: BatchRecorder, experts: ExpertDistributionRecorder, slot: Int) {
        self.id = id
        self.recorder = recorder
        self.experts = experts
        self.slot = slot
    }

    /// Whether the model has finished loading (recording calls need a ready instance).
    var isReady: Bool { readyFlag.load(ordering: .acquiring) }
    func markReady() { readyFlag.store(true, ordering: .releasing) }

    /// Engine steps executed since the instance started (every step, recorded or not: `forward_pass_id`).
    package var forwardPassCount: Int { passes.load(ordering: .relaxed) }
    func noteForwardPass(_ id: Int) { passes.store(id, ordering: .relaxed) }
}
