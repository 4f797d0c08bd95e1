"""Timing on the GPU: a CUDA graph of a list of calls (so launch gaps are those of a captured engine step), replayed
several times, timed with CUDA events; the median replay over the number of calls. On a CPU (smoke test) the
calls run eagerly under a wall clock."""

import statistics
import time

import torch


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def time_calls(calls, min_calls=1, reps=7, warmup=2, graph=True):
    """Median seconds of one call of `calls` (a list of closures, run in order; repeated until at least
    `min_calls` calls are captured). With `graph` the sequence is captured once and its replays are timed."""
    seq = list(calls)
    while len(seq) < min_calls:
        seq += calls
    if not torch.cuda.is_available():
        for f in seq[: max(1, len(calls))]:
            f()
        t0 = time.perf_counter()
        for f in seq:
            f()
        return (time.perf_counter() - t0) / len(seq)
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):
        for _ in range(warmup):
            for f in calls:
                f()
    torch.cuda.current_stream().wait_stream(stream)
    sync()
    if graph:
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            for f in seq:
                f()
        run = g.replay
    else:
        def run():
            for f in seq:
                f()
    run()
    sync()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        run()
        b.record()
        b.synchronize()
        times.append(a.elapsed_time(b) * 1e-3)
    if graph:
        del g
    return statistics.median(times) / len(seq)
