#!/usr/bin/env python3
"""Raw-socket fuzzing of a live fake-sllm (docs/fuzzing.md): framing, request smuggling, slow clients, huge
numbers, deep nesting and random mutations of valid requests, against a server it starts on 127.0.0.1 with a
free port. Loopback only; bounded by --count and --seconds. Exits 1 on a crash, a hang past the documented
timeouts, a smuggled request that runs, or /health not answering.

Usage: scripts/fuzz-http.py BINARY [--count N] [--seconds S] [--seed K]
"""
import argparse
import concurrent.futures
import json
import random
import socket
import subprocess
import sys
import time

HEADER_TIMEOUT = 2.0  # passed to the server; a hang is anything past this plus MARGIN
MARGIN = 3.0
MODEL = "Qwen/Qwen3-30B-A3B"


def start(binary):
    p = subprocess.Popen(
        [binary, "serve", "--port", "0", "--no-wait", "--header-timeout", str(HEADER_TIMEOUT), "--body-timeout",
         str(HEADER_TIMEOUT), "--idle-timeout", "5", "--max-body-bytes", "1048576"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    if "listening on" not in line:
        sys.exit(f"fuzz-http: server did not start: {line!r}")
    return p, int(line.rsplit(":", 1)[1])


def exchange(port, raw, wait=HEADER_TIMEOUT + MARGIN, trickle=None):
    """Sends raw bytes (or trickles them), reads until close or `wait`; returns (bytes, closed, seconds)."""
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(wait)
    t0 = time.monotonic()
    data = b""
    closed = False
    try:
        if trickle:
            for i in range(0, len(raw), trickle[0]):
                s.sendall(raw[i:i + trickle[0]])
                time.sleep(trickle[1])
        else:
            s.sendall(raw)
        while True:
            d = s.recv(65536)
            if not d:
                closed = True
                break
            data += d
    except (socket.timeout, TimeoutError):
        pass
    except (ConnectionResetError, BrokenPipeError):
        closed = True
    s.close()
    return data, closed, time.monotonic() - t0


def request(method, path, body=b"", headers=()):
    h = [f"{method} {path} HTTP/1.1", "Host: fuzz", "Connection: close"]
    if body is not None and method == "POST":
        h.append(f"Content-Length: {len(body)}")
    h += list(headers)
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body


def chat(**extra):
    b = {"model": MODEL, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 4}
    b.update(extra)
    return json.dumps(b).encode()


def fixed_cases():
    smuggled = b"GET /v1/models HTTP/1.1\r\nHost: fuzz\r\n\r\n"
    yield "CL+TE smuggling", (b"POST /delete HTTP/1.1\r\nHost: f\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                              b"0\r\n\r\n" + smuggled), "400"
    yield "TE+CL smuggling", (b"POST /delete HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n"
                              b"0\r\n\r\n" + smuggled), "400"
    yield "duplicate CL", (b"POST /delete HTTP/1.1\r\nHost: f\r\nContent-Length: 0\r\nContent-Length: 41\r\n\r\n"
                           + smuggled), "400"
    for te in [b"gzip", b"chunked, chunked", b"xchunked", b" chunked\t", b"identity", b"chunked;q=1"]:
        yield f"TE {te!r}", b"POST /delete HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: " + te + b"\r\n\r\n0\r\n\r\n", None
    for cl in [b"-1", b"1e3", b"0x10", b"9223372036854775808", b"18446744073709551616", b"99999999999999999999999"]:
        yield f"CL {cl!r}", b"POST /delete HTTP/1.1\r\nHost: f\r\nContent-Length: " + cl + b"\r\n\r\n", None
    # Issue 18: framing headers in disguise, each refused with one 400 and a close (the smuggled request never runs).
    for name, header in [("TE space before colon", b"Transfer-Encoding : chunked"),
                         ("obs-folded CL", b"Content-Length:\r\n 41"), ("obs-folded TE", b"Transfer-Encoding:\r\n chunked"),
                         ("Content_Length", b"Content_Length: 41")]:
        yield name, b"POST /delete HTTP/1.1\r\nHost: f\r\n" + header + b"\r\n\r\n0\r\n\r\n" + smuggled, "400"
    # 200 parameters of 150 bytes: past the URI bound, answered 414 at once (libmicrohttpd stalled on it).
    q = "&".join(f"a{i}={'x' * 140}" for i in range(200))
    yield "30 KB query", f"GET /health?{q} HTTP/1.1\r\nHost: f\r\n\r\n".encode(), "414"
    yield "CRLF in redirect", b"GET /health/?a=%0d%0aX:%20y HTTP/1.1\r\nHost: f\r\n\r\n", "307"
    yield "embeddings bomb", request("POST", "/v1/embeddings", json.dumps(
        {"model": MODEL, "input": ["a"] * 100_000}).encode()), "200"
    for n in [300, 600]:
        q = "&".join(f"a{i}=b" for i in range(n))
        yield f"{n} query params", f"GET /health?{q} HTTP/1.1\r\nHost: f\r\n\r\n".encode(), "400"
    # Longer than libmicrohttpd's read buffer: it answers 414 itself.
    q = "&".join(f"a{i}=b" for i in range(5000))
    yield "5000 query params", f"GET /health?{q} HTTP/1.1\r\nHost: f\r\n\r\n".encode(), "414"
    yield "header line 100 KB", b"GET /health HTTP/1.1\r\nHost: f\r\nX: " + b"a" * 100_000 + b"\r\n\r\n", None
    yield "2000 headers", b"GET /health HTTP/1.1\r\nHost: f\r\n" + b"".join(b"X%d: y\r\n" % i for i in range(2000)) + b"\r\n", None
    yield "deep nesting", request("POST", "/v1/chat/completions", b"[" * 200_000), None
    yield "deep object", request("POST", "/register", b'{"a":' * 50_000 + b"1" + b"}" * 50_000), None
    for k, v in [("max_tokens", 1e308), ("n", 10**20), ("n", 100_000), ("temperature", -1e400), ("seed", 2**80),
                 ("max_tokens", -1), ("best_of", 10**9), ("logprobs", 10**6)]:
        yield f"huge {k}", request("POST", "/v1/chat/completions", chat(**{k: v})), None
    yield "huge stop list", request("POST", "/v1/chat/completions", chat(stop=["x"] * 100_000)), None
    yield "file path over HTTP", request("POST", "/register", json.dumps(
        {"model": "a/b", "backend": "vllm_moecap", "fake_sllm": {"model_config": "/etc/passwd"}}).encode()), "403"
    yield "HTTP/1.0", b"GET /health HTTP/1.0\r\n\r\n", "200"
    yield "bad method", b"BREW /health HTTP/1.1\r\nHost: f\r\n\r\n", None
    yield "no version", b"GET /health\r\n\r\n", None
    yield "binary junk", bytes(range(256)) * 4, None
    yield "pipelined", request("GET", "/health").replace(b"Connection: close\r\n", b"") * 3, "200"


def mutate(rng, raw):
    b = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        op = rng.randint(0, 4)
        i = rng.randrange(len(b)) if b else 0
        if op == 0 and b:
            b[i] = rng.randrange(256)
        elif op == 1:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2 and b:
            del b[i:i + rng.randint(1, 16)]
        elif op == 3:
            b[i:i] = rng.choice([b"\r\n", b"\r\n\r\n", b"\x00", b"9" * 30, b"-", b"[", b"{", b"\"", b"\\u"])
        else:
            j = rng.randrange(len(b) + 1)
            b[i:i] = b[j:j + rng.randint(1, 64)]
    return bytes(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    server, port = start(a.binary)
    failures = []
    stats = {"cases": 0, "hangs": 0}
    deadline = time.monotonic() + a.seconds

    lock = __import__("threading").Lock()

    def check(name, raw, expect=None, trickle=None):
        data, closed, took = exchange(port, raw, trickle=trickle)
        with lock:
            stats["cases"] += 1
        if server.poll() is not None:
            failures.append(f"{name}: server exited with {server.returncode}")
            return False
        if not closed and took >= HEADER_TIMEOUT + MARGIN - 0.1:
            with lock:
                stats["hangs"] += 1
            failures.append(f"{name}: connection open after {took:.1f} s")
        if expect and not data.startswith(b"HTTP/1.1 " + expect.encode()) and not data.startswith(b"HTTP/1.0 " + expect.encode()):
            failures.append(f"{name}: expected {expect}, got {data[:40]!r}")
        if b"\"object\":\"list\"" in data:
            failures.append(f"{name}: a smuggled request ran")
        return True

    try:
        exchange(port, request("POST", "/register", json.dumps(
            {"model": MODEL, "backend": "vllm_moecap", "backend_config": {"max_model_len": 4096}}).encode()))
        for name, raw, expect in fixed_cases():
            if not check(name, raw, expect):
                break
        # Slow clients: headers and a body trickled one byte at a time; the server cuts them off.
        check("slow headers", b"GET /health HTTP/1.1\r\nHost: f\r\nX-Slow: " + b"a" * 100, trickle=(1, 0.1))
        check("slow body", request("POST", "/delete", b'{"model": "' + b"a" * 100 + b'"}'), trickle=(1, 0.1))
        check("silent", b"")
        seeds = [request("POST", "/v1/chat/completions", chat()),
                 request("POST", "/v1/chat/completions", chat(stream=True, n=2)),
                 request("POST", "/dump_batch_recording", json.dumps({"model": MODEL}).encode()),
                 request("GET", "/batch_recording_status?model=Qwen%2FQwen3-30B-A3B"),
                 request("POST", "/register", json.dumps({"model": "x/y", "backend": "vllm"}).encode()),
                 b"POST /delete HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n1\r\n}\r\n0\r\n\r\n"]
        # Mutations, 16 at a time (a mutated length makes the server wait for the body deadline).
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            while stats["cases"] < a.count and time.monotonic() < deadline and server.poll() is None:
                batch = [mutate(rng, rng.choice(seeds)) for _ in range(16)]
                list(pool.map(lambda raw: check("mutation", raw), batch))
        health, _, _ = exchange(port, request("GET", "/health"))
        if not health.startswith(b"HTTP/1.1 200"):
            failures.append(f"/health after the run: {health[:40]!r}")
    finally:
        alive = server.poll() is None
        server.terminate()
        server.wait(timeout=10)
    print(f"fuzz-http: {stats['cases']} cases, {stats['hangs']} hangs past {HEADER_TIMEOUT + MARGIN:.0f} s, "
          f"server {'alive' if alive else 'DEAD'}, {len(failures)} failures")
    for f in failures[:20]:
        print("  " + f)
    sys.exit(1 if failures or not alive else 0)


if __name__ == "__main__":
    main()
