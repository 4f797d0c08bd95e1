"""GPU probe for fake-sllm's cost model (docs/calibration.md).

Measures on the local GPU what the step cost model's efficiency terms stand for, at the shapes of the simulator's
built-in models, and writes the raw measurements as JSON (fit.py turns them into a calibration file):

  hbm        streaming bandwidth: device copy, a read-only reduction, one-row products over large weights
  gemm       dense matrix products (attention projections, shared experts, dense FFNs, router, LM head) against
             the row count M = 1 … 8192
  moe        the fused MoE layer (kernels.py) over the touched experts against the token count, uniform routing
  attention  decode attention against batch and context (GQA through PyTorch's SDPA; DeepSeek MLA in its absorbed
             form), and causal prefill attention
  glue       the small per-layer kernels of a decode step (norms, rotary, KV write, top-k, expert grouping)
  step       held-out check: whole decoder steps (step.py) of Qwen3-30B-A3B and Qwen1.5-MoE-A2.7B

Every timing is a CUDA graph of the calls, replayed and timed with events (timing.py); weights are rotated over
enough copies that they stream from HBM rather than the L2 cache. `--quick` runs tiny shapes (CPU smoke test).

    python3 tools/gpu-probe/probe.py --out probe-h200.json [--sections hbm,gemm,moe,attention,glue,step]
"""

import argparse
import datetime
import json
import math
import os
import platform
import sys
import time
import traceback

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernels  # noqa: E402
import shapes  # noqa: E402
from timing import sync, time_calls  # noqa: E402

ROTATE_BYTES = 512 << 20  # weights rotated over at least this many bytes (several times a 50–60 MB L2)
MS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]


def log(*a):
    print(*a, flush=True)


class Probe:
    def __init__(self, quick: bool):
        self.quick = quick
        self.dev = "cuda" if torch.cuda.is_available() else "cpu"
        self.dt = torch.bfloat16 if self.dev == "cuda" else torch.float32
        self.models = {k: (shapes.tiny(v) if quick else v) for k, v in shapes.MODELS.items()}
        self.ms = [1, 4, 16, 64] if quick else MS
        self.moe_cfg = {}  # (model, tokens) -> best tile configuration
        self.result = {"sections": {}}
        self.sms = torch.cuda.get_device_properties(0).multi_processor_count if self.dev == "cuda" else 8

    def copies(self, nbytes):
        return 1 if self.quick else max(1, min(32, math.ceil(ROTATE_BYTES / max(nbytes, 1))))

    def rand(self, *size, scale=1.0):
        return (torch.randn(*size, device=self.dev, dtype=torch.float32) * scale).to(self.dt)

    # ------------------------------------------------------------------------------------------------------------
    def hbm(self):
        n = (1 << 20) if self.quick else (2 << 30)  # elements of 2 bytes: 4 GiB
        x = self.rand(n)
        y = torch.empty_like(x)
        out = []
        t = time_calls([lambda: y.copy_(x)], min_calls=4)
        out.append({"kind": "copy", "bytes": 2 * 2 * n, "seconds": t})
        acc = torch.empty((), device=self.dev, dtype=torch.float32)
        t = time_calls([lambda: torch.sum(x, dim=0, dtype=torch.float32, out=acc)], min_calls=4)
        out.append({"kind": "read_sum", "bytes": 2 * n, "seconds": t})
        del x, y
        # One-row products over large weight matrices: the weight-streaming rate of a decode step.
        for (N, K) in ([(64, 64)] if self.quick else [(8192, 8192), (16384, 8192), (28672, 4096)]):
            c = self.copies(N * K * 2)
            ws = [self.rand(N, K) for _ in range(c)]
            a = self.rand(1, K)
            t = time_calls([(lambda w=w: F.linear(a, w)) for w in ws], min_calls=8)
            out.append({"kind": "gemv", "N": N, "K": K, "bytes": N * K * 2, "seconds": t})
            del ws
        return out

    # ------------------------------------------------------------------------------------------------------------
    def gemm(self):
        seen = {}
        for name, s in self.models.items():
            for (group, op, N, K) in s.dense_gemms():
                seen.setdefault((N, K), []).append({"model": name, "group": group, "op": op})
        out = []
        for (N, K), users in seen.items():
            c = self.copies(N * K * 2)
            ws = [self.rand(N, K, scale=K ** -0.5) for _ in range(c)]
            lm = any(u["group"] == "lm_head" for u in users)
            for M in self.ms:
                if lm and M > 1024:
                    continue
                a = self.rand(M, K)
                o = torch.empty(M, N, device=self.dev, dtype=self.dt)
                t = time_calls([(lambda w=w: torch.matmul(a, w.t(), out=o)) for w in ws], min_calls=8)
                out.append({"N": N, "K": K, "M": M, "seconds": t, "users": users})
            del ws
            log(f"  gemm N={N} K={K}: M=1 {out[-len(self.ms) if not lm else -1]['seconds']*1e6:.1f} us")
        return out

    # ------------------------------------------------------------------------------------------------------------
    def moe(self):
        out = []
        for name, s in self.models.items():
            w13 = self.rand(s.experts, 2 * s.expert_ff, s.hidden, scale=s.hidden ** -0.5)
            w2 = self.rand(s.experts, s.hidden, s.expert_ff, scale=s.expert_ff ** -0.5)
            for T in self.ms:
                x = self.rand(T, s.hidden)
                logits = torch.randn(T, s.experts, device=self.dev)
                wts, ids = torch.topk(logits.softmax(-1), s.top_k, dim=-1)
                ids = ids.to(torch.int32)
                best = None
                cands = kernels.moe_configs(T, s.top_k, s.experts)
                if self.quick:
                    cands = [(16, 32, 32, 4, 2)]
                for cfg in cands:
                    try:
                        moe = kernels.FusedMoE(T, s.top_k, s.experts, s.hidden, s.expert_ff, self.dev, cfg,
                                               dtype=self.dt)
                        touched = torch.zeros(1, dtype=torch.int32, device=self.dev)
                        t = time_calls([lambda: moe(x, w13, w2, ids, wts, touched_out=touched)], min_calls=4)
                    except Exception as e:  # a tile that does not fit this GPU's shared memory
                        log(f"  moe {name} T={T} cfg={cfg}: {type(e).__name__}: {str(e)[:120]}")
                        continue
                    if best is None or t < best[0]:
                        best = (t, cfg, int(touched))
                if best is None:
                    continue
                self.moe_cfg[(name, T)] = best[1]
                out.append({"model": name, "tokens": T, "top_k": s.top_k, "experts": s.experts, "hidden": s.hidden,
                            "ff": s.expert_ff, "touched": best[2], "seconds": best[0], "config": list(best[1])})
            log(f"  moe {name}: T=1 {out[-len(self.ms)]['seconds']*1e6:.1f} us, "
                f"T={self.ms[-1]} {out[-1]['seconds']*1e6:.1f} us")
            del w13, w2
        return out

    # ------------------------------------------------------------------------------------------------------------
    def attention(self):
        out = []
        batches = [1, 4] if self.quick else [1, 4, 16, 64, 256]
        contexts = [16, 64] if self.quick else [128, 512, 2048, 8192]
        for name, s in self.models.items():
            if s.mla or (name.endswith("8x22B-v0.1")):
                continue
            G = s.heads // s.kv_heads
            for B in batches:
                for C in contexts:
                    kv_bytes = B * C * s.kv_bytes_per_token_layer()
                    if kv_bytes > (4 << 30):
                        continue
                    c = self.copies(kv_bytes)
                    ks = [self.rand(B, s.kv_heads, C, s.head_dim) for _ in range(c)]
                    vs = [self.rand(B, s.kv_heads, C, s.head_dim) for _ in range(c)]
                    q = self.rand(B, s.kv_heads, G, s.head_dim)
                    t_sdpa = time_calls([(lambda k=k, v=v: F.scaled_dot_product_attention(q, k, v))
                                         for k, v in zip(ks, vs)], min_calls=8)
                    att = kernels.DecodeAttention(B, s.heads, s.kv_heads, s.head_dim, C, self.dev, sms=self.sms)
                    q2 = q.reshape(B, s.heads * s.head_dim)
                    o2 = torch.empty_like(q2)
                    t = time_calls([(lambda k=k, v=v: att(q2, k, v, o2)) for k, v in zip(ks, vs)], min_calls=8)
                    out.append({"kind": "decode_gqa", "model": name, "batch": B, "context": C, "heads": s.heads,
                                "kv_heads": s.kv_heads, "head_dim": s.head_dim, "kv_bytes": kv_bytes,
                                "flops": 4 * B * C * s.heads * s.head_dim, "seconds": t, "splits": att.splits,
                                "sdpa_seconds": t_sdpa})
                    del ks, vs
        # DeepSeek MLA, absorbed decode: 16 heads over a shared latent of kv_lora + rope per token.
        s = self.models["deepseek-ai/DeepSeek-V2-Lite"]
        lat = s.kv_lora + s.rope_dim
        for B in batches:
            for C in contexts:
                kv_bytes = B * C * lat * 2
                if kv_bytes > (4 << 30):
                    continue
                c = self.copies(kv_bytes)
                caches = [self.rand(B, 1, C, lat) for _ in range(c)]
                q = self.rand(B, 1, s.heads, lat)

                def mla(cache):
                    return F.scaled_dot_product_attention(q, cache, cache[..., : s.kv_lora], scale=lat ** -0.5)

                try:
                    t = time_calls([(lambda cc=cc: mla(cc)) for cc in caches], min_calls=8)
                    path = "sdpa"
                except Exception:
                    def mla_mm(cache):
                        p = torch.softmax((q @ cache.transpose(-1, -2)).float(), -1).to(self.dt)
                        return p @ cache[..., : s.kv_lora]
                    t = time_calls([(lambda cc=cc: mla_mm(cc)) for cc in caches], min_calls=8)
                    path = "matmul"
                out.append({"kind": "decode_mla", "model": s.name, "batch": B, "context": C, "heads": s.heads,
                            "latent": lat, "kv_bytes": kv_bytes, "path": path,
                            "flops": 2 * B * C * s.heads * (lat + s.kv_lora), "seconds": t})
                del caches
        # Causal prefill attention (Qwen3-30B-A3B's heads).
        s = self.models["Qwen/Qwen3-30B-A3B"]
        for L in ([32] if self.quick else [512, 2048, 8192]):
            q = self.rand(1, s.heads, L, s.head_dim)
            k = self.rand(1, s.heads, L, s.head_dim)
            v = self.rand(1, s.heads, L, s.head_dim)
            t = time_calls([lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True)], min_calls=4)
            out.append({"kind": "prefill", "model": s.name, "tokens": L, "heads": s.heads, "head_dim": s.head_dim,
                        "flops": 4 * s.heads * s.head_dim * L * (L + 1) / 2, "seconds": t})
        return out

    # ------------------------------------------------------------------------------------------------------------
    def glue(self):
        """The per-layer kernels outside the matrix products, attention and experts, for a decode step."""
        out = []
        for name in ["Qwen/Qwen3-30B-A3B", "Qwen/Qwen1.5-MoE-A2.7B"]:
            s = self.models[name]
            for B in ([1, 4] if self.quick else [1, 16, 64, 256]):
                d, dh = s.hidden, s.head_dim
                layers = 8
                res = self.rand(B, d)
                h = self.rand(B, d)
                x = self.rand(B, d)
                w = torch.ones(d, device=self.dev, dtype=self.dt)
                qkv = self.rand(B, (s.heads + 2 * s.kv_heads) * dh)
                cos = torch.rand(B, dh // 2, device=self.dev)
                sin = torch.rand(B, dh // 2, device=self.dev)
                hn = torch.ones(dh, device=self.dev, dtype=self.dt) if s.qk_norm else None
                kc = self.rand(B, s.kv_heads, 64, dh)
                logits = self.rand(B, s.experts)
                grp = kernels.ExpertGrouping(B * s.top_k, s.experts, 16, self.dev)
                touched = torch.zeros(1, dtype=torch.int32, device=self.dev)

                def layer():
                    kernels.add_rmsnorm(x, res, w, h)
                    kernels.rotary(qkv, cos, sin, s.heads, dh, hn)
                    kernels.rotary(qkv[:, s.heads * dh:], cos, sin, s.kv_heads, dh, hn)
                    kc[:, :, 63, :].copy_(qkv[:, s.heads * dh:(s.heads + s.kv_heads) * dh].view(B, s.kv_heads, dh))
                    kc[:, :, 62, :].copy_(qkv[:, (s.heads + s.kv_heads) * dh:].view(B, s.kv_heads, dh))
                    kernels.add_rmsnorm(x, res, w, h)
                    p = torch.softmax(logits.float(), -1)
                    wt, ids = torch.topk(p, s.top_k, -1)
                    if s.norm_topk:
                        wt = wt / wt.sum(-1, keepdim=True)
                    grp.run(ids.to(torch.int32), touched)

                t = time_calls([layer] * layers, min_calls=layers)
                out.append({"model": name, "batch": B, "seconds_per_layer": t})
        return out

    # ------------------------------------------------------------------------------------------------------------
    def step(self):
        import step as stepmod

        out = []
        batches = [1, 2, 4] if self.quick else [1, 2, 4, 8, 16, 32, 64, 128, 256]
        contexts = [16, 48] if self.quick else [512, 2048]
        for name in ["Qwen/Qwen3-30B-A3B", "Qwen/Qwen1.5-MoE-A2.7B"]:
            s = self.models[name]
            t0 = time.time()
            try:
                model = stepmod.DecoderModel(s, max(batches), max(contexts), self.dev, dtype=self.dt)
            except torch.cuda.OutOfMemoryError:
                # The whole model with its KV cache for batch 256 × 2048 tokens needs about 113 GB (Qwen3-30B-A3B).
                log(f"  step {name}: does not fit this GPU's memory; skipped")
                if self.dev == "cuda":
                    torch.cuda.empty_cache()
                continue
            sync()
            log(f"  step {name}: weights {model.weight_bytes()/1e9:.1f} GB ready in {time.time()-t0:.1f} s")
            for C in contexts:
                for B in batches:
                    cfg = self.moe_cfg.get((name, B)) or kernels.moe_configs(B, s.top_k, s.experts)[0]
                    if self.quick:
                        cfg = (16, 32, 32, 4, 2)
                    st = stepmod.DecodeStep(model, B, C, cfg)
                    t = time_calls([st], min_calls=1, reps=9)
                    touched = st.touched.float().mean().item()
                    out.append({"model": name, "batch": B, "context": C, "seconds": t,
                                "touched_per_layer": touched, "moe_config": list(cfg)})
                    log(f"  step {name} B={B} C={C}: {t*1e3:.3f} ms, touched {touched:.1f}")
                    del st
            del model
            if self.dev == "cuda":
                torch.cuda.empty_cache()
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="raw measurements (JSON) are written here")
    ap.add_argument("--sections", default="hbm,gemm,moe,attention,glue,step")
    ap.add_argument("--quick", action="store_true", help="tiny shapes (CPU smoke test)")
    args = ap.parse_args()
    p = Probe(args.quick)
    info = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": "python3 tools/gpu-probe/probe.py " + " ".join(sys.argv[1:]),
            "torch": torch.__version__, "python": platform.python_version(), "quick": args.quick}
    try:
        import triton
        info["triton"] = triton.__version__
    except ImportError:
        pass
    if p.dev == "cuda":
        props = torch.cuda.get_device_properties(0)
        info.update({"gpu": props.name, "sm_count": props.multi_processor_count,
                     "memory_bytes": props.total_memory, "cuda": torch.version.cuda})
    p.result["info"] = info
    log(json.dumps(info))
    for sec in args.sections.split(","):
        t0 = time.time()
        log(f"[{sec}]")
        try:
            p.result["sections"][sec] = getattr(p, sec)()
        except Exception:
            traceback.print_exc()
            p.result.setdefault("errors", {})[sec] = traceback.format_exc()[-2000:]
        p.result.setdefault("section_seconds", {})[sec] = round(time.time() - t0, 1)
        if p.dev == "cuda":
            torch.cuda.empty_cache()
        with open(args.out, "w") as f:
            json.dump(p.result, f, indent=1)
        log(f"[{sec}] {time.time()-t0:.1f} s")


if __name__ == "__main__":
    main()
