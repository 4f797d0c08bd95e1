#!/usr/bin/env python3
"""Load client of scripts/bench-load.sh: raw sockets on 127.0.0.1 driven by one selector loop (no thread per
connection), every phase bounded in count and time. Prints the figures; exits 1 when the server died or a
phase could not finish.

Usage: load_client.py streams PORT PID N | idle PORT PID N | churn PORT PID N ROUNDS | recording PORT PID SECONDS
       | budget PORT PID
"""
import json
import resource
import selectors
import socket
import sys
import time

MODEL = "Qwen/Qwen3-30B-A3B"


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss(pid):
    out = {}
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmHWM", "VmRSS")):
            k, v = line.split(":")
            out[k] = int(v.split()[0]) // 1024
    return out


def post(path, body, stream=False):
    b = json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {len(b)}\r\n"
            "Connection: close\r\n\r\n").encode() + b


def chat(max_tokens, stream):
    return post("/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "Tell a story"}],
                                          "max_tokens": max_tokens, "ignore_eos": True, "stream": stream})


def once(port, raw, timeout=30):
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(raw)
    data = b""
    while True:
        d = s.recv(1 << 20)
        if not d:
            break
        data += d
    s.close()
    return data, time.monotonic() - t0


def health(port):
    try:
        data, took = once(port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout=10)
        return took if data.startswith(b"HTTP/1.1 200") else None
    except OSError:
        return None


def open_fds(pid):
    import os
    return len(os.listdir(f"/proc/{pid}/fd"))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] if xs else float("nan")


def open_streams(port, n, raw, sel):
    socks = []
    for i in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
        sel.register(s, selectors.EVENT_WRITE, {"out": raw, "got": b"", "done": False, "first": False})
    return socks


def pump(sel, until, on_health=None, hang_up_after_first=False, port=None):
    """Drives every registered socket until all are done or `until`; samples /health every 0.25 s."""
    samples = []
    next_health = time.monotonic()
    while sel.get_map() and time.monotonic() < until:
        for key, ev in sel.select(timeout=0.05):
            s, st = key.fileobj, key.data
            try:
                if ev & selectors.EVENT_WRITE:
                    n = s.send(st["out"])
                    st["out"] = st["out"][n:]
                    if not st["out"]:
                        sel.modify(s, selectors.EVENT_READ, st)
                    continue
                d = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                d = b""
            if d:
                st["first"] = True
                st["got"] = (st["got"] + d)[-64:]
                if hang_up_after_first:
                    st["done"] = True
                    sel.unregister(s)
                    s.close()
                continue
            st["done"] = b"[DONE]" in st["got"]
            sel.unregister(s)
            s.close()
        if port and time.monotonic() >= next_health:
            samples.append(health(port))
            next_health = time.monotonic() + 0.25
    return samples


def streams(port, pid, n):
    sel = selectors.DefaultSelector()
    before = rss(pid)
    socks = open_streams(port, n, chat(300, True), sel)
    datas = [sel.get_key(s).data for s in socks]
    t0 = time.monotonic()
    samples = pump(sel, t0 + 300, port=port)
    done = sum(1 for d in datas if d["done"])
    ok = [s for s in samples if s is not None]
    after = rss(pid)
    print(f"  streams: {n} opened, {done} ended with [DONE] in {time.monotonic() - t0:.1f} s")
    print(f"  server RSS: {before['VmRSS']} MB before, peak {after['VmHWM']} MB")
    print(f"  /health: {len(ok)}/{len(samples)} answered; latency p50 {pct(ok, .5)*1e3:.1f} ms, "
          f"p99 {pct(ok, .99)*1e3:.1f} ms, max {max(ok, default=float('nan'))*1e3:.1f} ms")
    return done == n


def idle(port, pid, n, check=1):
    if not check:
        # A second holder of idle sockets (one process cannot hold 20,000 with a 20,000 descriptor limit).
        socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
        time.sleep(25)
        return True
    socks = []
    t0 = time.monotonic()
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    time.sleep(2)
    h = [health(port) for _ in range(20)]
    data, took = once(port, chat(8, False))
    ok = [x for x in h if x is not None]
    print(f"  {n} more idle connections opened ({time.monotonic() - t0:.1f} s); server RSS {rss(pid)['VmRSS']} MB, "
          f"open at the server: {open_fds(pid)} descriptors")
    print(f"  meanwhile /health {len(ok)}/20 answered (max {max(ok, default=float('nan'))*1e3:.1f} ms), "
          f"completion {data[:12].decode(errors='replace')} in {took*1e3:.0f} ms")
    # The header deadline (20 s here) closes them.
    deadline = time.monotonic() + 40
    closed = 0
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    while sel.get_map() and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            try:
                d = key.fileobj.recv(1)
            except OSError:
                d = b""
            if not d:
                closed += 1
                sel.unregister(key.fileobj)
                key.fileobj.close()
    print(f"  of this process's {n}: closed by the server within {time.monotonic() - t0:.0f} s of opening: {closed}")
    for s in socks:
        try:
            s.close()
        except OSError:
            pass
    return len(ok) == 20 and data.startswith(b"HTTP/1.1 200")


def churn(port, pid, n, rounds):
    start = rss(pid)["VmRSS"]
    figures = []
    for r in range(rounds):
        sel = selectors.DefaultSelector()
        open_streams(port, n, chat(2000, True), sel)
        pump(sel, time.monotonic() + 60, hang_up_after_first=True)
        time.sleep(0.5)  # let the watcher notice the hang-ups
        figures.append(rss(pid)["VmRSS"])
    print(f"  RSS: {start} MB at start; after round 1: {figures[0]} MB, 10: {figures[min(9, rounds - 1)]} MB, "
          f"{rounds}: {figures[-1]} MB (peak {rss(pid)['VmHWM']} MB)")
    ok = health(port) is not None
    print(f"  /health after churn: {'ok' if ok else 'NOT ANSWERED'}")
    return ok


def recording(port, pid, seconds):
    once(port, post("/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "w"}],
                                             "max_tokens": 2}))
    once(port, post("/start_batch_recording", {"model": MODEL}))
    t0 = time.monotonic()
    sel = selectors.DefaultSelector()
    sent = 0
    while time.monotonic() - t0 < seconds:
        while len(sel.get_map()) < 64:
            open_streams(port, 1, chat(256, True), sel)
            sent += 1
        pump(sel, time.monotonic() + 0.5)
    pump(sel, time.monotonic() + 30)
    once(port, post("/stop_batch_recording", {"model": MODEL}))
    status, _ = once(port, f"GET /batch_recording_status?model={MODEL.replace('/', '%2F')} HTTP/1.1\r\nHost: x\r\n"
                           "Connection: close\r\n\r\n".encode())
    total = json.loads(status.split(b"\r\n\r\n", 1)[1])["total_records"]
    before = rss(pid)
    t1 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(post("/dump_batch_recording", {"model": MODEL}))
    size = 0
    h = []
    s.settimeout(0.05)
    while True:
        try:
            d = s.recv(1 << 20)
        except socket.timeout:
            continue
        if not d:
            break
        size += len(d)
        if len(h) < 200 and size // (8 << 20) > len(h):
            h.append(health(port))
    took = time.monotonic() - t1
    after = rss(pid)
    ok = [x for x in h if x is not None]
    print(f"  {sent} requests in {seconds} s; {total} records; RSS {before['VmRSS']} MB before the dump")
    print(f"  dump: {size / 1e6:.0f} MB in {took:.1f} s; server peak RSS {after['VmHWM']} MB, RSS after {after['VmRSS']} MB")
    print(f"  /health during the dump: {len(ok)}/{len(h)} answered, max {max(ok, default=float('nan'))*1e3:.1f} ms")
    return total > 0


def budget(port, pid):
    """Issue 18's inputs (docs/http.md "Answer budget"): each small request's answer bounded, RSS measured after
    each, /health probed every 0.1 s throughout, the 80k-key parse timed, then 200 slow readers."""
    import threading
    probes = []
    stop = threading.Event()

    def prober():
        while not stop.is_set():
            probes.append(health(port))
            time.sleep(0.1)

    # A case variant of the model id, in vLLM's OpenAI mode (case variants are distinct deployments).
    openai_model = MODEL.lower()
    once(port, post("/register", {"model": openai_model, "backend": "vllm_moecap",
                                  "backend_config": {"max_model_len": 40960}, "fake_sllm": {"api": "openai"}}))
    base = rss(pid)["VmRSS"]
    print(f"  server RSS at start: {base} MB")
    threading.Thread(target=prober, daemon=True).start()
    ok = True

    def measure(name, raw, concurrent=1):
        before = rss(pid)["VmRSS"]
        results = []
        ts = [threading.Thread(target=lambda: results.append(once(port, raw, timeout=120))) for _ in range(concurrent)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        after = rss(pid)
        first = results[0][0] if results else b""
        status = first[9:12].decode(errors="replace")
        refused = b'"error"' in first[:4096] or b"detail" in first[:4096]
        print(f"  {name}: {len(raw) // 1024} KB request x{concurrent} -> {status}"
              f"{' refused' if refused else ''}, {len(first) // 1024} KB answer, "
              f"{max(t for _, t in results):.2f} s, RSS {before} -> {after['VmRSS']} MB (peak so far {after['VmHWM']} MB)")
        return results

    emb = lambda n: post("/v1/embeddings", {"model": MODEL, "input": ["a"] * n})
    measure("embeddings 5 KB of one-letter inputs", emb(1_250))
    measure("embeddings 50 KB", emb(12_500), concurrent=2)
    measure("embeddings 500 KB", emb(125_000))
    measure("embeddings 300 inputs (within the bounds)", emb(300))
    bomb = {"model": openai_model, "messages": [{"role": "user", "content": "Hi"}], "logprobs": True,
            "top_logprobs": 20, "n": 16, "max_tokens": 32000, "ignore_eos": True}
    measure("openai top_logprobs 20, n 16, max_tokens 32000", post("/v1/chat/completions", bomb))
    measure("openai top_logprobs 20, n 8, max_tokens 4000", post("/v1/chat/completions", dict(bomb, n=8, max_tokens=4000)))
    measure("openai top_logprobs 20, n 1, max_tokens 4000 (within)", post("/v1/chat/completions", dict(bomb, n=1, max_tokens=4000)))
    measure("openai 1000 prompts x n 128", post("/v1/completions", {"model": openai_model, "prompt": ["a"] * 1000,
                                                                  "n": 128, "ignore_eos": True}))
    keys = b"{" + b",".join(b'"k%d":%d' % (i, i) for i in range(80_000)) + b"}"
    raw = (f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: {len(keys)}\r\n"
           "Connection: close\r\n\r\n").encode() + keys
    _, took = once(port, raw)
    print(f"  80k-key JSON object ({len(keys) // 1024} KB): answered in {took * 1e3:.0f} ms (parse included)")

    # 200 slow readers: streams whose clients never read, held 20 s.
    socks = []
    for _ in range(200):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", port))
        s.sendall(post("/v1/chat/completions", {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}],
                                                 "max_tokens": 30000, "ignore_eos": True, "stream": True}))
        socks.append(s)
    time.sleep(20)
    r = rss(pid)
    print(f"  200 slow readers held 20 s: RSS {r['VmRSS']} MB, peak {r['VmHWM']} MB")
    for s in socks:
        s.close()
    stop.set()
    time.sleep(0.3)
    answered = [p for p in probes if p is not None]
    print(f"  /health during all of the above: {len(answered)}/{len(probes)} answered "
          f"({100 * len(answered) / max(1, len(probes)):.1f}%), max {max(answered, default=float('nan')) * 1e3:.0f} ms")
    print(f"  server RSS peak {rss(pid)['VmHWM']} MB, {rss(pid)['VmHWM'] - base} MB above start")
    return ok


def main():
    raise_fd_limit()
    phase, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    args = [int(a) for a in sys.argv[4:]]
    phases = {"streams": streams, "idle": idle, "churn": churn, "recording": recording, "budget": budget}
    ok = phases[phase](port, pid, *args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
