# fake-sllm + moecap-eval. `make test` and `make demo` work on a fresh Debian/Ubuntu machine with Swift 6.
SWIFT ?= swift
APT_PACKAGES := libmicrohttpd-dev libcurl4-openssl-dev pkg-config
BIN_DEBUG := .build/debug
BIN_RELEASE := .build/release

.PHONY: dist dist-check setup build release test test-tsan test-asan fuzz fuzz-build fuzz-http demo bench bench-sim bench-sweep \
	bench-fidelity bench-http bench-eval bench-load bench-wallclock lint format clean

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

## dist: release binaries with the Swift runtime linked in, packed with the quick start's fixtures and an install
## note into dist/fake-sllm-<version>-linux-<arch>.tar.gz (own build folder .build/dist; docs/install.md)
dist: setup
	@bash scripts/dist.sh .build/dist

## dist-check: make dist, then run the tarball from a clean environment with no Swift on PATH (ldd, --help,
## simulate, serve); CI runs it after make test (a release build takes several minutes, so make test does not)
dist-check: dist
	@bash scripts/dist-check.sh $$(ls -t dist/fake-sllm-*.tar.gz | head -1)

## test-tsan / test-asan: the tests under ThreadSanitizer / AddressSanitizer (own build folders; docs/fuzzing.md).
## TSan also runs the evaluator's tests, less two wall-clock bounds that its slowdown breaks. test-tsan fails on a
## race report or a run that does not finish; tests that fail on timing under TSan's 5-15x slowdown (holds that
## share an instant, byte budgets filled in time) are listed, not fatal: make test runs them at full speed.
SANITIZER_TESTS ?= FakeSLLMTests|FakeSLLMHTTPTests|SweepTests|SimEngineTests|MoECoreTests
TSAN_TESTS ?= $(SANITIZER_TESTS)|EvaluatorTests
TSAN_SKIP ?= loadsGSM8KSizedFileQuickly|defaultConcurrencyIsAHundredInFlight
test-tsan: setup
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build/tsan
	TSAN_OPTIONS="suppressions=$(CURDIR)/Fuzz/tsan.supp halt_on_error=0" \
	  $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build/tsan --disable-xctest \
	  --filter '$(TSAN_TESTS)' --skip '$(TSAN_SKIP)' 2>&1 | tee .build/tsan/test.log
	@! grep -q "WARNING: ThreadSanitizer" .build/tsan/test.log || { echo "test-tsan: races reported" >&2; exit 1; }
	@grep -qE "Test run with [0-9]+ tests? " .build/tsan/test.log || { echo "test-tsan: the run did not finish" >&2; exit 1; }
	@! grep -qE "Test run with [0-9]+ tests? .*failed" .build/tsan/test.log || { echo "test-tsan: no races; \
	  tests that failed on timing under TSan (they pass in make test):"; grep -E "Test .* failed after" .build/tsan/test.log || true; }

test-asan: setup
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build/asan
	$(SWIFT) test --skip-build --sanitize=address --scratch-path .build/asan --disable-xctest \
	  --filter '$(SANITIZER_TESTS)'

## fuzz: libFuzzer targets (JSON, API router, SSE parser, dataset rows) for FUZZ_SECONDS each, then the
## raw-socket fuzzer against a live server. Found inputs go to .build/fuzz/corpus, crashes to .build/fuzz/crashes.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := json router sse dataset
fuzz-build: setup
	bash Fuzz/build.sh .build/fuzz

fuzz: fuzz-build build
	@mkdir -p .build/fuzz/crashes
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p .build/fuzz/corpus/$$t; \
	  echo "== fuzz-$$t ($(FUZZ_SECONDS) s)"; \
	  .build/fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
	    -artifact_prefix=.build/fuzz/crashes/$$t- .build/fuzz/corpus/$$t Fixtures/fuzz/$$t >.build/fuzz/$$t.log 2>&1; \
	  rc=$$?; grep -E "^(stat::number_of_executed_units|stat::new_units_added|Done)" .build/fuzz/$$t.log; \
	  [ $$rc = 0 ] || { tail -40 .build/fuzz/$$t.log; echo "fuzz-$$t: failed (input in .build/fuzz/crashes)" >&2; exit 1; }; \
	done
	$(MAKE) --no-print-directory fuzz-http

fuzz-http: build
	python3 scripts/fuzz-http.py $(BIN_DEBUG)/fake-sllm --count 3000 --seconds $(FUZZ_SECONDS)

## bench-load: 10k streams, 20k idle connections, disconnect churn, long recording (release build, loopback)
bench-load: release
	@bash scripts/bench-load.sh $(BIN_RELEASE)

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
	@$(BIN_RELEASE)/fake-sllm fidelity --step-check Fixtures/calibration/NVIDIA-H200-140GB.step-check.json \
		|| echo "bench-fidelity: held-out suite targets missed (figures above)"

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

## bench-wallclock: AIPerf's wall-clock TTFT/ITL against the server's simulated figures, x1 and x20, --api openai
bench-wallclock: release
	@bash scripts/bench-wallclock.sh $(BIN_RELEASE)
