#!/usr/bin/env bash
# make demo: start fake-sllm (Qwen3-30B-A3B on a simulated H100), evaluate it with moecap-eval on the bundled
# GSM8K-format sample, print the metrics. Usage: scripts/demo.sh BIN_DIR
set -euo pipefail
bin=${1:-.build/debug}
out=${DEMO_OUTPUT_DIR:-demo_results}
log=$(mktemp)
"$bin/fake-sllm" serve --port 0 --speedup 50 --deploy Fixtures/deploy/qwen3-30b-a3b-h100.json \
  --oracle-file Fixtures/datasets/gsm8k_sample.jsonl --oracle-dataset gsm8k --oracle-accuracy 0.8 >"$log" 2>&1 &
server=$!
trap 'kill -INT $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do
  url=$(sed -n 's/^fake-sllm: listening on \(http:[^ ]*\)$/\1/p' "$log")
  [ -n "$url" ] && break
  kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "demo: fake-sllm did not start" >&2; cat "$log" >&2; exit 1; }
echo "fake-sllm serving at $url (simulated H100, 50x real time)"
"$bin/moecap-eval" --model Qwen/Qwen3-30B-A3B --dataset gsm8k \
  --data-file Fixtures/datasets/gsm8k_sample.jsonl --server-url "$url" --output-dir "$out" --max-tokens 256 --stream
echo "Report: $(cd "$out" && pwd)/report.html"
