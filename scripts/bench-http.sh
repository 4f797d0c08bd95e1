#!/usr/bin/env bash
# HTTP figures of fake-sllm (release build, --serving direct: raw engine capacity, no router): requests/s for
# small non-streaming completions in no-wait mode (load tool: wrk, 64 connections, 2 threads, 10 s), side by side
# with nginx (Debian's, 2 workers, access log off) answering every request with a fixed body of the same size,
# and the ratio, and the server CPU (user + system) per request of each (steadier than requests/s on a busy
# machine); then peak server memory (VmHWM) while 1,000 streaming requests are open at once.
# Usage: scripts/bench-http.sh BIN_DIR   (NGINX=0 skips the nginx baseline)
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

rate() { sed -n 's/^Requests\/sec: *\([0-9.]*\)$/\1/p' "$1"; }
# CPU seconds (user + system) a process and its children-threads have used so far, in clock ticks.
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Microseconds of server CPU per request: ticks before, ticks after, the wrk output.
per_request() {
  awk -v a="$1" -v b="$2" -v t="$(getconf CLK_TCK)" -v n="$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$3")" \
    'BEGIN { if (n > 0) printf "%.1f", (b - a) / t * 1e6 / n }'
}

if [ "${NGINX:-1}" != 0 ] && ! command -v nginx >/dev/null && ! [ -x /usr/sbin/nginx ]; then
  echo "bench-http: installing nginx" >&2
  apt-get install -y -qq nginx-light >/dev/null 2>&1 || sudo apt-get install -y -qq nginx-light >/dev/null 2>&1 ||
    apt-get install -y -qq nginx >/dev/null 2>&1 || sudo apt-get install -y -qq nginx >/dev/null 2>&1 || true
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

for window in 0 default; do
  if [ "$window" = 0 ]; then start_server --serving direct --no-wait --burst-window-ms 0; label="arrival holds off: raw capacity"
  else start_server --serving direct --no-wait; label="default arrival holds: reproducible arrivals, lockstep with the client"; fi
  curl -s "$url/v1/chat/completions" -d '{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"warm"}],"max_tokens":2}' >/dev/null
  echo "== small non-streaming completions, no-wait mode, $label (wrk -t2 -c64 -d10s, max_tokens 8)"
  t0=$(ticks $pid)
  wrk -t2 -c64 -d10s -s "$dir/post.lua" "$url/v1/chat/completions" >"$dir/wrk-$window"
  t1=$(ticks $pid)
  grep -E "Requests/sec|Latency|requests in|Non-2xx" "$dir/wrk-$window"
  cpu=$(per_request "$t0" "$t1" "$dir/wrk-$window"); echo "  server CPU per request: $cpu us"
  [ "$window" = 0 ] && cpu_fake=$cpu
  if [ "$window" = 0 ]; then
    curl -s -o "$dir/body.json" "$url/v1/chat/completions" -H "Content-Type: application/json" \
      -d '{"model":"Qwen/Qwen3-30B-A3B","messages":[{"role":"user","content":"Hi"}],"max_tokens":8,"temperature":0}'
  fi
  kill -INT $pid; wait $pid || true
done
awk '/Requests\/sec/ { print $2 }' "$dir/wrk-0" "$dir/wrk-default" | paste -sd' ' | awk '$1 > 0 {
  printf "  arrival holds on / off: %.2fx the requests/s (holds end when nobody can arrive: docs/serving.md)\n", $2 / $1 }'

if [ "${NGINX:-1}" != 0 ] && [ -x "$nginx_bin" ]; then
  # nginx returns the body fake-sllm just gave (same size), from two workers like fake-sllm's two polling threads.
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  mkdir -p "$dir/nginx/logs"
  # nginx's quoted strings take \\ and \' escapes.
  body=$(sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g" "$dir/body.json")
  cat >"$dir/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $dir/nginx/body;
  server {
    listen 127.0.0.1:$port;
    location / { default_type application/json; return 200 '$body'; }
  }
}
CONF
  "$nginx_bin" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -g "daemon off;" 2>"$dir/nginx/stderr" &
  npid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  echo "== the same load against nginx returning a fixed $(wc -c <"$dir/body.json")-byte body (2 workers, access log off)"
  workers=$(pgrep -P $npid || true)
  nticks() { local s=0 w; for w in $workers; do s=$((s + $(ticks $w))); done; echo $s; }
  t0=$(nticks)
  wrk -t2 -c64 -d10s -s "$dir/post.lua" "http://127.0.0.1:$port/v1/chat/completions" >"$dir/wrk-nginx"
  t1=$(nticks)
  grep -E "Requests/sec|Latency|requests in|Non-2xx" "$dir/wrk-nginx"
  cpu_nginx=$(per_request "$t0" "$t1" "$dir/wrk-nginx"); echo "  server CPU per request: $cpu_nginx us"
  kill -QUIT $npid 2>/dev/null; wait $npid 2>/dev/null || true
  awk -v f="$(rate "$dir/wrk-0")" -v n="$(rate "$dir/wrk-nginx")" \
    'BEGIN { if (n > 0) printf "== fake-sllm (arrival holds off) / nginx: %.2fx (goal >= 0.5x)\n", f / n }'
  # CPU per request does not depend on what else the machine runs (requests/s does): the steadier figure.
  awk -v f="${cpu_fake:-0}" -v n="${cpu_nginx:-0}" 'BEGIN { if (f > 0 && n > 0)
    printf "== CPU per request, fake-sllm / nginx: %.1fx (%s us / %s us)\n", f / n, f, n }'
fi

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
