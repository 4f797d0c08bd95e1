"""All-reduce time against message size between the GPUs of one host (NCCL, one process per GPU), as a tensor-
parallel decode step issues them: bf16 hidden states, captured in a CUDA graph (eager timings beside them).

    python3 tools/gpu-probe/allreduce.py --out allreduce.json [--gpus 2]

Without GPUs it runs the same code over gloo on the CPU with small messages (smoke test)."""

import argparse
import datetime
import json
import os
import statistics
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def worker(rank, world, sizes, path, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    gpu = torch.cuda.is_available()
    if gpu:
        torch.cuda.set_device(rank)
    dist.init_process_group("nccl" if gpu else "gloo", rank=rank, world_size=world)
    dev = f"cuda:{rank}" if gpu else "cpu"
    rows = []
    for nbytes in sizes:
        x = torch.randn(nbytes // 2, device=dev).to(torch.bfloat16 if gpu else torch.float32)
        for _ in range(3):
            dist.all_reduce(x)
        reps = 20
        if gpu:
            torch.cuda.synchronize()
            # Eager.
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            eager = []
            for _ in range(5):
                dist.barrier()
                a.record()
                for _ in range(reps):
                    dist.all_reduce(x)
                b.record()
                b.synchronize()
                eager.append(a.elapsed_time(b) * 1e-3 / reps)
            # Captured in a CUDA graph.
            s = torch.cuda.Stream()
            with torch.cuda.stream(s):
                dist.all_reduce(x)
            torch.cuda.synchronize()
            g = torch.cuda.CUDAGraph()
            with torch.cuda.graph(g):
                for _ in range(reps):
                    dist.all_reduce(x)
            graph = []
            for _ in range(5):
                dist.barrier()
                torch.cuda.synchronize()
                a.record()
                g.replay()
                b.record()
                b.synchronize()
                graph.append(a.elapsed_time(b) * 1e-3 / reps)
            del g
            rows.append({"bytes": nbytes, "eager_seconds": statistics.median(eager),
                         "graph_seconds": statistics.median(graph)})
        else:
            t0 = time.perf_counter()
            for _ in range(reps):
                dist.all_reduce(x)
            rows.append({"bytes": nbytes, "eager_seconds": (time.perf_counter() - t0) / reps})
    if rank == 0:
        info = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "command": "python3 tools/gpu-probe/allreduce.py " + " ".join(sys.argv[1:]), "world": world,
                "backend": "nccl" if gpu else "gloo", "torch": torch.__version__}
        if gpu:
            info["gpu"] = torch.cuda.get_device_name(0)
            info["nccl"] = ".".join(map(str, torch.cuda.nccl.version()))
        with open(path, "w") as f:
            json.dump({"info": info, "allreduce": rows}, f, indent=1)
        for r in rows:
            print(f"all-reduce {r['bytes']:>11} B: " + ", ".join(f"{k} {v*1e6:.1f} us" for k, v in r.items()
                                                                 if k != "bytes"), flush=True)
    dist.destroy_process_group()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", required=True)
    ap.add_argument("--gpus", type=int, default=2)
    ap.add_argument("--port", type=int, default=29517)
    args = ap.parse_args()
    if torch.cuda.is_available():
        sizes = [1 << p for p in range(10, 29)]  # 1 KiB … 256 MiB
        world = min(args.gpus, torch.cuda.device_count())
        if world < 2:
            sys.exit("allreduce.py needs at least two GPUs")
    else:
        sizes = [1 << p for p in range(10, 16)]
        world = args.gpus
    mp.spawn(worker, args=(world, sizes, args.out, args.port), nprocs=world, join=True)


if __name__ == "__main__":
    main()
