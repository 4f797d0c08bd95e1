/// The ground truth of one simulated step: what the GPUs did and how long it took.
///
/// FLOPs and bytes are totals over all tensor-parallel ranks (each rank's share times the rank count; replicated
/// weights are read by every rank and counted on each). Utilizations compare the per-rank work with one GPU's
/// datasheet peaks over the step's ``latency``, so they are directly comparable with MoE-CAP's S-MBU/S-MFU
/// (which divide by `num_gpus × peak`). A plain value.
package struct StepCost: Sendable, Equatable {
    /// Recorded GPU time of the step (s): operators + communication + fixed costs. This is the `latency` of the
    /// batch record.
    package var latency: Double
    /// Matrix and attention FLOPs, all ranks.
    package var flops: Double
    /// Weight bytes read, all ranks.
    package var weightBytes: Double
    /// KV cache bytes read and written, all ranks.
    package var kvBytes: Double
    /// Activation bytes read and written, all ranks.
    package var activationBytes: Double
    /// Σ over operators of FLOPs ÷ (peak × efficiency) (s, per rank).
    package var computeTime: Double
    /// Σ over operators of bytes ÷ (bandwidth × efficiency) (s, per rank).
    package var memoryTime: Double
    /// Σ over operators of max(compute, memory) (s, per rank): the operator part of ``latency``.
    package var operatorTime: Double
    /// All-reduces and the logits gather (s).
    package var commTime: Double
    /// Fixed per-step, per-layer and per-request costs (s).
    package var overheadTime: Double
    /// The datasheet floor: max(FLOPs ÷ peak, bytes ÷ bandwidth) per rank (s). ``latency`` is never below it.
    package var rooflineTime: Double
    /// Bytes moved per rank ÷ latency ÷ datasheet bandwidth.
    package var bandwidthUtilization: Double
    /// FLOPs per rank ÷ latency ÷ datasheet dense peak.
    package var flopsUtilization: Double

    /// Total bytes moved, all ranks.
    package var bytes: Double { weightBytes + kvBytes + activationBytes }
}
