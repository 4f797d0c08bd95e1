import FakeSLLM
import MoECore
import SimEngine

/// A what-if grid (`fake-sllm sweep`): every combination of models × GPU types × GPU counts (tensor parallelism) ×
/// engine settings (`max_num_seqs`, `max_num_batched_tokens`, `quantization`, `kv_cache_dtype`, `enforce_eager`) ×
/// workloads, each point one in-process run of the engine on its virtual clock (no router:
/// the engine as `--serving direct` runs it).
package struct SweepGrid: Sendable {
    package var models: [String]
    package var gpuTypes: [String]
    /// GPUs per deployment = tensor-parallel size.
    package var gpuCounts: [Int]
    package var maxNumSeqs: [Int]
    package var maxNumBatchedTokens: [Int]
    /// vLLM `quantization` per point; nil = the checkpoint's weights.
    package var quantizations: [String?]
    /// vLLM `kv_cache_dtype` per point (`auto`, `fp8`).
    package var kvCacheDtypes: [String] = ["auto"]
    /// vLLM `enforce_eager` per point (false: CUDA graphs).
    package var enforceEager: [Bool] = [false]
    package var workloads: [WorkloadSpec]
    package var seed: UInt64 = 0
    package var routing: RoutingConfig?
    /// A calibration file applied over the GPU profiles it names (or all, when it names none).
    package var calibration: CalibrationOverride?

    package init(
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
    package var points: [SweepPoint] {
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
package struct SweepPoint: Sendable, Equatable {
    package var index: Int
    package var model: String
    package var gpuType: String
    package var gpuCount: Int
    package var maxNumSeqs: Int
    package var maxNumBatchedTokens: Int
    package var quantization: String?
    package var kvCacheDtype: String
    package var enforceEager: Bool
    /// Index into the grid's workloads.
    package var workload: Int
}
