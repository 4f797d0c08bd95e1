/// The calibrations the GPU probe measured (`tools/gpu-probe`), one per GPU, embedded so that the binary needs no
/// files at run time. Each text is the file `Fixtures/calibration/<gpu>.json` verbatim (a test keeps them equal);
/// refresh both with the probe's `fit.py` (docs/calibration.md).
enum MeasuredCalibrations {
    /// GPU keys and their probe output. The H200 SXM reports itself as `NVIDIA-H200-140GB`; MoE-CAP's tables also
    /// key it `NVIDIA-H200-141GB`: the same chip, so both use one measurement.
    static let all: [(keys: [String], file: String, json: String)] = [
        (["NVIDIA-H200-140GB", "NVIDIA-H200-141GB"], "Fixtures/calibration/NVIDIA-H200-140GB.json", h200)
    ]

    static let h200 = #"""
        {
         "_gpu": "NVIDIA-H200-140GB",
         "_source": "measured",
         "_probe": {
          "date": "2026-11-29T22:18:19+00:00",
          "gpu": "NVIDIA H200",
          "torch": "2.11.0+cu130",
          "triton": "3.6.0",
          "commands": [
           "python3 tools/gpu-probe/probe.py --out /root/out/probe-h200.json",
           "python3 tools/gpu-probe/allreduce.py --gpus 2 --out /root/out/allreduce-h200x2.json"
          ]
         },
         "dense_weight_bandwidth": 0.8715,
         "expert_weight_bandwidth": 0.8802,
         "expert_half_bytes": 0.0,
         "kv_bandwidth": 0.8364,
         "dense_gemm_peak": 0.7944,
         "dense_gemm_half_rows": 6.551,
         "moe_gemm_peak": 0.4619,
         "moe_gemm_half_rows": 79.1,
         "attention_prefill_efficiency": 0.565,
         "interconnect_efficiency": 0.5287,
         "all_reduce_latency_s": 1.407e-05,
         "layer_overhead_graph_s": 6.848e-05,
         "_fit": {
          "dense": {
           "median_abs_error": 0.06721,
           "worst_abs_error": 0.3508,
           "points": 321
          },
          "moe": {
           "median_abs_error": 0.03874,
           "worst_abs_error": 0.3015,
           "points": 84
          },
          "decode_attention": {
           "median_abs_error": 0.07043,
           "worst_abs_error": 0.3464,
           "points": 78
          },
          "prefill_attention": {
           "median_abs_error": 0.1288,
           "worst_abs_error": 0.1397,
           "points": 3
          },
          "layer_overhead": {
           "glue_s": 2.871e-05,
           "dense_intercept_s": 4.68e-06,
           "attention_intercept_s": 6.575e-06,
           "moe_intercept_s": 1.916e-05
          },
          "allreduce": {
           "median_abs_error": 0.07091,
           "worst_abs_error": 0.3213,
           "points": 17
          }
         }
        }
        """#
}
