#!/usr/bin/env bash
# Simulation speed (docs/engine.md): the GSM8K test set's size (1,319 requests, prompts ~150 tokens, outputs ~250)
# against Qwen3-30B-A3B on one H100, all sent at once, simulated in-process. Prints wall time, steps per second
# and simulated time ÷ wall time (best of 3 runs).
# Usage: scripts/bench-sim.sh BIN_DIR   (e.g. .build/release)
set -euo pipefail
bin="${1:?usage: scripts/bench-sim.sh BIN_DIR}"
exe="$bin/fake-sllm"
[ -x "$exe" ] || { echo "bench-sim: $exe not found or not executable" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
best=""
for run in 1 2 3; do
  "$exe" simulate --model Qwen/Qwen3-30B-A3B --gpu H100 --gpus 1 --workload all-at-once --requests 1319 \
    --prompt-tokens normal:150:40 --output-tokens normal:250:80 --seed 1 \
    --records-out "$tmp/records.json" --requests-out "$tmp/requests.jsonl" > "$tmp/summary.json"
  wall="$(sed -n 's/^ *"wall_seconds": \([0-9.e+-]*\),\{0,1\}$/\1/p' "$tmp/summary.json")"
  if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
    best="$wall"
    cp "$tmp/summary.json" "$tmp/best.json"
  fi
done
field() { sed -n "s/^ *\"$1\": \([^,]*\),\{0,1\}$/\1/p" "$tmp/best.json"; }
echo "bench-sim: 1319 requests, Qwen3-30B-A3B on 1×H100, all at once (best of 3)"
echo "  steps                 $(field steps)  (decode $(field decode_steps), prefill $(field prefill_steps), preemptions $(field preemptions))"
echo "  simulated seconds     $(field simulated_seconds)"
echo "  wall seconds          $(field wall_seconds)"
echo "  steps per second      $(field steps_per_second)"
echo "  simulated ÷ wall      $(field simulated_per_wall)"
echo "  routing per step (µs) $(field routing_us_per_step)"
