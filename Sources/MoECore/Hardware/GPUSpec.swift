/// One accelerator model: the datasheet numbers MoE-CAP uses plus what the simulator needs.
///
/// `key` is the `gpu_raw_type` string as MoE-CAP's `get_gpu_details()` produces it and its tables use
/// (docs/moecap-metrics.md §8). `memoryBandwidth` and `peakFlops` are MoE-CAP's `MEM_BW_DICT` and
/// `PEAK_FLOPS_DICT` values exactly, quirks included (NVIDIA entries are *with-sparsity* peaks, so the dense
/// peak is half; fp4 on A100/H100 is filled with the int8 number). ``denseFlops(_:)`` gives the physical dense
/// peak the simulator's roofline uses.
package struct GPUSpec: Sendable, Equatable {
    /// MoE-CAP table key, e.g. `NVIDIA-H100-HBM3-80GB`.
    package let key: String
    /// Bytes per second (`MEM_BW_DICT`).
    package let memoryBandwidth: Double
    /// FLOP/s by MoE-CAP dtype section name (`float32`, `float16`, `bfloat16`, `int8`, `fp8`, `fp4`, `int4`);
    /// a missing section reads as 0, as MoE-CAP's `get_peak_flops` does.
    package let peakFlops: [String: Double]
    /// Whether `peakFlops` holds with-sparsity numbers (NVIDIA Ampere/Hopper); the dense peak is then half.
    package let tableIsSparse: Bool
    /// Device memory in bytes.
    package let memoryBytes: Double
    /// GPU-to-GPU bandwidth per direction in bytes/s (NVLink, Infinity Fabric or PCIe), for tensor parallelism.
    package let interconnectBandwidth: Double
    /// Interconnect name for display.
    package let interconnect: String

    /// MoE-CAP's `get_peak_flops(gpu, dtype)`: the table value, 0 when the section or key is missing.
    /// `mxfp4` is read as `fp4` (`PRECISION_ALIASES`, §7).
    package func moecapPeakFlops(_ dtype: String) -> Double {
        let d = dtype == "mxfp4" ? "fp4" : dtype
        return peakFlops[d] ?? 0
    }

    /// Whether the tensor cores multiply FP8 operands (NVIDIA Hopper, Ada and Blackwell; AMD CDNA3 and newer).
    /// Ampere (A100, RTX A-series) and CDNA2 (MI250X) do not, although MoE-CAP's table lists an `fp8` peak for the
    /// A100: vLLM serves FP8 checkpoints there through weight-only kernels (Marlin: 8-bit weights read, 16-bit
    /// products; docs/engine.md §8 "Quantized products by GPU").
    package var hasFP8TensorCores: Bool {
        let k = key.uppercased()
        return !["A100", "A5000", "A6000", "MI250X"].contains { k.contains($0) }
    }

    /// Whether the GPU is an NVIDIA Hopper (compute capability 9.0: H100, H200, GH200).
    package var isHopper: Bool {
        let k = key.uppercased()
        return k.hasPrefix("NVIDIA") && ["H100", "H200"].contains { k.contains($0) }
    }

    /// Whether vLLM 0.11 runs compressed-tensors FP8 MoE experts (per-tensor or per-channel weight scales) through
    /// its CUTLASS grouped GEMM here: NVIDIA compute capability 9.0 (H100, H200, GH200) or 10.x (B200).
    /// `CompressedTensorsW8A8Fp8MoEMethod` sets `use_cutlass` from `_is_fp8_w8a8_sm90` (capability exactly 90)
    /// or `_is_fp8_w8a8_sm100` (on 10.x, batches of at most 8 tokens fall back to Triton; not modelled); Ada, the
    /// RTX/GB10 Blackwells (12.x) and AMD GPUs run the Triton fused-MoE kernel, Ampere Marlin (docs/engine.md §8
    /// "Quantized products by GPU").
    package var runsCutlassFP8MoE: Bool {
        isHopper || (key.uppercased().hasPrefix("NVIDIA") && key.uppercased().contains("B200"))
    }

    /// Whether the tensor cores multiply 4-bit floating-point operands (NVIDIA Blackwell; AMD CDNA4).
    package var hasFP4TensorCores: Bool {
        let k = key.uppercased()
        return ["B200", "BLACKWELL", "GB10", "MI355X"].contains { k.contains($0) }
    }

    /// The physical dense peak for `dtype` used by the simulator's roofline (not by MoE-CAP's formulas).
    package func denseFlops(_ dtype: String) -> Double {
        let v = moecapPeakFlops(dtype)
        return tableIsSparse ? v / 2 : v
    }
}
