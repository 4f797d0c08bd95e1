import FakeSLLM
import MoECore
import SimEngine

/// A what-if grid (`fake-sllm sweep`): every combination of models × GPU types × GPU counts (tensor parallelism) ×
/// engine settings (`max_num_seqs`, `max_num_batched_tokens`, `quantization`, `kv_cache_dtype`, `enforce_eager`) ×
/// workloads, each point one in-process run of the engine on its virtual clock (no router:
/// the engine as `--serving direct` runs it).
public struct SweepGrid: Sendable {
    public var models: [String]
    public var gpuTypes: [String]
    /// GPUs per deployment = tensor-parallel size.
    public var gpuCounts: [Int]
    public var maxNumSeqs: [Int]
    public var maxNumBatchedTokens: [Int]
    /// vLLM `quantization` per point; nil = the checkpoint's weights.
    public var quantizations: [String?]
    /// vLLM `kv_cache_dtype` per point (`auto`, `fp8`).
    public var kvCacheDtypes: [String] = ["auto"]
    /// vLLM `enforce_eager` per point (false: CUDA graphs).
    public var enforceEager: [Bool] = [false]
    public var workloads: [WorkloadSpec]
    public var seed: UInt64 = 0
    public var routing: RoutingConfig?
    /// A calibration file applied over the GPU profiles it names (or all, when it names none).
    public var calibration: CalibrationOverride?

    public init(
        models: [String], gpuTypes: [String], gpuCounts: [Int] = [1], maxNumSeqs: [Int] = [256],
        maxNumBatchedTokens: [Int] = [8192], quantizations: [String?] = [nil],
        workloads: [WorkloadSpec] = [.gsm8k]
    ) {
        self.models = models
        self.gpuTypes = gpuTypes
        self.gpuCounts = gpuCounts
        self.maxNumSeqs = maxNumSeqs
        self.maxNumBatchedTokens = maxNumBatchedTokens
        self.quantizations = quantizations
        self.workloads = workloads
    }

    /// Every point, in a fixed order (models outermost, workloads innermost).
    public var points: [SweepPoint] {
        var out: [SweepPoint] = []
        for m in models {
            for g in gpuTypes {
                for n in gpuCounts {
                    for s in maxNumSeqs {
                        for t in maxNumBatchedTokens {
                            for q in quantizations {
                                for kv in kvCacheDtypes {
                                    for eager in enforceEager {
                                        for w in workloads.indices {
                                            out.append(
                                                SweepPoint(
                                                    index: out.count, model: m, gpuType: g, gpuCount: n,
                                                    maxNumSeqs: s, maxNumBatchedTokens: t, quantization: q,
                                                    kvCacheDtype: kv, enforceEager: eager, workload: w))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// One point of a ``SweepGrid``.
public struct SweepPoint: Sendable, Equatable {
    public var index: Int
    public var model: String
    public var gpuType: String
    public var gpuCount: Int
    public var maxNumSeqs: Int
    public var maxNumBatchedTokens: Int
    public var quantization: String?
    public var kvCacheDtype: String
    public var enforceEager: Bool
    /// Index into the grid's workloads.
    public var workload: Int
}
