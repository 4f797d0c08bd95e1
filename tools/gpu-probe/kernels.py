"""Triton kernels of the probe: a fused mixture-of-experts layer of the serving engine's class, and the small
per-layer kernels of a decoder step (fused residual-add + RMSNorm, rotary embedding, SiLU-and-multiply).

The fused MoE layer works as a serving engine's does: tokens are grouped by expert into blocks of BLOCK_M rows
(each expert's group padded to a multiple of BLOCK_M), then one grouped matrix-product launch reads each touched
expert's weights once per row block and gathers its tokens' rows; a second launch does the down projection and
multiplies by the routing weight; a sum over the top-k slots gives the layer output. Every launch has a grid fixed
by the token count, so the whole layer can be captured in a CUDA graph. Plain PyTorch references check each kernel.
"""

import torch
import torch.nn.functional as F
import triton
import triton.language as tl


def _next_pow2(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


# ----------------------------------------------------------------------------------------------------------------
# Grouping tokens by expert


@triton.jit
def _group_count_kernel(ids_ptr, counts_ptr, num_ids, CHUNK: tl.constexpr):
    # counts[e] += number of (token, slot) pairs routed to expert e.
    offs = tl.program_id(0) * CHUNK + tl.arange(0, CHUNK)
    mask = offs < num_ids
    ids = tl.load(ids_ptr + offs, mask=mask, other=0)
    tl.atomic_add(counts_ptr + ids, 1, mask=mask)


@triton.jit
def _group_offsets_kernel(counts_ptr, offsets_ptr, sorted_ptr, total_ptr, touched_ptr, num_ids, num_experts,
                          num_slots, BLOCK_M: tl.constexpr, CHUNK: tl.constexpr, BINS: tl.constexpr):
    # One program: each expert's first row (its group padded to a multiple of BLOCK_M), the padded total, the
    # touched experts, the sentinel (num_ids) in every slot of the sorted list; the counts are reset for the next
    # call.
    bins = tl.arange(0, BINS)
    in_range = bins < num_experts
    counts = tl.load(counts_ptr + bins, mask=in_range, other=0)
    tl.store(counts_ptr + bins, tl.zeros([BINS], dtype=tl.int32), mask=in_range)
    padded = (counts + BLOCK_M - 1) // BLOCK_M * BLOCK_M
    inclusive = tl.cumsum(padded, 0)
    tl.store(offsets_ptr + bins, inclusive - padded, mask=in_range)
    tl.store(total_ptr, tl.sum(padded, 0))
    tl.store(touched_ptr, tl.sum((counts > 0).to(tl.int32), 0))
    for start in range(0, num_slots, CHUNK):
        offs = start + tl.arange(0, CHUNK)
        tl.store(sorted_ptr + offs, tl.zeros([CHUNK], dtype=tl.int32) + num_ids, mask=offs < num_slots)


@triton.jit
def _group_scatter_kernel(ids_ptr, offsets_ptr, sorted_ptr, block_expert_ptr, num_ids, BLOCK_M: tl.constexpr,
                          CHUNK: tl.constexpr):
    # Each (token, slot) takes the next free row of its expert's group and names the expert of that row's block
    # (every block below the padded total holds at least one real row, so every such block gets its expert).
    offs = tl.program_id(0) * CHUNK + tl.arange(0, CHUNK)
    mask = offs < num_ids
    ids = tl.load(ids_ptr + offs, mask=mask, other=0)
    dest = tl.atomic_add(offsets_ptr + ids, 1, mask=mask)
    tl.store(sorted_ptr + dest, offs, mask=mask)
    tl.store(block_expert_ptr + dest // BLOCK_M, ids, mask=mask)


class ExpertGrouping:
    """Buffers of one grouping of `num_ids` (token, slot) pairs over `num_experts` experts in blocks of `block_m`."""

    def __init__(self, num_ids: int, num_experts: int, block_m: int, device):
        self.num_ids = num_ids
        self.num_experts = num_experts
        self.block_m = block_m
        self.max_blocks = triton.cdiv(num_ids, block_m) + min(num_experts, num_ids)
        self.counts = torch.zeros(num_experts, dtype=torch.int32, device=device)
        self.offsets = torch.empty(num_experts, dtype=torch.int32, device=device)
        self.sorted_ids = torch.empty(self.max_blocks * block_m, dtype=torch.int32, device=device)
        self.block_expert = torch.zeros(self.max_blocks, dtype=torch.int32, device=device)
        self.total = torch.empty(1, dtype=torch.int32, device=device)
        self.touched = torch.empty(1, dtype=torch.int32, device=device)

    def run(self, topk_ids: torch.Tensor, touched_out=None):
        ids = topk_ids.reshape(-1)
        grid = (triton.cdiv(self.num_ids, 1024),)
        _group_count_kernel[grid](ids, self.counts, self.num_ids, CHUNK=1024)
        _group_offsets_kernel[(1,)](
            self.counts, self.offsets, self.sorted_ids, self.total,
            self.touched if touched_out is None else touched_out, self.num_ids, self.num_experts,
            self.max_blocks * self.block_m, BLOCK_M=self.block_m, CHUNK=1024, BINS=_next_pow2(self.num_experts))
        _group_scatter_kernel[grid](ids, self.offsets, self.sorted_ids, self.block_expert, self.num_ids,
                                    BLOCK_M=self.block_m, CHUNK=1024)


# ----------------------------------------------------------------------------------------------------------------
# Grouped expert matrix product


@triton.jit
def _expert_gemm_kernel(a_ptr, w_ptr, out_ptr, weight_ptr, sorted_ptr, block_expert_ptr, total_ptr, N, K, num_ids,
                        a_row_div, stride_am, stride_we, stride_wn, stride_om, MUL_WEIGHT: tl.constexpr,
                        BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr):
    # out[r, :] = a[r // a_row_div, :] @ w[e].T for every (token, slot) row r routed to expert e; w is [E, N, K].
    pid = tl.program_id(0)
    n_tiles = tl.cdiv(N, BLOCK_N)
    pid_m = pid // n_tiles
    pid_n = pid % n_tiles
    if pid_m * BLOCK_M >= tl.load(total_ptr):
        return
    expert = tl.load(block_expert_ptr + pid_m).to(tl.int64)
    rows = tl.load(sorted_ptr + pid_m * BLOCK_M + tl.arange(0, BLOCK_M))
    valid = rows < num_ids
    a_rows = (rows // a_row_div).to(tl.int64)
    offs_n = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    offs_k = tl.arange(0, BLOCK_K)
    a_ptrs = a_ptr + a_rows[:, None] * stride_am + offs_k[None, :]
    w_ptrs = w_ptr + expert * stride_we + offs_n[None, :].to(tl.int64) * stride_wn + offs_k[:, None]
    acc = tl.zeros([BLOCK_M, BLOCK_N], dtype=tl.float32)
    for k0 in range(0, tl.cdiv(K, BLOCK_K)):
        k_ok = offs_k < K - k0 * BLOCK_K
        a = tl.load(a_ptrs, mask=valid[:, None] & k_ok[None, :], other=0.0)
        w = tl.load(w_ptrs, mask=k_ok[:, None] & (offs_n[None, :] < N), other=0.0)
        acc = tl.dot(a, w, acc)
        a_ptrs += BLOCK_K
        w_ptrs += BLOCK_K
    if MUL_WEIGHT:
        acc = acc * tl.load(weight_ptr + rows, mask=valid, other=0.0)[:, None]
    out_ptrs = out_ptr + rows[:, None].to(tl.int64) * stride_om + offs_n[None, :]
    tl.store(out_ptrs, acc.to(out_ptr.dtype.element_ty), mask=valid[:, None] & (offs_n[None, :] < N))


def expert_gemm(a, w, out, topk_weights, grouping: ExpertGrouping, a_row_div: int, mul_weight: bool, cfg):
    bm, bn, bk, warps, stages = cfg
    assert bm == grouping.block_m
    N, K = w.shape[1], w.shape[2]
    grid = (grouping.max_blocks * triton.cdiv(N, bn),)
    _expert_gemm_kernel[grid](
        a, w, out, topk_weights, grouping.sorted_ids, grouping.block_expert, grouping.total, N, K, grouping.num_ids,
        a_row_div, a.stride(0), w.stride(0), w.stride(1), out.stride(0), MUL_WEIGHT=mul_weight, BLOCK_M=bm,
        BLOCK_N=bn, BLOCK_K=bk, num_warps=warps, num_stages=stages)


@triton.jit
def _silu_mul_kernel(x_ptr, out_ptr, F_, BLOCK: tl.constexpr):
    # out[r, :] = silu(x[r, :F]) * x[r, F:2F]
    row = tl.program_id(0).to(tl.int64)
    for start in range(0, F_, BLOCK):
        offs = start + tl.arange(0, BLOCK)
        m = offs < F_
        g = tl.load(x_ptr + row * 2 * F_ + offs, mask=m, other=0.0).to(tl.float32)
        u = tl.load(x_ptr + row * 2 * F_ + F_ + offs, mask=m, other=0.0).to(tl.float32)
        tl.store(out_ptr + row * F_ + offs, (g / (1 + tl.exp(-g)) * u).to(out_ptr.dtype.element_ty), mask=m)


def silu_mul(x, out):
    f = out.shape[-1]
    _silu_mul_kernel[(x.shape[0],)](x, out, f, BLOCK=min(1024, _next_pow2(f)))


def moe_configs(tokens: int, top_k: int, experts: int):
    """Candidate tile configurations (BLOCK_M, BLOCK_N, BLOCK_K, warps, stages) for `tokens` tokens."""
    rows_per_expert = tokens * top_k / max(1, min(experts, tokens * top_k))
    if rows_per_expert <= 16:
        return [(16, 64, 128, 4, 4), (16, 128, 128, 4, 3), (16, 64, 64, 4, 4), (16, 32, 128, 4, 4)]
    if rows_per_expert <= 64:
        return [(32, 64, 128, 4, 3), (64, 64, 64, 4, 4), (32, 128, 64, 4, 4), (16, 128, 128, 4, 3)]
    return [(64, 128, 64, 8, 4), (128, 128, 64, 8, 3), (64, 128, 64, 4, 4), (128, 64, 64, 4, 4)]


class FusedMoE:
    """One MoE layer's routed experts for `tokens` tokens: grouping, gate/up product, SiLU-and-multiply, down product
    with routing weights, sum over the top-k slots. Weights: w13 [E, 2F, d], w2 [E, d, F]."""

    def __init__(self, tokens: int, top_k: int, experts: int, hidden: int, ff: int, device, cfg13, cfg2=None,
                 dtype=torch.bfloat16):
        self.tokens, self.top_k = tokens, top_k
        n = tokens * top_k
        self.cfg13 = cfg13
        self.cfg2 = cfg2 or cfg13
        self.g13 = ExpertGrouping(n, experts, cfg13[0], device)
        self.g2 = self.g13 if self.cfg2[0] == cfg13[0] else ExpertGrouping(n, experts, self.cfg2[0], device)
        dt = dtype
        self.h13 = torch.empty(n, 2 * ff, dtype=dt, device=device)
        self.act = torch.empty(n, ff, dtype=dt, device=device)
        self.h2 = torch.empty(n, hidden, dtype=dt, device=device)

    def __call__(self, x, w13, w2, topk_ids, topk_weights, out=None, touched_out=None):
        self.g13.run(topk_ids, touched_out)
        if self.g2 is not self.g13:
            self.g2.run(topk_ids)
        expert_gemm(x, w13, self.h13, topk_weights, self.g13, self.top_k, False, self.cfg13)
        silu_mul(self.h13, self.act)
        expert_gemm(self.act, w2, self.h2, topk_weights.reshape(-1), self.g2, 1, True, self.cfg2)
        res = self.h2.view(self.tokens, self.top_k, -1).sum(dim=1)
        if out is not None:
            out.copy_(res)
            return out
        return res


def moe_reference(x, w13, w2, topk_ids, topk_weights):
    """Plain PyTorch, float32: the same function."""
    T, k = topk_ids.shape
    ff = w2.shape[2]
    out = torch.zeros(T, x.shape[1], dtype=torch.float32, device=x.device)
    xf = x.float()
    for t in range(T):
        for s in range(k):
            e = int(topk_ids[t, s])
            h = w13[e].float() @ xf[t]
            a = F.silu(h[:ff]) * h[ff:]
            out[t] += float(topk_weights[t, s]) * (w2[e].float() @ a)
    return out


# ----------------------------------------------------------------------------------------------------------------
# Small per-layer kernels


@triton.jit
def _add_rmsnorm_kernel(x_ptr, res_ptr, w_ptr, out_ptr, D, eps, ADD: tl.constexpr, BLOCK: tl.constexpr):
    # res += x (when ADD); out = rmsnorm(res) * w. One row per program.
    row = tl.program_id(0).to(tl.int64)
    offs = tl.arange(0, BLOCK)
    m = offs < D
    r = tl.load(res_ptr + row * D + offs, mask=m, other=0.0).to(tl.float32)
    if ADD:
        r += tl.load(x_ptr + row * D + offs, mask=m, other=0.0).to(tl.float32)
        tl.store(res_ptr + row * D + offs, r.to(res_ptr.dtype.element_ty), mask=m)
    var = tl.sum(r * r, 0) / D
    w = tl.load(w_ptr + offs, mask=m, other=0.0).to(tl.float32)
    tl.store(out_ptr + row * D + offs, (r * tl.rsqrt(var + eps) * w).to(out_ptr.dtype.element_ty), mask=m)


def add_rmsnorm(x, residual, weight, out, add=True, eps=1e-6):
    """residual += x (if add); out = RMSNorm(residual) · weight; rows of x, residual, out are contiguous."""
    rows, d = residual.shape
    _add_rmsnorm_kernel[(rows,)](x, residual, weight, out, d, eps, ADD=add, BLOCK=_next_pow2(d))


@triton.jit
def _rotary_kernel(x_ptr, cos_ptr, sin_ptr, heads, stride_row, HALF: tl.constexpr, NORM: tl.constexpr,
                   w_ptr, eps):
    # Neox-style rotary embedding in place on one (row, head) of x; optional per-head RMSNorm first (Qwen3).
    pid = tl.program_id(0)
    row = (pid // heads).to(tl.int64)
    head = pid % heads
    base = x_ptr + row * stride_row + head * 2 * HALF
    offs = tl.arange(0, HALF)
    x1 = tl.load(base + offs).to(tl.float32)
    x2 = tl.load(base + HALF + offs).to(tl.float32)
    if NORM:
        var = (tl.sum(x1 * x1, 0) + tl.sum(x2 * x2, 0)) / (2 * HALF)
        inv = tl.rsqrt(var + eps)
        x1 = x1 * inv * tl.load(w_ptr + offs).to(tl.float32)
        x2 = x2 * inv * tl.load(w_ptr + HALF + offs).to(tl.float32)
    c = tl.load(cos_ptr + row * HALF + offs)
    s = tl.load(sin_ptr + row * HALF + offs)
    tl.store(base + offs, (x1 * c - x2 * s).to(x_ptr.dtype.element_ty))
    tl.store(base + HALF + offs, (x2 * c + x1 * s).to(x_ptr.dtype.element_ty))


def rotary(x, cos, sin, heads, head_dim, norm_weight=None, eps=1e-6):
    """In place on x viewed as [rows, heads, head_dim] (row stride x.stride(0)); cos/sin [rows, head_dim/2] fp32."""
    rows = x.shape[0]
    w = norm_weight if norm_weight is not None else cos
    _rotary_kernel[(rows * heads,)](x, cos, sin, heads, x.stride(0), HALF=head_dim // 2,
                                    NORM=norm_weight is not None, w_ptr=w, eps=eps)


# ----------------------------------------------------------------------------------------------------------------
# Decode attention with the context split across programs (flash-decoding), as serving engines run GQA decode


@triton.jit
def _decode_attn_split_kernel(q_ptr, k_ptr, v_ptr, po_ptr, plse_ptr, context, chunk, scale, stride_qb, stride_kb,
                              stride_kh, stride_kc, GROUP: tl.constexpr, GP: tl.constexpr, D: tl.constexpr,
                              BLOCK_N: tl.constexpr, SPLITS: tl.constexpr):
    # One program: the GROUP query heads of one KV head of one sequence, over one chunk of its context. Writes the
    # chunk's normalised partial output and log-sum-exp (float32).
    b = tl.program_id(0).to(tl.int64)
    kvh = tl.program_id(1)
    split = tl.program_id(2)
    g = tl.arange(0, GP)
    d = tl.arange(0, D)
    heads = kvh * GROUP + g
    q = tl.load(q_ptr + b * stride_qb + heads[:, None] * D + d[None, :], mask=(g < GROUP)[:, None], other=0.0)
    base_k = k_ptr + b * stride_kb + kvh * stride_kh
    base_v = v_ptr + b * stride_kb + kvh * stride_kh
    m = tl.full([GP], float("-inf"), dtype=tl.float32)
    l = tl.zeros([GP], dtype=tl.float32)
    acc = tl.zeros([GP, D], dtype=tl.float32)
    lo = split * chunk
    hi = tl.minimum(lo + chunk, context)
    for start in range(lo, hi, BLOCK_N):
        n = start + tl.arange(0, BLOCK_N)
        ok = n < hi
        k = tl.load(base_k + n[:, None] * stride_kc + d[None, :], mask=ok[:, None], other=0.0)
        s = tl.dot(q, tl.trans(k)) * scale
        s = tl.where(ok[None, :], s, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, 1))
        alpha = tl.exp(m - m_new)
        p = tl.exp(s - m_new[:, None])
        l = l * alpha + tl.sum(p, 1)
        v = tl.load(base_v + n[:, None] * stride_kc + d[None, :], mask=ok[:, None], other=0.0)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v)
        m = m_new
    out_rows = (b * tl.num_programs(1) * GROUP + heads) * SPLITS + split
    valid = g < GROUP
    l_safe = tl.where(l > 0, l, 1.0)
    tl.store(po_ptr + out_rows[:, None] * D + d[None, :], acc / l_safe[:, None], mask=valid[:, None])
    tl.store(plse_ptr + out_rows, tl.where(l > 0, m + tl.log(l_safe), float("-inf")), mask=valid)


@triton.jit
def _decode_attn_combine_kernel(po_ptr, plse_ptr, out_ptr, D: tl.constexpr, SPLITS: tl.constexpr,
                                SP: tl.constexpr):
    row = tl.program_id(0).to(tl.int64)  # b * H + h
    s = tl.arange(0, SP)
    d = tl.arange(0, D)
    lse = tl.load(plse_ptr + row * SPLITS + s, mask=s < SPLITS, other=float("-inf"))
    mx = tl.max(lse, 0)
    w = tl.exp(lse - mx)
    w = w / tl.sum(w, 0)
    po = tl.load(po_ptr + (row * SPLITS + s)[:, None] * D + d[None, :], mask=(s < SPLITS)[:, None], other=0.0)
    tl.store(out_ptr + row * D + d, tl.sum(po * w[:, None], 0).to(out_ptr.dtype.element_ty))


class DecodeAttention:
    """GQA decode attention of `batch` sequences of `context` tokens: q [B, H·D] rows (any row stride), K and V
    caches [B, KVH, C_max, D]; output [B, H·D]."""

    def __init__(self, batch, heads, kv_heads, head_dim, context, device, sms=132, block_n=64):
        self.B, self.H, self.KVH, self.D, self.C = batch, heads, kv_heads, head_dim, context
        self.G = heads // kv_heads
        want = triton.cdiv(2 * sms, batch * kv_heads)
        self.splits = max(1, min(want, triton.cdiv(context, 2 * block_n), 64))
        self.chunk = triton.cdiv(triton.cdiv(context, self.splits), block_n) * block_n
        self.splits = triton.cdiv(context, self.chunk)
        self.block_n = block_n
        self.po = torch.empty(batch * heads * self.splits, head_dim, dtype=torch.float32, device=device)
        self.plse = torch.empty(batch * heads * self.splits, dtype=torch.float32, device=device)

    def __call__(self, q, k_cache, v_cache, out):
        _decode_attn_split_kernel[(self.B, self.KVH, self.splits)](
            q, k_cache, v_cache, self.po, self.plse, self.C, self.chunk, self.D ** -0.5, q.stride(0),
            k_cache.stride(0), k_cache.stride(1), k_cache.stride(2), GROUP=self.G, GP=max(16, _next_pow2(self.G)),
            D=self.D, BLOCK_N=self.block_n, SPLITS=self.splits, num_warps=4, num_stages=2)
        _decode_attn_combine_kernel[(self.B * self.H,)](self.po, self.plse, out, D=self.D, SPLITS=self.splits,
                                                         SP=_next_pow2(self.splits))
        return out
