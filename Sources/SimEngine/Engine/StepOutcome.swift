import MoECore

/// The ground truth of a step: exact FLOPs, bytes, time split and achieved utilizations (``StepCost``).
public typealias StepGroundTruth = StepCost

/// What one engine step did, on the simulated clock.
///
/// A batch record (docs/sllm-api.md §4) takes `batch_size` = `seq_lens_sum` = ``batchSize``, `latency` = ``latency``,
/// `forward_mode` = ``forwardMode``, `expert_activation` = ``expertActivation``, `forward_pass_id` =
/// ``forwardPassID``. ``truth`` is the simulator's extension, never part of a record.
public struct StepOutcome: Sendable {
    /// When the step started (the `now` passed to ``EngineCore/step(now:)``).
    public var start: Double
    /// Simulated wall time the step takes (s): CPU scheduling and input preparation, then the GPU forward pass
    /// (``latency``). Outputs appear at `start + duration`.
    public var duration: Double
    /// The recorded latency (s): GPU-synchronized forward + sampling + output construction, as the real
    /// recorder times it (scheduling excluded).
    public var latency: Double
    /// Tokens the network ran after CUDA-graph padding (the record's `batch_size` and `seq_lens_sum`).
    public var batchSize: Int
    /// Tokens the scheduler scheduled (before padding).
    public var scheduledTokens: Int
    public var forwardMode: ForwardMode
    /// Mean over MoE layers of the distinct experts that received at least one token (0 for dense models).
    public var expertActivation: Double
    /// Requests in the step.
    public var numRequests: Int
    /// Per-process step counter, 1 for the first step.
    public var forwardPassID: Int
    /// Per-request outcomes: scheduled requests in step order, preempted ones first.
    public var events: [RequestEvent]
    /// Fraction of KV blocks in use after the step.
    public var kvCacheUsage: Double
    /// Requests waiting and running after the step.
    public var numWaiting: Int
    public var numRunning: Int
    /// True FLOPs, bytes, time split and utilizations.
    public var truth: StepGroundTruth

    /// `start + duration`.
    public var end: Double { start + duration }
}
