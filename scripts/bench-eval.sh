#!/usr/bin/env bash
# Evaluator figures (release build). First the CPU of a whole 1,319-item GSM8K-shaped run (the test set's size,
# default max_tokens 512, concurrency 100) against fake-sllm (--serving direct --no-wait --burst-window-ms 0, the
# seed's moecap_config.json), side by side with two Python stand-ins for evaluate_moecap.py on the same server
# (scripts/bench-eval-python.py, from PyPI in .build/bench-venv; docs/evaluator.md "The bench's Python
# stand-ins"), each printed as a ratio:
# - "light stand-in": the script's wire and file work only (aiohttp, requests, tqdm; items read with json.loads);
# - "stand-in with MoE-CAP's loader and chat template": the same, plus what MoE-CAP does before sending: items
#   loaded through HuggingFace datasets, each prompt built with tokenizer.apply_chat_template and counted with
#   tokenizer.encode (a small byte-level BPE built here, as the hub is out of reach: the real 151k-token
#   tokenizer costs more), transformers imported. Without datasets/transformers/tokenizers (pip failed) only the
#   light figure is printed, and the script says so.
# Then the request rate moecap-eval sustains in no-wait mode and its client CPU per request: 5,000 requests
# (max_tokens 16), concurrency 64 and 1, no streaming.
# Usage: scripts/bench-eval.sh BIN_DIR
set -euo pipefail
bin=${1:-.build/release}
dir=$(mktemp -d)
trap 'kill -INT $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
python3 - "$dir/data.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(5000):
        f.write(json.dumps({"question": f"Item {i}: a shop sells {i % 50 + 2} apples a day. How many in a week?",
                            "answer": f"{i % 50 + 2}*7=<<{i % 50 + 2}*7={(i % 50 + 2) * 7}>>\n#### {(i % 50 + 2) * 7}"}) + "\n")
PY
cpu() { awk '{ printf "%.2f", $2 + $3 }' "$1"; }
python3 - "$dir/gsm8k.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1319):
        a, b = i % 90 + 3, i % 13 + 2
        f.write(json.dumps({"question": f"Problem {i}: a farmer has {a} rows of {b} plants and sells {a} plants. "
                                        f"How many plants are left?",
                            "answer": f"{a}*{b}=<<{a}*{b}={a * b}>>{a * b}\n{a * b}-{a}={a * b - a}\n#### {a * b - a}"}) + "\n")
PY
venv=.build/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import aiohttp, requests, tqdm" 2>/dev/null; then
  echo "bench-eval: installing aiohttp, requests and tqdm into $venv (PyPI)" >&2
  { python3 -m venv "$venv" && "$venv/bin/pip" install -q aiohttp requests tqdm; } >"$dir/pip.log" 2>&1 ||
    { echo "bench-eval: no Python baseline (pip failed: $(tail -1 "$dir/pip.log"))" >&2; venv=""; }
fi
moecap=""  # the tokenizer folder of the MoE-CAP-loader stand-in, when its packages are there
# HuggingFace libraries: no hub (out of reach here), their caches in this run's folder.
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HOME="$dir/hf"
if [ -n "$venv" ]; then
  if ! "$venv/bin/python" -c "import datasets, transformers, tokenizers, jinja2" 2>/dev/null; then
    echo "bench-eval: installing datasets, transformers, tokenizers and jinja2 into $venv (PyPI)" >&2
    "$venv/bin/pip" install -q datasets transformers tokenizers jinja2 >"$dir/pip2.log" 2>&1 ||
      echo "bench-eval: only the light stand-in (pip failed: $(tail -1 "$dir/pip2.log"))" >&2
  fi
  if "$venv/bin/python" scripts/bench-eval-python.py --build-tokenizer "$dir/tokenizer" "$dir/gsm8k.jsonl" \
    >"$dir/tok.log" 2>&1; then
    moecap="$dir/tokenizer"
  else
    echo "bench-eval: only the light stand-in (no tokenizer: $(tail -1 "$dir/tok.log"))" >&2
  fi
fi
"$bin/fake-sllm" serve --port 0 --deploy Fixtures/deploy/moecap_config.json --serving direct --no-wait \
  --burst-window-ms 0 >"$dir/log1319" 2>&1 &
pid1319=$!
for _ in $(seq 100); do
  url=$(sed -n 's/^fake-sllm: listening on \(http:[^ ]*\)$/\1/p' "$dir/log1319"); [ -n "$url" ] && break; sleep 0.1
done
echo "== 1,319 GSM8K-shaped items, whole run, CPU (user+sys) of the client; moecap_config.json, direct, no-wait, holds off"
/usr/bin/time -f "%e %U %S %M" -o "$dir/time-swift" "$bin/moecap-eval" --model Qwen/Qwen3-30B-A3B --dataset gsm8k \
  --data-file "$dir/gsm8k.jsonl" --server-url "$url" --output-dir "$dir/out1319" --quiet >/dev/null
printf "  %-51s %s\n" "moecap-eval:" "$(cpu "$dir/time-swift") s CPU, $(cut -d' ' -f1 "$dir/time-swift") s wall"
standin() {  # args: label, time file, stand-in arguments before the common ones
  local label=$1 tf=$2; shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$tf" "$venv/bin/python" scripts/bench-eval-python.py "$@" \
    "$dir/gsm8k.jsonl" "$url" Qwen/Qwen3-30B-A3B "$dir/outpy" 512 >/dev/null 2>"$dir/py.err" ||
    { echo "bench-eval: the $label failed:" >&2; tail -5 "$dir/py.err" >&2; }
  printf "  %-51s %s s CPU, %s s wall\n" "$label:" "$(cpu "$tf")" "$(cut -d' ' -f1 "$tf")"
}
ratio() {  # args: label, stand-in time file
  awk -v s="$(cpu "$dir/time-swift")" -v p="$(cpu "$2")" -v l="$1" \
    'BEGIN { printf "  moecap-eval CPU / %s CPU: %.3f (goal <= 0.10)\n", l, (p > 0 ? s / p : 0) }'
}
if [ -n "$venv" ]; then
  standin "light stand-in" "$dir/time-py"
  if [ -n "$moecap" ]; then
    standin "stand-in with MoE-CAP's loader and chat template" "$dir/time-py-moecap" --moecap "$moecap"
  fi
  ratio "light stand-in" "$dir/time-py"
  if [ -n "$moecap" ]; then ratio "stand-in with MoE-CAP's loader and chat template" "$dir/time-py-moecap"; fi
fi
kill -INT $pid1319; wait $pid1319 2>/dev/null || true

"$bin/fake-sllm" serve --port 0 --no-wait --deploy Fixtures/deploy/qwen3-30b-a3b-h100.json >"$dir/log" 2>&1 &
for _ in $(seq 100); do
  url=$(sed -n 's/^fake-sllm: listening on \(http:[^ ]*\)$/\1/p' "$dir/log"); [ -n "$url" ] && break; sleep 0.1
done
for c in 64 1; do
  n=$([ $c = 1 ] && echo 1000 || echo 5000)
  /usr/bin/time -f "%e %U %S %M" -o "$dir/time" "$bin/moecap-eval" --model Qwen/Qwen3-30B-A3B --dataset gsm8k \
    --data-file "$dir/data.jsonl" --num-samples $n --server-url "$url" --output-dir "$dir/out" --max-tokens 16 \
    --concurrency $c --quiet >/dev/null
  read -r wall user sys rss <"$dir/time"
  python3 - "$dir/out/metrics.json" "$wall" "$user" "$sys" "$rss" "$c" "$n" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); wall, user, sys_, rss, c, n = map(float, sys.argv[2:])
cm = m["client_metrics"]; wc = cm["wall_clock"]
print(f"== concurrency {int(c)}, {int(n)} requests")
print(f"  sending phase: {wc['duration_s']:.2f} s, {wc['request_throughput_rps']:.0f} requests/s, failures {cm['failed_requests']}")
print(f"  whole run (load, warm-up, dump {m['batch_metrics'].get('total_batches', 0)} records, metrics, files): {wall:.2f} s wall")
print(f"  client CPU (user+sys) per request: {(user + sys_) / n * 1e6:.0f} us; peak RSS {rss / 1024:.0f} MiB")
print(f"  e2e latency (wall clock) mean {wc['e2e_latency_s']['mean'] * 1e3:.2f} ms, p99 {wc['e2e_latency_s']['p99'] * 1e3:.2f} ms")
PY
done

# Arrival holds on against off (docs/serving.md "Reproducible arrivals"): 1,319 GSM8K-shaped items through the
# seed deploy config, --serving direct --no-wait, at concurrency 100 (the default) and 1,319 (all at once). Each
# pair runs on fresh servers in this one command, so the ratio compares like with like on a loaded machine.
python3 - "$dir/gsm8k.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(1319):
        f.write(json.dumps({"question": f"Janet has {i % 40 + 3} ducks that lay {i % 7 + 2} eggs each a day. She eats "
                            f"{i % 5 + 1} and sells the rest at ${i % 4 + 2} each. How much does she make a day?",
                            "answer": f"#### {(i % 40 + 3) * (i % 7 + 2)}"}) + "\n")
PY
holds_run() {  # args: concurrency, then server flags; prints wall seconds
  rm -f "$dir/hlog"  # else the loop below may read the previous server's address before the new log is opened
  "$bin/fake-sllm" serve --port 0 --serving direct --no-wait --deploy Fixtures/deploy/moecap_config.json "${@:2}" \
    >"$dir/hlog" 2>&1 &
  local spid=$! hurl=""
  for _ in $(seq 100); do
    hurl=$(sed -n 's/^fake-sllm: listening on \(http:[^ ]*\)$/\1/p' "$dir/hlog" 2>/dev/null); [ -n "$hurl" ] && break; sleep 0.1
  done
  /usr/bin/time -f "%e" -o "$dir/htime" "$bin/moecap-eval" --model Qwen/Qwen3-30B-A3B --dataset gsm8k \
    --data-file "$dir/gsm8k.jsonl" --num-samples 1319 --server-url "$hurl" --output-dir "$dir/hout" \
    --concurrency "$1" --quiet >/dev/null
  kill -INT $spid; wait $spid || true
  cp "$dir/hout/batch_data.json" "$dir/hrecords.$1.$(date +%s%N).json"
  cat "$dir/htime"
}
# Two holds-on runs per concurrency, each on a fresh server: their wall times, and whether their records match.
for c in 100 1319; do
  rm -f "$dir"/hrecords.$c.*
  off=$(holds_run $c --burst-window-ms 0); rm -f "$dir"/hrecords.$c.*
  on=$(holds_run $c); on2=$(holds_run $c)
  same=$(python3 -c 'import json, sys; r = [json.load(open(p))["records"] for p in sys.argv[1:3]]; print("yes" if r[0] == r[1] else "no")' \
    $(ls "$dir"/hrecords.$c.* | head -2))
  echo "== arrival holds, 1,319 GSM8K items, moecap_config.json, --serving direct --no-wait, concurrency $c"
  awk -v on="$on" -v on2="$on2" -v off="$off" -v same="$same" 'BEGIN {
    printf "  holds off %.2f s, default holds %.2f s and %.2f s wall: %.2fx and %.2fx; records of the two identical: %s\n",
      off, on, on2, on / off, on2 / off, same }'
done
