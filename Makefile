# fake-sllm + moecap-eval. `make test` and `make demo` work on a fresh Debian/Ubuntu machine with Swift 6.
SWIFT ?= swift
APT_PACKAGES := libmicrohttpd-dev libcurl4-openssl-dev pkg-config
BIN_DEBUG := .build/debug
BIN_RELEASE := .build/release

.PHONY: setup build release test demo bench bench-sim bench-sweep bench-fidelity bench-http bench-eval lint format clean

## setup: install the C libraries the build needs (idempotent)
setup:
	@if pkg-config --exists libmicrohttpd libcurl 2>/dev/null; then exit 0; fi; \
	echo "setup: installing $(APT_PACKAGES)"; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "setup: apt-get not found; install libmicrohttpd, libcurl (dev headers) and pkg-config by hand" >&2; exit 1; fi; \
	SUDO=""; if [ "$$(id -u)" != 0 ]; then \
	  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else \
	  echo "setup: not root and no sudo; run: apt-get install -y $(APT_PACKAGES)" >&2; exit 1; fi; fi; \
	$$SUDO apt-get update -qq >/dev/null && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null || \
	  { echo "setup: apt-get install $(APT_PACKAGES) failed" >&2; exit 1; }; \
	pkg-config --exists libmicrohttpd libcurl || { echo "setup: pkg-config still cannot find the libraries" >&2; exit 1; }

## build: debug build of both executables
build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

## test: setup, build and every test: unit and live-socket, then the end-to-end tests (they wait on the built
## binaries) and the third-party clients (AIPerf and Chromium load both cores) each on their own, so the timing
## tests never share the two cores with them
test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest --skip 'EndToEndTests|EcosystemTests'
	$(SWIFT) test --skip-build --disable-xctest --filter EndToEndTests
	$(SWIFT) test --skip-build --disable-xctest --filter EcosystemTests

## demo: start fake-sllm, evaluate it on the bundled GSM8K sample, print the metrics
demo: build
	@bash scripts/demo.sh $(BIN_DEBUG)

## bench: speed figures (release build)
bench: release bench-sim bench-sweep bench-fidelity bench-http bench-eval

bench-sim: release
	@bash scripts/bench-sim.sh $(BIN_RELEASE)

bench-sweep: release
	@bash scripts/bench-sweep.sh $(BIN_RELEASE)

bench-fidelity: release
	$(BIN_RELEASE)/fake-sllm fidelity --step-check Fixtures/calibration/NVIDIA-H200-140GB.step-check.json

bench-http: release
	@bash scripts/bench-http.sh $(BIN_RELEASE)

lint:
	$(SWIFT) format lint -r Sources Tests

format:
	$(SWIFT) format -i -r Sources Tests

clean:
	rm -rf .build

bench-eval: release
	@bash scripts/bench-eval.sh $(BIN_RELEASE)
