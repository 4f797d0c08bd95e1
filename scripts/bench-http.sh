#!/usr/bin/env bash
# HTTP figures of fake-sllm (release build, --serving direct: raw engine capacity, no router): requests/s for
# small non-streaming completions in no-wait mode
# (load tool: wrk, 64 connections, 2 threads, 10 s), and peak server memory (VmHWM) while 1,000 streaming
# requests are open at once. Usage: scripts/bench-http.sh BIN_DIR
set -euo pipefail
bin=${1:-.build/release}
command -v wrk >/dev/null || { echo "bench-http: installing wrk" >&2; apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk >/dev/null; }
dir=$(mktemp -d)
trap 'kill -INT $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT

start_server() {  # args: extra flags; sets url and pid
  "$bin/fake-sllm" serve --port 0 --deploy Fixtures/deploy/qwen3-30b-a3b-h100.json "$@" >"$dir/log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    url=$(sed -n 's/^fake-sllm: listening on \(http:[^ ]*\)$/\1/p' "$dir/log"); [ -n "$url" ] && break; sleep 0.1
  done
}

cat >"$dir/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Hi"}],"max_tokens":8,"temperature":0}'
LUA

for window in 0 default; do
  if [ "$window" = 0 ]; then start_server --serving direct --no-wait --burst-window-ms 0; label="arrival holds off: raw capacity"
  else start_server --serving direct --no-wait; label="default arrival holds: reproducible arrivals, lockstep with the client"; fi
  curl -s "$url/v1/chat/completions" -d '{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"warm"}],"max_tokens":2}' >/dev/null
  echo "== small non-streaming completions, no-wait mode, $label (wrk -t2 -c64 -d10s, max_tokens 8)"
  wrk -t2 -c64 -d10s -s "$dir/post.lua" "$url/v1/chat/completions" | tee "$dir/wrk-$window" | grep -E "Requests/sec|Latency|requests in|Non-2xx"
  kill -INT $pid; wait $pid || true
done
awk '/Requests\/sec/ { print $2 }' "$dir/wrk-0" "$dir/wrk-default" | paste -sd' ' | awk '$1 > 0 {
  printf "  arrival holds on / off: %.2fx the requests/s (holds end when nobody can arrive: docs/serving.md)\n", $2 / $1 }'

start_server --serving direct --speedup 1
echo "== 1,000 concurrent streaming requests (speedup 1, max_tokens 2000)"
python3 - "$url" "$pid" <<'PY'
import socket, sys, time, re
url, pid = sys.argv[1], sys.argv[2]
host, port = re.match(r"http://([^:]+):(\d+)", url).groups()
body = '{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Tell a long story"}],"max_tokens":2000,"ignore_eos":true,"stream":true}'
req = ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
       f"Content-Length: {len(body)}\r\n\r\n{body}").encode()
def hwm():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmHWM", "VmRSS")): print("   ", line.strip())
print("  before:"); hwm()
socks = []
for _ in range(1000):
    s = socket.create_connection((host, int(port))); s.sendall(req); socks.append(s)
time.sleep(3)
got = 0
for s in socks:
    s.setblocking(False)
    try: got += len(s.recv(1 << 20)) > 0
    except BlockingIOError: pass
print(f"  streams open: {len(socks)}, streams that delivered tokens: {got}")
print("  with 1,000 streams open:"); hwm()
for s in socks: s.close()
PY
kill -INT $pid; wait $pid || true
