"""Held-out check under tensor parallelism: the whole decode steps of step.py sharded over two GPUs (one process
per GPU, NCCL all-reduces and the logits gather captured in the step's CUDA graph).

    python3 tools/gpu-probe/step_tp.py --out step-tp2.json [--tp 2]

Without GPUs it runs tiny shapes over gloo on the CPU, eagerly (smoke test; TRITON_INTERPRET=1)."""

import argparse
import datetime
import json
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernels  # noqa: E402
import shapes  # noqa: E402
import step as stepmod  # noqa: E402
from timing import time_calls  # noqa: E402

MODELS = ["Qwen/Qwen3-30B-A3B", "Qwen/Qwen1.5-MoE-A2.7B"]


def best_moe_config(s, T, dev, dt):
    """The fastest tile configuration of the rank's MoE layer for T tokens (local, no communication)."""
    w13 = torch.randn(s.experts, 2 * s.expert_ff, s.hidden, device=dev).to(dt)
    w2 = torch.randn(s.experts, s.hidden, s.expert_ff, device=dev).to(dt)
    x = torch.randn(T, s.hidden, device=dev).to(dt)
    wts, ids = torch.topk(torch.randn(T, s.experts, device=dev).softmax(-1), s.top_k, dim=-1)
    ids = ids.to(torch.int32)
    best = None
    for cfg in kernels.moe_configs(T, s.top_k, s.experts):
        try:
            moe = kernels.FusedMoE(T, s.top_k, s.experts, s.hidden, s.expert_ff, dev, cfg, dtype=dt)
            t = time_calls([lambda: moe(x, w13, w2, ids, wts)], min_calls=4)
        except Exception:
            continue
        if best is None or t < best[0]:
            best = (t, cfg)
    return best[1]


def worker(rank, world, args, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    gpu = torch.cuda.is_available()
    if gpu:
        torch.cuda.set_device(rank)
    dist.init_process_group("nccl" if gpu else "gloo", rank=rank, world_size=world)
    dev = f"cuda:{rank}" if gpu else "cpu"
    dt = torch.bfloat16 if gpu else torch.float32
    quick = not gpu
    batches = [1, 2, 4] if quick else [1, 2, 4, 8, 16, 32, 64, 128, 256]
    contexts = [16, 48] if quick else [512, 2048]
    rows = []
    for name in MODELS:
        full = shapes.tiny(shapes.MODELS[name]) if quick else shapes.MODELS[name]
        model = stepmod.DecoderModel(full, max(batches), max(contexts), dev, dtype=dt, tp=world)
        for C in contexts:
            for B in batches:
                cfg = (16, 32, 32, 4, 2) if quick else best_moe_config(model.s, B, dev, dt)
                st = stepmod.DecodeStep(model, B, C, cfg)
                dist.barrier()
                t = time_calls([st], min_calls=1, reps=9, graph=gpu)
                tt = torch.tensor([t], device=dev, dtype=torch.float64)
                dist.all_reduce(tt, op=dist.ReduceOp.MAX)
                touched = st.touched.float().mean().item()
                if rank == 0:
                    rows.append({"model": name, "tp": world, "batch": B, "context": C, "seconds": tt.item(),
                                 "touched_per_layer": touched, "moe_config": list(cfg)})
                    print(f"  step tp{world} {name} B={B} C={C}: {tt.item()*1e3:.3f} ms, touched {touched:.1f}",
                          flush=True)
                del st
        del model
        if gpu:
            torch.cuda.empty_cache()
    if rank == 0:
        info = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "command": "python3 tools/gpu-probe/step_tp.py " + " ".join(sys.argv[1:]), "tp": world,
                "torch": torch.__version__}
        if gpu:
            info["gpu"] = torch.cuda.get_device_name(0)
        with open(args.out, "w") as f:
            json.dump({"info": info, "sections": {"step": rows}}, f, indent=1)
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--tp", type=int, default=2)
    ap.add_argument("--port", type=int, default=29523)
    args = ap.parse_args()
    world = args.tp
    if torch.cuda.is_available() and torch.cuda.device_count() < world:
        sys.exit(f"step_tp.py needs {world} GPUs")
    mp.spawn(worker, args=(world, args, args.port), nprocs=world, join=True)


if __name__ == "__main__":
    main()
