#!/usr/bin/env bash
# Rewrites citations of the team's external reference notes to the project's own docs (docs/CITATIONS.md).
#
#   scripts/rewrite-citations.sh [DIR...]        default: Sources Tests
#
# Only file names change; section numbers and section names stay as they are, because the docs keep the
# notes' numbering. Any leading `../shared/reference/`, `shared/reference/` or `reference/` is dropped, so
#   sllm_api.md §3.6 step 5                  -> docs/sllm-api.md §3.6 step 5
#   `reference/validation_targets.md`        -> `docs/validation-targets.md`
# Running it twice changes nothing the second time. Prints each changed file and the number of changed lines.
set -euo pipefail

if [ "$#" -eq 0 ]; then set -- Sources Tests; fi
for dir in "$@"; do
    if [ ! -d "$dir" ]; then
        echo "rewrite-citations: no such directory: $dir" >&2
        exit 1
    fi
done

# old note name -> new doc path
mapping=(
    "sllm_api.md=docs/sllm-api.md"
    "moecap_metrics.md=docs/moecap-metrics.md"
    "validation_targets.md=docs/validation-targets.md"
    "swift_notes.md=docs/swift-interop.md"
)

prefix='(\.\./)?(shared/)?(reference/)?'
script=()
names=()
for pair in "${mapping[@]}"; do
    old="${pair%%=*}"
    new="${pair#*=}"
    stem="${old%.md}"
    names+=("$stem")
    script+=(-e "s#${prefix}${stem}\\.md#${new}#g")
done
pattern="(${names[0]}$(printf '|%s' "${names[@]:1}"))\\.md"

# GNU sed takes -i alone, BSD sed needs an (empty) suffix argument.
if sed --version >/dev/null 2>&1; then inplace=(-i); else inplace=(-i ''); fi

total=0
while IFS= read -r -d '' file; do
    n=$(grep -cE "$pattern" "$file" || true)
    [ "$n" -gt 0 ] || continue
    sed "${inplace[@]}" -E "${script[@]}" "$file"
    echo "$n  $file"
    total=$((total + n))
done < <(grep -rlZE --include='*.swift' --include='*.h' --include='*.c' --include='*.modulemap' "$pattern" "$@" || true)

echo "rewrite-citations: $total line(s) changed"
