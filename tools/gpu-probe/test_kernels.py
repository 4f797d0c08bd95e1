"""Checks of the probe's kernels against plain PyTorch. On a machine without a GPU run it as
`TRITON_INTERPRET=1 python3 tools/gpu-probe/test_kernels.py` (Triton's interpreter, small shapes)."""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import kernels  # noqa: E402

DEV = "cuda" if torch.cuda.is_available() else "cpu"
# Triton's CPU interpreter computes bf16 dot products wrongly; it checks the kernels in float32.
DT = torch.float32 if os.environ.get("TRITON_INTERPRET") == "1" else torch.bfloat16


def rel(a, b):
    return float((a.float() - b.float()).norm() / b.float().norm().clamp_min(1e-30))


def check_moe(T, E, k, d, ff, cfg):
    g = torch.Generator(device="cpu").manual_seed(T * 131 + E)
    x = torch.randn(T, d, generator=g).to(DEV, DT)
    w13 = (torch.randn(E, 2 * ff, d, generator=g) / d**0.5).to(DEV, DT)
    w2 = (torch.randn(E, d, ff, generator=g) / ff**0.5).to(DEV, DT)
    logits = torch.randn(T, E, generator=g).to(DEV)
    wts, ids = torch.topk(logits.softmax(-1), k, dim=-1)
    ids = ids.to(torch.int32)
    moe = kernels.FusedMoE(T, k, E, d, ff, DEV, cfg, dtype=DT)
    moe.h2.fill_(float("nan"))
    touched = torch.zeros(1, dtype=torch.int32, device=DEV)
    moe(x, w13, w2, ids.flip(-1).contiguous(), wts.flip(-1).float().contiguous())  # state must not leak
    moe.h2.fill_(float("nan"))
    out = moe(x, w13, w2, ids, wts.float(), touched_out=touched)
    ref = kernels.moe_reference(x, w13, w2, ids, wts)
    err = rel(out, ref)
    assert err < 2e-2, f"fused MoE T={T} E={E} k={k}: relative error {err}"
    assert int(touched) == len(set(ids.flatten().tolist())), "touched experts"
    assert int(moe.g13.total) % cfg[0] == 0
    return err


def check_glue():
    rows, d = 5, 48
    x = torch.randn(rows, d, device=DEV, dtype=torch.bfloat16)
    res = torch.randn(rows, d, device=DEV, dtype=torch.bfloat16)
    w = torch.randn(d, device=DEV, dtype=torch.bfloat16)
    out = torch.empty_like(x)
    r0 = res.float() + x.float()
    kernels.add_rmsnorm(x, res, w, out)
    ref = r0 * torch.rsqrt(r0.pow(2).mean(-1, keepdim=True) + 1e-6) * w.float()
    assert rel(out, ref) < 1e-2
    heads, hd = 3, 16
    q = torch.randn(rows, heads * hd + 7, device=DEV, dtype=torch.bfloat16)
    view = q[:, : heads * hd]
    ang = torch.randn(rows, hd // 2, device=DEV)
    cos, sin = ang.cos().contiguous(), ang.sin().contiguous()
    before = view.float().reshape(rows, heads, hd).clone()
    kernels.rotary(view, cos, sin, heads, hd)
    x1, x2 = before[..., : hd // 2], before[..., hd // 2:]
    c, s = cos[:, None, :], sin[:, None, :]
    ref = torch.cat([x1 * c - x2 * s, x2 * c + x1 * s], -1)
    assert rel(view.float().reshape(rows, heads, hd), ref) < 1e-2
    a = torch.randn(4, 2 * 40, device=DEV, dtype=torch.bfloat16)
    o = torch.empty(4, 40, device=DEV, dtype=torch.bfloat16)
    kernels.silu_mul(a, o)
    assert rel(o, F.silu(a[:, :40].float()) * a[:, 40:].float()) < 1e-2


def check_decode_attention(B, H, KVH, D, C, Cmax):
    q = torch.randn(B, H * D + 5, device=DEV, dtype=DT)[:, : H * D]
    k = torch.randn(B, KVH, Cmax, D, device=DEV, dtype=DT)
    v = torch.randn(B, KVH, Cmax, D, device=DEV, dtype=DT)
    att = kernels.DecodeAttention(B, H, KVH, D, C, DEV, sms=8, block_n=16)
    out = torch.full((B, H * D), float("nan"), device=DEV, dtype=DT)
    att(q, k, v, out)
    qh = q.float().reshape(B, KVH, H // KVH, D)
    ref = F.scaled_dot_product_attention(qh, k[:, :, :C].float(), v[:, :, :C].float()).reshape(B, H * D)
    err = rel(out, ref)
    assert err < 2e-2, f"decode attention B={B} H={H} KVH={KVH} C={C}: {err} (splits {att.splits})"
    return err, att.splits


if __name__ == "__main__":
    for args in [(1, 8, 2, 16, 37, 64), (3, 4, 4, 16, 100, 128), (2, 16, 1, 32, 16, 16)]:
        print("decode attention", args, check_decode_attention(*args))
    check_glue()
    for (T, E, k, d, ff) in [(1, 8, 2, 64, 32), (3, 16, 4, 64, 48), (37, 8, 2, 32, 64), (64, 60, 4, 64, 32)]:
        for cfg in [(16, 32, 32, 4, 2), (32, 64, 32, 4, 2)]:
            print(f"moe T={T} E={E} k={k} cfg={cfg}: rel err {check_moe(T, E, k, d, ff, cfg):.2e}")
    print("kernels: ok")
