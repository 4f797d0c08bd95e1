/// Calibrations fitted to published kernel timings rather than to our own probe: the A100 family's fused-MoE
/// constants, from vLLM pull requests that list `benchmark_moe.py` times on A100s (docs/calibration.md "A100
/// fused-MoE kernels"), and Marlin's compute plateau from the Marlin times vLLM PR #2497 lists for an A100
/// (docs/calibration.md "Marlin's compute plateau on the A100"). Each text is its fixture verbatim (a test keeps
/// them equal and refits the constants from the points it lists); `scripts/fit_a100_moe_kernels.py` does the same
/// fused-MoE fit.
enum PublishedKernelCalibrations {
    /// The GPUs a text applies to, its file, and the text. Every A100 variant is one chip (GA100: 108 SMs, 1410 MHz
    /// boost) with its own datasheet bandwidth, which the constants are fractions of.
    static let all: [(keys: [String], file: String, json: String)] = [
        (
            ["NVIDIA-A100-SXM4-80GB", "NVIDIA-A100-SXM4-40GB", "NVIDIA-A100-PCIe-80GB", "NVIDIA-A100-PCIe-40GB"],
            "Fixtures/calibration/NVIDIA-A100.published-moe-kernels.json", a100
        )
    ]

    static let a100 = #"""
        {
         "_what": "Published vLLM kernel times on A100s and the cost-model constants taken from them (docs/calibration.md 'A100 fused-MoE kernels' and 'Marlin's compute plateau on the A100'). Applied over the H100 fit to every A100 variant (same GA100 chip: 108 SMs, 1410 MHz boost); each variant keeps its own datasheet bandwidth.",
         "_gpu_family": "NVIDIA-A100",
         "_source": "published-kernels",
         "_fit": "python3 scripts/fit_a100_moe_kernels.py Fixtures/calibration/NVIDIA-A100.published-moe-kernels.json",
         "_sources": [
          {
           "id": "vllm19049",
           "url": "https://github.com/vllm-project/vllm/pull/19049",
           "quote": "Create E=128,N=768,device_name=NVIDIA_A100-PCIE-40GB.json (2025-06-03), 'Before this PR': benchmark_moe.py Kernel time per batch size, default config 16x32x64 group 1",
           "gpu": "NVIDIA-A100-PCIe-40GB",
           "bandwidth_GBps": 1555,
           "shape": {
            "model": "Qwen/Qwen3-30B-A3B TP1",
            "E": 128,
            "N": 768,
            "hidden": 2048,
            "top_k": 8
           },
           "config": "default",
           "timing": "benchmark_moe.py: the whole fused_moe call (top-k softmax, moe_align_block_size, both grouped products, SiLU-and-multiply, the top-k sum), 10 calls captured in one CUDA graph, random gating logits",
           "points_us": [
            [
             1,
             109.21
            ],
            [
             2,
             159.81
            ],
            [
             4,
             268.89
            ],
            [
             8,
             403.13
            ],
            [
             16,
             611.19
            ],
            [
             24,
             730.19
            ],
            [
             32,
             808.53
            ],
            [
             48,
             885.97
            ],
            [
             64,
             917.45
            ],
            [
             96,
             943.14
            ]
           ],
           "memory_fit_batches": [
            1,
            2,
            4,
            8,
            16,
            24,
            32,
            48,
            64,
            96
           ]
          },
          {
           "id": "vllm40542",
           "url": "https://github.com/vllm-project/vllm/pull/40542",
           "quote": "[Kernel][MoE] Add A100 tuned config for E=64,N=1408 (2026-04-21), 'Benchmark (bf16, hidden=2048, top_k=6, 1xA100 80GB SXM4)', tuned column",
           "gpu": "NVIDIA-A100-SXM4-80GB",
           "bandwidth_GBps": 2039,
           "shape": {
            "model": "DeepSeek-V2-Lite / Kimi-VL-A3B shape",
            "E": 64,
            "N": 1408,
            "hidden": 2048,
            "top_k": 6
           },
           "config": "tuned",
           "timing": "a standalone tuner with benchmark_moe.py's search space; the PR does not say whether its times are CUDA-graph replays",
           "points_us": [
            [
             1,
             183.5
            ],
            [
             4,
             266.2
            ],
            [
             16,
             523.3
            ],
            [
             64,
             677.6
            ],
            [
             256,
             717.0
            ],
            [
             1024,
             929.9
            ],
            [
             4096,
             2636.6
            ]
           ],
           "compute_fit_batches": [
            1024,
            4096
           ]
          }
         ],
         "expert_weight_bandwidth": 0.9215,
         "expert_half_bytes": 0.0,
         "moe_gemm_peak": 0.5989,
         "moe_gemm_half_rows": 51.4,
         "moe_layer_overhead_s": 5.642e-05,
         "_marlin_source": {
          "id": "vllm2497",
          "url": "https://github.com/vllm-project/vllm/pull/2497",
          "quote": "comment of 2024-01-24 (Integrate Marlin Kernels for Int4 GPTQ inference): Marlin's bench.py on an A100, TFLOP/s per batch",
          "kernel": "Marlin 4-bit weight-only GEMM (the kernel family vLLM 0.11's gptq_marlin, FP8 Marlin and MXFP4 Marlin MoE extend); 16-bit products",
          "points_tflops": [
           [
            64,
            139.662
           ],
           [
            128,
            140.903
           ],
           [
            256,
            141.424
           ],
           [
            512,
            141.35
           ],
           [
            1024,
            141.152
           ],
           [
            2048,
            141.425
           ],
           [
            4000,
            141.124
           ]
          ],
          "plateau_batches": [
           128,
           256,
           512,
           1024,
           2048,
           4000
          ],
          "dense_peak_tflops": 312,
          "note": "The same table's speedup over PyTorch's fp16 GEMM (0.60-0.66 from batch 1024) puts cuBLAS at about 0.74 of the peak on that A100, the H100 fit's dense_gemm_peak (0.75); batches up to 16 are memory-bound (constant time)."
         },
         "marlin_compute_peak": 0.4527,
         "_residuals": "vllm19049 (fit, 10 points): -4.9 ... +2.2 %; vllm40542 (check; compute curve through its 1024 and 4096 points): M=4 -6.7, 16 +0.1, 64 -4.9, 256 -9.9 %; its M=1 point (183.5 us, 104 MB moved at half the rate of its own M=4 point) -39.1 %"
        }
        """#
}
