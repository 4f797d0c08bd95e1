#!/usr/bin/env bash
# Checks a release tarball the way a user without Swift runs it (docs/install.md): unpacks it into a temporary
# folder, fails if either binary needs a Swift runtime library (ldd: libswift*, libFoundation*, libdispatch,
# libBlocksRuntime), then, with PATH holding only /usr/bin and /bin (no Swift) and an empty environment, runs
# `--help` of both, a short `fake-sllm simulate`, and `fake-sllm serve` answering /health and one completion.
# Usage: scripts/dist-check.sh dist/fake-sllm-*.tar.gz
set -euo pipefail
tarball=${1:?usage: dist-check.sh TARBALL}
work=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
tar -C "$work" -xzf "$tarball"
root=$(echo "$work"/fake-sllm-*)
fail() { echo "dist-check: $*" >&2; exit 1; }
for b in fake-sllm moecap-eval; do
  deps=$(ldd "$root/bin/$b")
  if echo "$deps" | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime|not found'; then
    echo "$deps" >&2
    fail "$b needs a library the tarball does not bring"
  fi
done
clean() { env -i PATH=/usr/bin:/bin HOME="$work" "$@"; }
clean sh -c 'command -v swift >/dev/null' && fail "swift is on the clean PATH"
cd "$root"
clean bin/fake-sllm --help >/dev/null || fail "fake-sllm --help"
clean bin/moecap-eval --help >/dev/null || fail "moecap-eval --help"
clean bin/fake-sllm simulate --model Qwen/Qwen3-30B-A3B --gpu-type H100 --requests 20 --output-tokens 16 \
  >"$work/simulate.out" || fail "fake-sllm simulate"
grep -q . "$work/simulate.out" || fail "simulate printed nothing"
clean bin/fake-sllm serve --port 0 --no-wait --deploy Fixtures/deploy/qwen3-30b-a3b-h100.json \
  >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on //p' "$work/serve.out" | head -1)
[ -n "$url" ] || { cat "$work/serve.err" >&2; fail "serve did not start"; }
port=${url##*:}
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
head -1 <&3 | grep -q ' 200' || fail "GET /health"
exec 3<&-
body='{"model": "Qwen/Qwen3-30B-A3B", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}'
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
  "${#body}" "$body" >&3
reply=$(cat <&3)
exec 3<&-
echo "$reply" | grep -q '"choices"' || { echo "$reply" >&2; fail "POST /v1/chat/completions"; }
echo "dist-check: $(basename "$tarball"): no Swift runtime needed; --help, simulate and serve ran with PATH=/usr/bin:/bin"
