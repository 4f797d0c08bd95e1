#!/usr/bin/env python3
"""Fit the A100 fused-MoE constants of the simulator's cost model to published vLLM kernel timings.

Reads Fixtures/calibration/NVIDIA-A100.published-moe-kernels.json (the published points and their sources), fits

    t(M) = moe_layer_overhead_s + max(FLOPs / (peak * moe_gemm_peak * r / (r + moe_gemm_half_rows)),
                                      expert bytes / (bandwidth * expert_weight_bandwidth))

(r = M * top_k / touched experts; touched = E * (1 - (1 - k/E)^M), uniform random routing as benchmark_moe.py
draws it) and prints the constants and each point's residual (docs/calibration.md "A100 fused-MoE kernels").
Step 1: intercept and streaming fraction by least squares on relative error over the memory-bound points
(default-config points divided by the simulator's Ampere default/tuned ratio). Step 2: the compute curve through
the two largest tuned points, given the intercept. Pure Python, no NumPy.
"""
import json
import sys

BF16_PEAK = 312e12  # A100 dense bf16 (every A100 variant)


def touched(E, k, M):
    return E * (1 - (1 - k / E) ** M)


def ampere_default_ratio(M, E):
    """FusedMoEKernelConfig.ampere for 16-bit experts: 1 token 1.00, up to E tokens 1.03 (larger M not used)."""
    return 1.0 if M <= 1 else 1.03


def main(path):
    doc = json.load(open(path))
    mem_pts = []  # (bytes/bandwidth seconds, tuned-equivalent seconds)
    for src in doc["_sources"]:
        s = src["shape"]
        for M, us in src["points_us"]:
            t = us * 1e-6
            if src["config"] == "default":
                t /= ampere_default_ratio(M, s["E"])
            if M in src.get("memory_fit_batches", []):
                b = touched(s["E"], s["top_k"], M) * 3 * s["hidden"] * s["N"] * 2
                mem_pts.append((b / (src["bandwidth_GBps"] * 1e9), t))
    # weighted least squares of t = c + x / e on relative error: minimise sum ((c + x*q - t)/t)^2, q = 1/e
    S = [[0.0, 0.0], [0.0, 0.0]]
    v = [0.0, 0.0]
    for x, t in mem_pts:
        w = 1 / t**2
        S[0][0] += w; S[0][1] += w * x; S[1][1] += w * x * x
        v[0] += w * t; v[1] += w * x * t
    S[1][0] = S[0][1]
    det = S[0][0] * S[1][1] - S[0][1] ** 2
    c = (v[0] * S[1][1] - v[1] * S[0][1]) / det
    q = (S[0][0] * v[1] - S[1][0] * v[0]) / det
    e = 1 / q
    # compute curve through the two largest tuned points: eff(r) = p * r / (r + h)
    cp = []
    for src in doc["_sources"]:
        s = src["shape"]
        for M, us in src["points_us"]:
            if M in src.get("compute_fit_batches", []):
                flops = 2 * M * s["top_k"] * 3 * s["hidden"] * s["N"]
                r = M * s["top_k"] / touched(s["E"], s["top_k"], M)
                eff = flops / ((us * 1e-6 - c) * BF16_PEAK)
                cp.append((r, eff))
    (r1, e1), (r2, e2) = sorted(cp)[:2]
    # e1 (r1 + h) / r1 = e2 (r2 + h) / r2  ->  h = (e2 - e1) / (e1 / r1 - e2 / r2)
    h = (e2 - e1) / (e1 / r1 - e2 / r2)
    p = e1 * (r1 + h) / r1
    consts = {"expert_weight_bandwidth": round(e, 4), "expert_half_bytes": 0.0,
              "moe_gemm_peak": round(p, 4), "moe_gemm_half_rows": round(h, 1),
              "moe_layer_overhead_s": round(c, 8)}
    print(json.dumps(consts, indent=1))
    for src in doc["_sources"]:
        s = src["shape"]
        for M, us in src["points_us"]:
            T = touched(s["E"], s["top_k"], M)
            r = M * s["top_k"] / T
            flops = 2 * M * s["top_k"] * 3 * s["hidden"] * s["N"]
            byts = T * 3 * s["hidden"] * s["N"] * 2
            eff = consts["moe_gemm_peak"] * r / (r + consts["moe_gemm_half_rows"])
            pred = consts["moe_layer_overhead_s"] + max(flops / (BF16_PEAK * eff),
                                                         byts / (src["bandwidth_GBps"] * 1e9 * e))
            if src["config"] == "default":
                pred *= ampere_default_ratio(M, s["E"]) if M <= s["E"] else 1.0
            print(f'{src["id"]:10s} M={M:5d} measured {us:8.1f} us  model {pred*1e6:8.1f} us  '
                  f'{(pred*1e6/us-1)*100:+6.1f} %')


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Fixtures/calibration/NVIDIA-A100.published-moe-kernels.json")
