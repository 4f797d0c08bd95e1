#!/usr/bin/env python3
"""Fit the simulator's block-FP8 dense-product constants for Hopper to published vLLM kernel times.

Reads Fixtures/calibration/Hopper.published-block-fp8-gemms.json. Model of one product of M rows, N outputs, K
inputs (docs/calibration.md "Block-FP8 dense products on Hopper"):

    t = c0 + tk * K / 128 + max(N K / (bandwidth * dense_weight_bandwidth), 2 M N K / (peak * curve(M) * e))

curve(M) = dense_gemm_peak * M / (M + dense_gemm_half_rows) is the H100 fit's dense curve. Step 1: c0 and tk by
least squares over the small-batch points (M <= 64), streaming at the H100 fit's dense weight bandwidth subtracted.
Step 2: e, the mean over the large-batch points of the FLOP rate the cutlass kernel reached once c0 + tk K/128 is
subtracted, over the dense curve's. Prints the constants (block_fp8_gemm_call_s = c0 + the quantisation kernel)
and every point's residual. Pure Python.
"""
import json
import sys

H100_BW = 3.35e12  # H100 SXM datasheet bandwidth, B/s
H100_FP8 = 989.4e12  # H100 SXM dense FP8 peak, FLOP/s
DENSE_WEIGHT_BANDWIDTH = 0.85  # H100 fit (Calibration.denseWeightBandwidth)
DENSE_GEMM_PEAK, DENSE_GEMM_HALF_ROWS = 0.75, 64.0  # H100 fit


def seconds(p):
    if "us" in p:
        return p["us"] * 1e-6
    return 2 * p["M"] * p["N"] * p["K"] / (p["tflops"] * 1e12)


def curve(m):
    return DENSE_GEMM_PEAK * m / (m + DENSE_GEMM_HALF_ROWS)


def main(path):
    doc = json.load(open(path))
    pts = [p for s in doc["_sources"] for p in s["points"]]
    small = [p for p in pts if p.get("use") != "efficiency"]
    xs, ys = [], []
    for p in small:
        stream = p["N"] * p["K"] / (H100_BW * DENSE_WEIGHT_BANDWIDTH)
        xs.append(p["K"] / 128)
        ys.append(seconds(p) - stream)
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    tk = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    c0 = my - tk * mx
    effs = []
    for p in pts:
        if p.get("use") != "efficiency":
            continue
        flops = 2 * p["M"] * p["N"] * p["K"]
        rate = flops / (seconds(p) - c0 - tk * p["K"] / 128)
        effs.append(rate / (H100_FP8 * curve(p["M"])))
    e = sum(effs) / len(effs)
    quant = doc["activation_quant_s"]
    print(f"c0 = {c0 * 1e6:.2f} us, tk = {tk * 1e9:.0f} ns per 128 columns of K, efficiency = {e:.3f}")
    print(f"block_fp8_gemm_call_s = {c0 + quant:.3g} (c0 + {quant * 1e6:.1f} us quantisation kernel)")
    print(f"{'M':>6} {'N':>6} {'K':>6} {'measured us':>12} {'model us':>9} {'error %':>8}")
    for p in pts:
        t = seconds(p)
        flops = 2 * p["M"] * p["N"] * p["K"]
        model = c0 + tk * p["K"] / 128 + max(
            p["N"] * p["K"] / (H100_BW * DENSE_WEIGHT_BANDWIDTH), flops / (H100_FP8 * curve(p["M"]) * e))
        print(f"{p['M']:>6} {p['N']:>6} {p['K']:>6} {t * 1e6:>12.1f} {model * 1e6:>9.1f} {100 * (model / t - 1):>8.1f}")
    want = {"block_fp8_gemm_call_s": c0 + quant, "block_fp8_gemm_k_block_s": tk, "block_fp8_gemm_efficiency": e}
    bad = [k for k, v in want.items() if abs(doc[k] / v - 1) > 0.05]
    if bad:
        print("fixture constants differ from the fit by more than 5 %:", ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "Fixtures/calibration/Hopper.published-block-fp8-gemms.json"))
