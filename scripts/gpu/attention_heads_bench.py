# Prefill attention throughput by heads per rank (issue 17, docs/calibration.md "Prefill attention by heads per rank").
# PyTorch SDPA (flash backend), bf16, head dim 128 (64 for gpt-oss), batch 1. Causal: one prompt of L tokens.
# Chunk: an n-token query chunk against p earlier tokens plus itself (non-causal over the whole context: a bound).
import json, os, torch, torch.nn.functional as F
from triton.testing import do_bench
from torch.nn.attention import sdpa_kernel, SDPBackend
dev = "cuda"; out = []
def run(hq, hkv, d, L, p=0):
    n = L
    q = torch.randn(1, hq, n, d, device=dev, dtype=torch.bfloat16)
    k = torch.randn(1, hkv, p + n, d, device=dev, dtype=torch.bfloat16)
    v = torch.randn_like(k)
    k2, v2 = k.repeat_interleave(hq // hkv, 1), v.repeat_interleave(hq // hkv, 1)
    causal = p == 0
    with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
        f = lambda: F.scaled_dot_product_attention(q, k2, v2, is_causal=causal)
        o = f()
        ms = do_bench(f, warmup=50, rep=300, return_mode="median")
    m = None if not causal else torch.ones(64, p + n, device=dev, dtype=torch.bool).tril(p + n - 64)
    ref = F.scaled_dot_product_attention(q[:, :, -64:].float(), k2.float(), v2.float(), attn_mask=m)
    err = ((o[:, :, -64:].float() - ref).norm() / ref.norm()).item()
    pairs = n * p + (n * (n + 1) / 2 if causal else n * n)
    flops = 4 * pairs * d * hq
    r = dict(q_heads=hq, kv_heads=hkv, head_dim=d, query_tokens=n, prefix_tokens=p, causal=causal,
             ms=ms, tflops=flops / ms / 1e9, frac_989=flops / ms / 1e9 / 989, rel_err=err)
    out.append(r); print(json.dumps(r), flush=True)
for hq, hkv, d in [(64, 4, 128), (32, 4, 128), (16, 1, 128), (8, 1, 128), (4, 1, 128), (32, 8, 128), (16, 4, 128), (8, 1, 64)]:
    for L in [2048, 8192, 32768]:
        run(hq, hkv, d, L)
    for p in [8192, 24576]:
        run(hq, hkv, d, 8192, p)
json.dump(dict(gpu=torch.cuda.get_device_name(), torch=torch.__version__, rows=out),
          open(os.path.join(os.environ.get("OUT", "."), "attention_heads.json"), "w"), indent=1)
