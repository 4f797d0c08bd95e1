"""Fits the step cost model's constants (Sources/MoECore/CostModel/Calibration.swift) to the probe's raw output.

    python3 tools/gpu-probe/fit.py --gpu NVIDIA-H200-140GB raw1.json [raw2.json …] [--allreduce ar.json] \
        --out Fixtures/calibration/NVIDIA-H200-140GB.json --step-check-out Fixtures/calibration/…step-check.json

Each operator class is fitted on its own, with the cost model's own form plus a fixed time per launch (the
intercept): t = c + max(FLOPs / (peak · e_compute), bytes / (bandwidth · e_memory)), least squares on log time.

  dense products   dense_weight_bandwidth, dense_gemm_peak, dense_gemm_half_rows (attention projections, shared
                   experts, dense FFNs, LM head; the router's small matrices stay in L2 and are left out)
  fused MoE        expert_weight_bandwidth, expert_half_bytes, moe_gemm_peak, moe_gemm_half_rows
  decode attention kv_bandwidth (GQA, split-context kernel; decode attention is memory-bound at every measured
                   shape, so attention_decode_efficiency cannot be identified and keeps its default)
  prefill          attention_prefill_efficiency
  all-reduce       interconnect_efficiency, all_reduce_latency_s (two GPUs, CUDA graph)
  per layer        layer_overhead_graph_s = the small kernels of a layer (norms, rotary, KV write, top-k, grouping)
                   + the intercepts of the layer's launches (QKV, O, router, attention, MoE)

Datasheet peaks are the simulator's (HardwareCatalog.swift): dense bf16 FLOP/s and HBM bytes/s per GPU.
Fields the probe does not measure are left out: they keep the simulator's fitted defaults.
"""

import argparse
import json
import math
import statistics

import numpy as np
from scipy.optimize import least_squares

DATASHEET = {  # dense bf16 FLOP/s, HBM B/s, interconnect B/s per direction
    "NVIDIA-H200-140GB": (989.5e12, 4.8e12, 450e9),
    "NVIDIA-H200-141GB": (989.5e12, 4.8e12, 450e9),
    "NVIDIA-H100-HBM3-80GB": (989.5e12, 3.35e12, 450e9),
    "NVIDIA-A100-SXM4-80GB": (312e12, 2.039e12, 300e9),
    "NVIDIA-B200-183GB": (2250e12, 8.0e12, 900e9),
}
ACTIVATION_BANDWIDTH = 0.6  # the simulator's default; the probe does not fit it


def fit_log(fun, x0, lo, hi, data_t):
    """Least squares on log(model / measured) over bounded parameters."""
    t = np.asarray(data_t)

    def resid(p):
        return np.log(np.maximum(fun(p), 1e-12)) - np.log(t)

    r = least_squares(resid, x0, bounds=(lo, hi), x_scale=np.maximum(np.abs(np.asarray(x0, float)), 1e-9))
    e = np.exp(resid(r.x)) - 1
    return r.x, {"median_abs_error": float(np.median(np.abs(e))), "worst_abs_error": float(np.max(np.abs(e))),
                 "points": int(len(t))}


def fit_dense(rows, P, BW):
    rows = [r for r in rows if not any(u["group"] == "router" for u in r["users"])]
    M = np.array([r["M"] for r in rows], float)
    N = np.array([r["N"] for r in rows], float)
    K = np.array([r["K"] for r in rows], float)
    t = [r["seconds"] for r in rows]

    def model(p):
        c, wb, peak, half = p
        comp = 2 * M * N * K / (P * peak * M / (M + half))
        mem = N * K * 2 / (BW * wb) + M * (N + K) * 2 / (BW * ACTIVATION_BANDWIDTH)
        return c + np.maximum(comp, mem)

    p, q = fit_log(model, [3e-6, 0.85, 0.75, 64], [0, 0.05, 0.05, 1], [50e-6, 1, 1, 4096], t)
    return {"intercept_s": p[0], "dense_weight_bandwidth": p[1], "dense_gemm_peak": p[2],
            "dense_gemm_half_rows": p[3]}, q


def fit_moe(rows, P, BW):
    T = np.array([r["tokens"] for r in rows], float)
    k = np.array([r["top_k"] for r in rows], float)
    d = np.array([r["hidden"] for r in rows], float)
    ff = np.array([r["ff"] for r in rows], float)
    touched = np.array([r["touched"] for r in rows], float)
    t = [r["seconds"] for r in rows]
    params = 3 * d * ff
    S = params * 2
    act = (d + k * (d + 3 * ff + d) + d) * 2

    def model(p):
        c, ewb, half, peak, halfrows = p
        sf = S / (S + half)
        rows_per = T * k / touched
        comp = 2 * T * k * params / (P * peak * rows_per / (rows_per + halfrows) * sf)
        mem = touched * S / (BW * ewb * sf) + T * act / (BW * ACTIVATION_BANDWIDTH)
        return c + np.maximum(comp, mem)

    p, q = fit_log(model, [10e-6, 0.85, 1.5e6, 0.34, 28], [0, 0.05, 0, 0.02, 1], [200e-6, 1, 1e9, 1, 4096], t)
    return {"intercept_s": p[0], "expert_weight_bandwidth": p[1], "expert_half_bytes": p[2], "moe_gemm_peak": p[3],
            "moe_gemm_half_rows": p[4]}, q


def fit_decode_attention(rows, P, BW):
    rows = [r for r in rows if r["kind"] == "decode_gqa"]
    kv = np.array([r["kv_bytes"] for r in rows], float)
    fl = np.array([r["flops"] for r in rows], float)
    t = [r["seconds"] for r in rows]

    def model(p):
        c, kvb, eff = p
        return c + np.maximum(fl / (P * eff), kv / (BW * kvb))

    p, q = fit_log(model, [5e-6, 0.8, 0.25], [0, 0.05, 0.01], [100e-6, 1, 1], t)
    return {"intercept_s": p[0], "kv_bandwidth": p[1]}, q


def fit_prefill(rows, P):
    rows = [r for r in rows if r["kind"] == "prefill"]
    fl = np.array([r["flops"] for r in rows], float)
    t = [r["seconds"] for r in rows]

    def model(p):
        c, eff = p
        return c + fl / (P * eff)

    p, q = fit_log(model, [5e-6, 0.45], [0, 0.05], [100e-6, 1], t)
    return {"intercept_s": p[0], "attention_prefill_efficiency": p[1]}, q


def fit_allreduce(rows, link, world):
    rows = [r for r in rows if r["bytes"] <= (64 << 20)]
    b = np.array([r["bytes"] for r in rows], float)
    t = [r.get("graph_seconds", r["eager_seconds"]) for r in rows]

    def model(p):
        lat, eff = p
        return lat + 2 * (world - 1) / world * b / (link * eff)

    p, q = fit_log(model, [9e-6, 0.7], [0, 0.01], [200e-6, 1], t)
    return {"all_reduce_latency_s": p[0], "interconnect_efficiency": p[1]}, q


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", nargs="+", help="probe.py outputs (later files replace earlier sections)")
    ap.add_argument("--gpu", required=True, help="the simulator's GPU key, e.g. NVIDIA-H200-140GB")
    ap.add_argument("--allreduce", help="allreduce.py output")
    ap.add_argument("--out", required=True)
    ap.add_argument("--step-check-out")
    ap.add_argument("--step-extra", action="append", default=[],
                    help="more held-out steps to add to the step check (step_tp.py outputs)")
    args = ap.parse_args()
    P, BW, LINK = DATASHEET[args.gpu]
    sections, infos = {}, []
    for path in args.raw:
        raw = json.load(open(path))
        infos.append(raw["info"])
        sections.update(raw["sections"])
    cal, report = {}, {}

    dense, report["dense"] = fit_dense(sections["gemm"], P, BW)
    moe, report["moe"] = fit_moe(sections["moe"], P, BW)
    att, report["decode_attention"] = fit_decode_attention(sections["attention"], P, BW)
    pre, report["prefill_attention"] = fit_prefill(sections["attention"], P)
    for part in (dense, moe, att, pre):
        cal.update({k: v for k, v in part.items() if k != "intercept_s"})
    glue = statistics.mean(r["seconds_per_layer"] for r in sections["glue"] if r["batch"] == 1)
    layer = glue + 3 * dense["intercept_s"] + att["intercept_s"] + moe["intercept_s"]
    cal["layer_overhead_graph_s"] = layer
    report["layer_overhead"] = {"glue_s": glue, "dense_intercept_s": float(dense["intercept_s"]),
                                "attention_intercept_s": float(att["intercept_s"]),
                                "moe_intercept_s": float(moe["intercept_s"])}
    ar_info = None
    if args.allreduce:
        ar = json.load(open(args.allreduce))
        ar_info = ar["info"]
        fitted, report["allreduce"] = fit_allreduce(ar["allreduce"], LINK, ar["info"]["world"])
        cal.update(fitted)

    order = ["dense_weight_bandwidth", "expert_weight_bandwidth", "expert_half_bytes", "kv_bandwidth",
             "dense_gemm_peak", "dense_gemm_half_rows", "moe_gemm_peak", "moe_gemm_half_rows",
             "attention_prefill_efficiency", "interconnect_efficiency",
             "all_reduce_latency_s", "layer_overhead_graph_s"]
    out = {"_gpu": args.gpu, "_source": "measured",
           "_probe": {"date": infos[0]["date"], "gpu": infos[0].get("gpu"), "torch": infos[0].get("torch"),
                      "triton": infos[0].get("triton"), "commands": [i["command"] for i in infos]
                      + ([ar_info["command"]] if ar_info else [])}}
    for key in order:
        if key in cal:
            v = float(cal[key])
            if key == "expert_half_bytes" and v < 1:
                v = 0.0  # no size effect on this GPU: every expert streams at the large-expert rate
            out[key] = float(f"{v:.4g}")
    out["_fit"] = {k: {kk: (float(f"{vv:.4g}") if isinstance(vv, float) else vv) for kk, vv in v.items()}
                   for k, v in report.items()}
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(json.dumps(out, indent=1))
    if args.step_check_out and "step" in sections:
        steps = list(sections["step"])
        for path in args.step_extra:
            extra = json.load(open(path))
            out["_probe"]["commands"].append(extra["info"]["command"])
            steps += extra["sections"]["step"]
        rows = [{"model": r["model"], "tp": r.get("tp", 1), "batch": r["batch"], "context": r["context"],
                 "touched_per_layer": round(r["touched_per_layer"], 3), "measured_ms": round(r["seconds"] * 1e3, 4)}
                for r in steps]
        with open(args.step_check_out, "w") as f:
            json.dump({"_gpu": args.gpu, "_probe": out["_probe"], "_what": "whole decode steps (step.py), CUDA "
                       "graph, random weights, every sequence at the same context", "steps": rows}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
