"""Shapes of the simulator's built-in models (Sources/MoECore/Model/ModelCatalog.swift), as the probe needs them.

Only the numbers that set kernel shapes are kept: hidden size, heads, head dimension, experts, expert and dense
widths, layers, vocabulary. Every size is for one GPU without tensor parallelism (TP 1), bf16.
"""

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ModelShape:
    name: str
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    experts: int
    top_k: int
    expert_ff: int
    shared_ff: int  # 0: no shared expert; Qwen2-MoE's single shared expert (with a sigmoid gate) otherwise
    shared_experts: int  # DeepSeek-style shared experts of width expert_ff
    dense_ff: int  # width of dense FFN layers (DeepSeek's first layer); 0 when every layer is MoE
    dense_layers: int
    vocab: int
    qk_norm: bool = False
    norm_topk: bool = True
    # DeepSeek MLA
    kv_lora: Optional[int] = None
    rope_dim: Optional[int] = None
    nope_dim: Optional[int] = None
    v_dim: Optional[int] = None

    @property
    def mla(self) -> bool:
        return self.kv_lora is not None

    def attention_gemms(self):
        """(name, N, K) of the attention projections of one layer, as the engine runs them (fused QKV, O)."""
        d = self.hidden
        if self.mla:
            qhd = self.nope_dim + self.rope_dim
            return [
                ("q_proj", self.heads * qhd, d),
                ("kv_a_proj", self.kv_lora + self.rope_dim, d),
                ("kv_b_proj", self.heads * (self.nope_dim + self.v_dim), self.kv_lora),
                ("o_proj", d, self.heads * self.v_dim),
            ]
        q = self.heads * self.head_dim
        kv = self.kv_heads * self.head_dim
        return [("qkv_proj", q + 2 * kv, d), ("o_proj", d, q)]

    def dense_gemms(self):
        """(group, name, N, K) of the non-expert matrix products: attention projections, shared experts, dense
        FFNs, the router and the LM head."""
        d = self.hidden
        out = [("attention", n, N, K) for (n, N, K) in self.attention_gemms()]
        if self.shared_ff:
            out += [("shared", "shared_gate_up", 2 * self.shared_ff, d), ("shared", "shared_down", d, self.shared_ff)]
        elif self.shared_experts:
            f = self.expert_ff * self.shared_experts
            out += [("shared", "shared_gate_up", 2 * f, d), ("shared", "shared_down", d, f)]
        if self.dense_layers:
            out += [("dense", "dense_gate_up", 2 * self.dense_ff, d), ("dense", "dense_down", d, self.dense_ff)]
        out += [("router", "router", self.experts, d), ("lm_head", "lm_head", self.vocab, d)]
        return out

    def expert_bytes(self) -> float:
        return 3 * self.hidden * self.expert_ff * 2.0

    def kv_bytes_per_token_layer(self) -> float:
        if self.mla:
            return (self.kv_lora + self.rope_dim) * 2.0
        return 2 * self.kv_heads * self.head_dim * 2.0


MODELS = {
    "Qwen/Qwen3-30B-A3B": ModelShape(
        "Qwen/Qwen3-30B-A3B", hidden=2048, layers=48, heads=32, kv_heads=4, head_dim=128, experts=128, top_k=8,
        expert_ff=768, shared_ff=0, shared_experts=0, dense_ff=0, dense_layers=0, vocab=151936, qk_norm=True),
    "Qwen/Qwen3-235B-A22B": ModelShape(
        "Qwen/Qwen3-235B-A22B", hidden=4096, layers=94, heads=64, kv_heads=4, head_dim=128, experts=128, top_k=8,
        expert_ff=1536, shared_ff=0, shared_experts=0, dense_ff=0, dense_layers=0, vocab=151936, qk_norm=True),
    "Qwen/Qwen1.5-MoE-A2.7B": ModelShape(
        "Qwen/Qwen1.5-MoE-A2.7B", hidden=2048, layers=24, heads=16, kv_heads=16, head_dim=128, experts=60, top_k=4,
        expert_ff=1408, shared_ff=5632, shared_experts=0, dense_ff=0, dense_layers=0, vocab=151936,
        norm_topk=False),
    "mistralai/Mixtral-8x7B-v0.1": ModelShape(
        "mistralai/Mixtral-8x7B-v0.1", hidden=4096, layers=32, heads=32, kv_heads=8, head_dim=128, experts=8,
        top_k=2, expert_ff=14336, shared_ff=0, shared_experts=0, dense_ff=0, dense_layers=0, vocab=32000),
    "mistralai/Mixtral-8x22B-v0.1": ModelShape(
        "mistralai/Mixtral-8x22B-v0.1", hidden=6144, layers=56, heads=48, kv_heads=8, head_dim=128, experts=8,
        top_k=2, expert_ff=16384, shared_ff=0, shared_experts=0, dense_ff=0, dense_layers=0, vocab=32000),
    "deepseek-ai/DeepSeek-V2-Lite": ModelShape(
        "deepseek-ai/DeepSeek-V2-Lite", hidden=2048, layers=27, heads=16, kv_heads=16, head_dim=192, experts=64,
        top_k=6, expert_ff=1408, shared_ff=0, shared_experts=2, dense_ff=10944, dense_layers=1, vocab=102400,
        norm_topk=False, kv_lora=512, rope_dim=64, nope_dim=128, v_dim=128),
}


def tiny(shape: ModelShape) -> ModelShape:
    """A CPU-sized model of the same structure (for the smoke test)."""
    from dataclasses import replace

    return replace(
        shape, hidden=64, layers=2, heads=4, kv_heads=min(shape.kv_heads, 2) if not shape.mla else 4, head_dim=16
        if not shape.mla else 24, experts=min(shape.experts, 8), top_k=min(shape.top_k, 2), expert_ff=32,
        shared_ff=48 if shape.shared_ff else 0, dense_ff=96 if shape.dense_ff else 0, vocab=256,
        kv_lora=32 if shape.mla else None, rope_dim=8 if shape.mla else None, nope_dim=16 if shape.mla else None,
        v_dim=16 if shape.mla else None)
