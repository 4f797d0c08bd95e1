"""A whole MoE decoder step of a catalog model with random weights, as a serving engine runs it: embedding, every
layer (fused residual-add + RMSNorm, fused QKV projection, rotary embedding (with Qwen3's per-head norms), KV cache
write, decode attention over each sequence's context (kernels.py's split-context
decode kernel), output projection, router, top-k, the fused MoE kernel of kernels.py, the shared
expert where the model has one), final norm, LM head and greedy sampling, captured in one CUDA graph.

GQA models only (Qwen3-MoE, Qwen2-MoE, Mixtral). Every sequence of the batch has the same context length.

With tensor parallelism (step_tp.py) each rank holds its share as vLLM shards it — query and KV heads, the experts'
and the shared expert's intermediate width, the LM head's vocabulary — and the step all-reduces the attention
output and the MoE output of every layer and gathers the logits; router, norms and the embedding are replicated."""

import torch
import torch.distributed as dist
import torch.nn.functional as F

import kernels


def shard(shape, tp):
    """The per-rank shape under `tp`-way tensor parallelism (KV heads replicated when fewer than ranks)."""
    from dataclasses import replace

    if tp == 1:
        return shape
    return replace(shape, heads=shape.heads // tp, kv_heads=max(1, shape.kv_heads // tp),
                   expert_ff=shape.expert_ff // tp, shared_ff=shape.shared_ff // tp, vocab=shape.vocab // tp)


class DecoderModel:
    def __init__(self, shape, max_batch, max_context, device, dtype=torch.bfloat16, seed=0, tp=1):
        assert not shape.mla, "the step check runs GQA models"
        self.full = shape
        self.tp = tp
        self.s = s = shard(shape, tp)
        self.device, self.dtype = device, dtype
        g = torch.Generator(device=device).manual_seed(seed)
        d, dh = s.hidden, s.head_dim

        def rnd(*size, fan_in):
            t = torch.empty(*size, dtype=dtype, device=device)
            t.normal_(0, fan_in ** -0.5, generator=g)
            return t

        self.embed = rnd(shape.vocab, d, fan_in=1)
        self.lm_head = rnd(s.vocab, d, fan_in=d)
        self.final_norm = torch.ones(d, dtype=dtype, device=device)
        self.layers = []
        qkv = (s.heads + 2 * s.kv_heads) * dh
        for _ in range(s.layers):
            L = {
                "ln1": torch.ones(d, dtype=dtype, device=device),
                "ln2": torch.ones(d, dtype=dtype, device=device),
                "wqkv": rnd(qkv, d, fan_in=d),
                "wo": rnd(d, s.heads * dh, fan_in=s.heads * dh),
                "router": rnd(s.experts, d, fan_in=d),
                "w13": rnd(s.experts, 2 * s.expert_ff, d, fan_in=d),
                "w2": rnd(s.experts, d, s.expert_ff, fan_in=s.expert_ff),
                "k": torch.empty(max_batch, s.kv_heads, max_context, dh, dtype=dtype, device=device),
                "v": torch.empty(max_batch, s.kv_heads, max_context, dh, dtype=dtype, device=device),
            }
            L["k"].normal_(generator=g)
            L["v"].normal_(generator=g)
            if s.qk_norm:
                L["qn"] = torch.ones(dh, dtype=dtype, device=device)
                L["kn"] = torch.ones(dh, dtype=dtype, device=device)
            if s.shared_ff:
                L["ws13"] = rnd(2 * s.shared_ff, d, fan_in=d)
                L["ws2"] = rnd(d, s.shared_ff, fan_in=s.shared_ff)
                L["sgate"] = rnd(1, d, fan_in=d)
            self.layers.append(L)

    def weight_bytes(self):
        n = self.embed.numel() + self.lm_head.numel()
        for L in self.layers:
            n += sum(v.numel() for k, v in L.items() if k not in ("k", "v"))
        return n * 2


class DecodeStep:
    """Buffers and the forward pass for `batch` sequences of `context` tokens (the new token included)."""

    def __init__(self, model: DecoderModel, batch: int, context: int, moe_cfg):
        self.m, self.B, self.C = model, batch, context
        s, dev, dt = model.s, model.device, model.dtype
        d, dh = s.hidden, s.head_dim
        self.ids = torch.randint(0, model.full.vocab, (batch,), device=dev)
        ang = (context - 1) * (1e6 ** (-torch.arange(0, dh // 2, device=dev, dtype=torch.float32) / (dh // 2)))
        self.cos = ang.cos().expand(batch, -1).contiguous()
        self.sin = ang.sin().expand(batch, -1).contiguous()
        self.residual = torch.empty(batch, d, dtype=dt, device=dev)
        self.h = torch.empty(batch, d, dtype=dt, device=dev)
        self.moe_out = torch.empty(batch, d, dtype=dt, device=dev)
        self.touched = torch.zeros(s.layers, dtype=torch.int32, device=dev)
        self.moe = kernels.FusedMoE(batch, s.top_k, s.experts, d, s.expert_ff, dev, moe_cfg, dtype=dt)
        if s.shared_ff:
            self.shared_act = torch.empty(batch, s.shared_ff, dtype=dt, device=dev)
        self.next_ids = torch.empty(batch, dtype=torch.int64, device=dev)
        if model.tp > 1:
            self.gathered = torch.empty(model.tp * batch, s.vocab, dtype=torch.float32, device=dev)
        on_gpu = str(dev).startswith("cuda")
        sms = torch.cuda.get_device_properties(torch.device(dev)).multi_processor_count if on_gpu else 8
        self.attention = kernels.DecodeAttention(batch, s.heads, s.kv_heads, dh, context, dev, sms=sms)
        self.attn_out = torch.empty(batch, s.heads * dh, dtype=dt, device=dev)

    def __call__(self):
        m, s, B, C = self.m, self.m.s, self.B, self.C
        dh, hq, hk = s.head_dim, s.heads, s.kv_heads
        q_w, kv_w = hq * dh, hk * dh
        torch.index_select(m.embed, 0, self.ids, out=self.residual)
        prev = None
        for i, L in enumerate(m.layers):
            kernels.add_rmsnorm(prev if prev is not None else self.residual, self.residual, L["ln1"], self.h,
                                add=prev is not None)
            qkv = F.linear(self.h, L["wqkv"])
            kernels.rotary(qkv, self.cos, self.sin, hq, dh, L.get("qn"))
            kv_part = qkv[:, q_w:]
            kernels.rotary(kv_part, self.cos, self.sin, hk, dh, L.get("kn"))
            L["k"][:B, :, C - 1, :].copy_(qkv[:, q_w:q_w + kv_w].view(B, hk, dh))
            L["v"][:B, :, C - 1, :].copy_(qkv[:, q_w + kv_w:].view(B, hk, dh))
            self.attention(qkv, L["k"], L["v"], self.attn_out)
            o = F.linear(self.attn_out, L["wo"])
            if m.tp > 1:
                dist.all_reduce(o)
            kernels.add_rmsnorm(o, self.residual, L["ln2"], self.h)
            logits = F.linear(self.h, L["router"]).float()
            probs = torch.softmax(logits, dim=-1)
            w, ids = torch.topk(probs, s.top_k, dim=-1)
            if s.norm_topk:
                w = w / w.sum(dim=-1, keepdim=True)
            self.moe(self.h, L["w13"], L["w2"], ids.to(torch.int32), w, out=self.moe_out,
                     touched_out=self.touched[i:i + 1])
            if s.shared_ff:
                up = F.linear(self.h, L["ws13"])
                kernels.silu_mul(up, self.shared_act)
                sh = F.linear(self.shared_act, L["ws2"]) * torch.sigmoid(F.linear(self.h, L["sgate"]))
                self.moe_out.add_(sh)
            if m.tp > 1:
                dist.all_reduce(self.moe_out)
            prev = self.moe_out
        kernels.add_rmsnorm(prev, self.residual, m.final_norm, self.h)
        logits = F.linear(self.h, m.lm_head)
        if m.tp > 1:
            dist.all_gather_into_tensor(self.gathered, logits.float())
            logits = self.gathered.view(m.tp, self.B, -1).permute(1, 0, 2).reshape(self.B, -1)  # [B, vocab]
        torch.argmax(logits, dim=-1, out=self.next_ids)
