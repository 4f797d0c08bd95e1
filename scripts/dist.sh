#!/usr/bin/env bash
# Release binaries for machines without Swift (docs/install.md): both executables built in release mode with the
# Swift standard library and Foundation linked statically (--static-swift-stdlib), packed with the fixtures the
# quick start uses and an install note into dist/fake-sllm-<version>-linux-<arch>.tar.gz.
# Usage: scripts/dist.sh [SCRATCH]   (SCRATCH: the build folder, default .build/dist, kept apart from .build)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${1:-.build/dist}
swift=${SWIFT:-swift}
"$swift" build -c release --static-swift-stdlib --scratch-path "$scratch" --product fake-sllm
"$swift" build -c release --static-swift-stdlib --scratch-path "$scratch" --product moecap-eval
bin=$("$swift" build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)
version=$(sed -n 's/.*string = "\([^"]*\)".*/\1/p' Sources/MoECore/Version.swift | head -1)
name="fake-sllm-${version:-dev}-linux-$(uname -m)"
stage="dist/$name"
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/Fixtures"
cp "$bin/fake-sllm" "$bin/moecap-eval" "$stage/bin/"
strip "$stage/bin/fake-sllm" "$stage/bin/moecap-eval" 2>/dev/null || true
cp -r Fixtures/deploy Fixtures/datasets Fixtures/calibration "$stage/Fixtures/"
cp docs/install.md "$stage/INSTALL.md"
cp README.md "$stage/README.md"
tar -C dist -czf "dist/$name.tar.gz" "$name"
echo "dist/$name.tar.gz"
