import MoECore
import SimEngine

/// How long a new instance takes from its GPUs granted to ready (docs/serving.md "Cold start"): a sum of named
/// terms, each following a public measurement: the Ray actor's process start, tensor-parallel set-up, the
/// checkpoint read by ServerlessLLM's loader from the tier that holds it, torch.compile (cached or not), KV-cache
/// profiling and CUDA-graph capture (unless `enforce_eager`).
package struct ColdStartModel: Sendable, Equatable {
    /// Where the checkpoint is read from.
    package enum Tier: String, Sendable, Equatable {
        /// The node's local NVMe (the first load of a model on the node).
        case nvme
        /// ServerlessLLM's pinned host-memory pool: the model was loaded on this node before.
        case hostMemory = "host_memory"
    }

    /// One start-up, term by term (seconds).
    package struct Breakdown: Sendable, Equatable {
        package var tier: Tier
        package var processStart: Double
        package var distributedInit: Double
        package var checkpointLoad: Double
        package var torchCompile: Double
        package var kvProfiling: Double
        package var graphCapture: Double
        /// `--engine-startup`, replacing every term but the checkpoint load, if set.
        package var engineStartupOverride: Double?

        package var total: Double {
            if let engineStartupOverride { return checkpointLoad + engineStartupOverride }
            return processStart + distributedInit + checkpointLoad + torchCompile + kvProfiling + graphCapture
        }
    }

    /// Bytes per second ServerlessLLM's loader reads a checkpoint from NVMe (`--storage-bandwidth-gbs`): its
    /// December 2025 H100 results load Qwen3-32B (65.5 GB) in 3.22 s and Llama-3.1-8B (16.1 GB) in 0.68 s.
    package var storageBandwidth = 21e9
    /// Bytes per second from the host-memory pool (`--host-memory-bandwidth-gbs`): Qwen3-32B in 1.25 s.
    package var hostMemoryBandwidth = 54e9
    /// Ray actor process start, imports, model config, tokenizer and worker init (vLLM start-up profiler:
    /// "framework bootstrap" 10.2 s on vLLM 0.10.1).
    package var processStartSeconds = 10.0
    /// NCCL and tensor-parallel set-up when TP > 1 (an estimate; no public breakdown found).
    package var distributedInitSeconds = 2.0
    /// torch.compile with vLLM's compile cache warm: a fixed part plus a part per decoder layer (fitted to the
    /// profiler's Llama-2-7B, 32 layers: 8.3 s).
    package var compileBaseSeconds = 4.0
    package var compilePerLayerSeconds = 0.135
    /// torch.compile without a cache costs this many times the cached time (an estimate).
    package var uncachedCompileFactor = 3.0
    /// Whether vLLM's torch.compile cache is warm for every model (`--no-compile-cache`: the first start of a
    /// model on the node compiles from scratch, later ones load the cache).
    package var compileCacheWarm = true
    /// KV-cache profiling run (profiler, Llama-2-7B: 2.26 s).
    package var kvProfilingBaseSeconds = 1.6
    package var kvProfilingPerLayerSeconds = 0.02
    /// CUDA-graph capture of vLLM's default batch sizes, per decoder layer (profiler, Llama-2-7B: 2.9 s).
    package var graphCapturePerLayerSeconds = 0.09
    /// `--engine-startup S`: replaces every term but the checkpoint load.
    package var engineStartupOverride: Double?
    /// A fixed start-up time that replaces the whole model (`--cold-start S`).
    package var overrideSeconds: Double?

    package init() {}

    /// A model whose every start takes `seconds`.
    package static func fixed(_ seconds: Double) -> ColdStartModel {
        var m = ColdStartModel()
        m.overrideSeconds = seconds
        return m
    }

    /// The checkpoint's bytes: every rank's weight shard.
    static func checkpointBytes(_ config: EngineConfig) -> Double {
        let fp = ModelFootprint(
            model: config.model, tensorParallelSize: config.tensorParallelSize, weightFormat: config.weightFormat,
            kvFormat: config.kvFormat)
        return fp.weightBytesPerRank * Double(config.tensorParallelSize)
    }

    /// The terms of one start of `config` reading its checkpoint from `tier`; `compileCached` says whether
    /// vLLM's torch.compile cache holds this model.
    package func breakdown(for config: EngineConfig, tier: Tier, compileCached: Bool = true) -> Breakdown {
        let layers = Double(config.model.numLayers)
        let bandwidth = tier == .nvme ? storageBandwidth : hostMemoryBandwidth
        let cachedCompile = compileBaseSeconds + compilePerLayerSeconds * layers
        let eager = config.enforceEager
        return Breakdown(
            tier: tier, processStart: processStartSeconds,
            distributedInit: config.tensorParallelSize > 1 ? distributedInitSeconds : 0,
            checkpointLoad: Self.checkpointBytes(config) / bandwidth,
            torchCompile: eager ? 0 : cachedCompile * (compileCached ? 1 : uncachedCompileFactor),
            kvProfiling: kvProfilingBaseSeconds + kvProfilingPerLayerSeconds * layers,
            graphCapture: eager ? 0 : graphCapturePerLayerSeconds * layers,
            engineStartupOverride: engineStartupOverride)
    }

    /// Seconds from GPUs granted to ready, reading the checkpoint from `tier`.
    package func seconds(for config: EngineConfig, tier: Tier = .nvme, compileCached: Bool = true) -> Double {
        if let overrideSeconds { return overrideSeconds }
        return breakdown(for: config, tier: tier, compileCached: compileCached).total
    }

    /// Seconds for a start on `node`, which remembers what was loaded and compiled there before; records this
    /// start on the node.
    func start(_ config: EngineConfig, model: String, on node: GPUPool?) -> Double {
        let history = node?.noteStart(of: model) ?? (loadedBefore: false, compiledBefore: false)
        return seconds(
            for: config, tier: history.loadedBefore ? .hostMemory : .nvme,
            compileCached: compileCacheWarm || history.compiledBefore)
    }
}
