import MoECore
import SimEngine

/// How long a new instance takes to become ready (docs/serving.md "Cold start"): the checkpoint read from
/// storage, split over the tensor-parallel ranks that load in parallel from one node's storage, plus the
/// engine's own start-up (model init, KV-cache profiling and allocation, CUDA-graph capture unless eager).
public struct ColdStartModel: Sendable, Equatable {
    /// Bytes per second the node's storage tier delivers to the loading ranks together (default: a local NVMe
    /// array read by ServerlessLLM's loader at its bandwidth, 6 GB/s).
    public var storageBandwidth = 6e9
    /// Engine start-up besides loading weights: init and KV-cache profiling and allocation (s).
    public var engineInitSeconds = 4.0
    /// CUDA-graph capture, skipped with `enforce_eager` (s).
    var graphCaptureSeconds = 8.0
    /// A fixed start-up time that replaces the model (`--cold-start S`).
    public var overrideSeconds: Double?

    public init() {}

    /// The checkpoint's bytes: every rank's weight shard.
    static func checkpointBytes(_ config: EngineConfig) -> Double {
        let fp = ModelFootprint(
            model: config.model, tensorParallelSize: config.tensorParallelSize, weightFormat: config.weightFormat,
            kvFormat: config.kvFormat)
        return fp.weightBytesPerRank * Double(config.tensorParallelSize)
    }

    /// Seconds from the instance's creation (its GPUs granted) to ready.
    public func seconds(for config: EngineConfig) -> Double {
        if let overrideSeconds { return overrideSeconds }
        let load = Self.checkpointBytes(config) / storageBandwidth
        return load + engineInitSeconds + (config.enforceEager ? 0 : graphCaptureSeconds)
    }
}
