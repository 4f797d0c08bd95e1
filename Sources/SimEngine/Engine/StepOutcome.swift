import MoECore

/// The ground truth of a step: exact FLOPs, bytes, time split and achieved utilizations (``StepCost``).
package typealias StepGroundTruth = StepCost

/// What one engine step did, on the simulated clock.
///
/// A batch record (docs/sllm-api.md §4) takes `batch_size` = `seq_lens_sum` = ``batchSize``, `latency` = ``latency``,
/// `forward_mode` = ``forwardMode``, `expert_activation` = ``expertActivation``, `forward_pass_id` =
/// ``forwardPassID``. ``truth`` is the simulator's extension, never part of a record.
package struct StepOutcome: Sendable {
    /// When the step started (the `now` passed to ``EngineCore/step(now:)``).
    package var start: Double
    /// Simulated wall time the step takes (s): CPU scheduling and input preparation, then the GPU forward pass
    /// (``latency``). Outputs appear at `start + duration`.
    package var duration: Double
    /// The recorded latency (s): GPU-synchronized forward + sampling + output construction, as the real
    /// recorder times it (scheduling excluded).
    package var latency: Double
    /// Tokens the network ran after CUDA-graph padding (the record's `batch_size` and `seq_lens_sum`).
    package var batchSize: Int
    /// Tokens the scheduler scheduled (before padding).
    package var scheduledTokens: Int
    package var forwardMode: ForwardMode
    /// Mean over MoE layers of the distinct experts that received at least one token (0 for dense models).
    package var expertActivation: Double
    /// Requests in the step.
    package var numRequests: Int
    /// Per-process step counter, 1 for the first step.
    package var forwardPassID: Int
    /// Per-request outcomes: scheduled requests in step order, preempted ones first.
    package var events: [RequestEvent]
    /// Fraction of KV blocks in use after the step.
    package var kvCacheUsage: Double
    /// Requests waiting and running after the step.
    package var numWaiting: Int
    package var numRunning: Int
    /// True FLOPs, bytes, time split and utilizations.
    package var truth: StepGroundTruth

    /// `start + duration`.
    package var end: Double { start + duration }
}
