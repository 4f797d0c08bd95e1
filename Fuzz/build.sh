#!/usr/bin/env bash
# Builds the libFuzzer targets (docs/fuzzing.md) with swiftc -sanitize=fuzzer,address, outside `swift build`:
# each library the targets need is compiled as its own module, instrumented, then linked into one binary per
# target. Usage: Fuzz/build.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.build/fuzz}
mkdir -p "$OUT/modules"
FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -enable-testing -I "$OUT/modules")
# This package's modules share one package name (as `swift build` gives them), so `package` declarations are seen
# across them; a dependency's module is given its own.
PACKAGE=(-package-name fake_sllm)

# module NAME SOURCE_DIR [FLAGS]: one instrumented object + module interface per library
module() {
    local name=$1 dir=$2; shift 2
    local package=("${PACKAGE[@]}")
    [ "${1:-}" = -package-name ] && package=()
    # shellcheck disable=SC2046
    swiftc "${FLAGS[@]}" "${package[@]}" "$@" -module-name "$name" -wmo -emit-module -emit-module-path "$OUT/modules/$name.swiftmodule" \
        -emit-object -o "$OUT/modules/$name.o" $(find "$dir" -name '*.swift' | sort)
}

[ -d .build/checkouts/swift-log/Sources/Logging ] || swift package resolve >/dev/null
echo "fuzz: building modules (MoECore, SimEngine, Logging, FakeSLLM)"
module MoECore Sources/MoECore
module SimEngine Sources/SimEngine
module Logging .build/checkouts/swift-log/Sources/Logging -package-name swift_log
module FakeSLLM Sources/FakeSLLM

link() {
    local target=$1; shift
    echo "fuzz: linking fuzz-$target"
    swiftc "${FLAGS[@]}" "${PACKAGE[@]}" -module-name "Fuzz$target" "$@" -o "$OUT/fuzz-$target"
}
link json Fuzz/JSONParser/main.swift "$OUT/modules/MoECore.o"
link dataset Fuzz/DatasetRows/main.swift "$OUT/modules/MoECore.o"
# The evaluator's SSE parser is fuzzed as it is, compiled straight into its target.
link sse Fuzz/SSEParser/main.swift Sources/EvaluatorClient/SSEParser.swift Sources/EvaluatorClient/SSEEvent.swift
link router Fuzz/Router/main.swift "$OUT/modules/FakeSLLM.o" "$OUT/modules/SimEngine.o" "$OUT/modules/MoECore.o" \
    "$OUT/modules/Logging.o"
