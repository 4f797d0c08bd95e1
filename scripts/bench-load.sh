#!/usr/bin/env bash
# Load figures of fake-sllm under hostile and heavy clients (docs/http.md), release build, `--serving direct`
# (raw capacity, no router), loopback only; every
# phase is bounded and stops by itself:
#   1. 10,000 concurrent streams: peak server RSS, /health latency sampled throughout, streams completed
#   2. 20,000 idle connections (two client processes) over a 16,000 cap: the oldest are recycled, others still
#      served (/health, a completion), then the header deadline closes the rest
#   3. disconnect churn: 30 rounds of 1,000 streams that hang up after their first bytes; RSS per round
#   4. long recording: recording on while requests run, then a streamed dump (size, time, peak RSS)
#   5. budget (issue 18): small requests with huge answers (embeddings, log-probabilities, prompts × n), the
#      80k-key parse, 200 slow readers; RSS after each, /health probed throughout
# Usage: scripts/bench-load.sh BIN_DIR [PHASES...]   (phases: streams idle churn recording budget; default all)
set -euo pipefail
bin=${1:-.build/release}; shift || true
phases=${*:-streams idle churn recording budget}
# 20k sockets on each side: raise the descriptor limit (root may raise the hard limit too).
ulimit -Hn 65536 2>/dev/null || true
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
dir=$(mktemp -d)
trap 'kill -INT $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT

start_server() {  # args: extra flags; sets port and pid
  "$bin/fake-sllm" serve --port 0 --serving direct --deploy Fixtures/deploy/qwen3-30b-a3b-h100.json "$@" >"$dir/log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^fake-sllm: listening on http:.*:\([0-9]*\)$/\1/p' "$dir/log"); [ -n "$port" ] && break; sleep 0.1
  done
  [ -n "$port" ] || { cat "$dir/log" >&2; exit 1; }
}
stop_server() { kill -INT "$pid"; wait "$pid" || true; }

for phase in $phases; do
  case $phase in
  streams) start_server --speedup 1 --max-connections 12000
    echo "== 10,000 concurrent streams (speedup 1, max_tokens 300)"
    python3 scripts/load_client.py streams "$port" "$pid" 10000 ;;
  idle) start_server --no-wait --max-connections 16000 --header-timeout 20
    echo "== 20,000 idle connections against --max-connections 16000 (header deadline 20 s)"
    python3 scripts/load_client.py idle "$port" "$pid" 10000 0 &
    holder=$!
    sleep 3
    python3 scripts/load_client.py idle "$port" "$pid" 10000 1
    wait "$holder" || true ;;
  churn) start_server --speedup 1
    echo "== disconnect churn: 30 rounds of 1,000 streams hung up after their first bytes"
    python3 scripts/load_client.py churn "$port" "$pid" 1000 30 ;;
  recording) start_server --no-wait
    echo "== long recording (60 s of requests, no-wait), then a streamed dump"
    python3 scripts/load_client.py recording "$port" "$pid" 60 ;;
  budget) start_server --speedup 1
    echo "== budget: small requests with huge answers, 80k-key JSON, 200 slow readers (issue 18)"
    python3 scripts/load_client.py budget "$port" "$pid" ;;
  *) echo "bench-load: unknown phase $phase" >&2; exit 1 ;;
  esac
  stop_server
done
