# pitchtap: `make demo` and `make test` work on a fresh machine (they install what is missing).
SHELL := /bin/bash
# wasm-opt from the npm package `binaryen` first: Debian's is too old for this rustc.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
PORT ?= 8080
# The browser engines the wasm and end-to-end tests run in.
ENGINES ?= chromium firefox webkit
# `make bench` builds once, then runs each bench-* with BENCH_NO_BUILD=1 (scripts/bench-all.sh).
BENCH_DEPS := $(if $(BENCH_NO_BUILD),,build)

.PHONY: setup build size demo test test-native test-wasm test-e2e lint bench bench-pitch bench-worklet bench-gc clean

setup:
	@./scripts/setup.sh

# pkg/snippets/ first: wasm-pack adds to it and never removes a snippet a build no longer
# imports, which the package would then ship.
build: setup
	rm -rf pkg/snippets
	wasm-pack build --release --target web --out-dir pkg --out-name pitchtap_wasm --no-pack
	node scripts/bundle-worklet.mjs
	node scripts/bundle-main.mjs
	node scripts/package.mjs
	node scripts/minify.mjs
	node scripts/size-budget.mjs

# Raw and gzipped size of each file the package ships, against the budget (also run by build).
size:
	node scripts/size-budget.mjs

demo: build
	node scripts/serve.mjs --port $(PORT)

# Rust: rustfmt, clippy (native and wasm32), rustdoc. JavaScript and TypeScript we own:
# ESLint (eslint.config.js) and Prettier (.prettierrc.json, .prettierignore); `npx prettier
# --write .` applies the formatting.
lint: setup
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
	eslint .
	prettier --check .

test-native: setup
	cargo test --quiet

# Run without cross-origin isolation, so any hidden SharedArrayBuffer need fails. Release
# build: the analyzer tests block the page for long stretches, and a debug build on a slow
# machine outlasted the test runner's 20 s WebDriver request.
# In each engine of ENGINES: Chromium (chromedriver), Firefox ESR (geckodriver) and WebKitGTK
# (WebKitWebDriver, under xvfb-run: WebKitGTK has no headless mode). WebKitGTK 2.50.6's
# optimizing wasm tier (OMG) now and then traps with "Out of bounds memory access" inside
# PitchDetector::new in one analyzer test (2 runs in 10 here, with or without SIMD; 0 in 12
# with JSC_useOMGJIT=false; never in Chromium or Firefox; docs/troubleshooting.md): the wasm
# tests run without that tier; the end-to-end suite runs WebKit as it ships.
test-wasm: setup
	@fail=0; for e in $(ENGINES); do echo "== wasm tests in $$e"; \
	  case $$e in \
	    chromium) WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1 WASM_BINDGEN_TEST_TIMEOUT=600 wasm-pack test --headless --chrome --release || fail=1 ;; \
	    firefox) WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1 WASM_BINDGEN_TEST_TIMEOUT=600 wasm-pack test --headless --firefox --release || fail=1 ;; \
	    webkit) WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1 WASM_BINDGEN_TEST_TIMEOUT=600 JSC_useOMGJIT=false xvfb-run -a wasm-pack test --headless --safari --safaridriver /usr/bin/WebKitWebDriver --release || fail=1 ;; \
	    *) echo "unknown engine $$e"; fail=1 ;; \
	  esac; done; exit $$fail

# The browser end-to-end suite once per engine (tests/e2e/harness.mjs); `make test-e2e
# ENGINES=firefox` runs one. Every engine runs even when one fails.
test-e2e: build
	@fail=0; for e in $(ENGINES); do echo "== end-to-end tests in $$e"; \
	  PITCHTAP_ENGINE=$$e node --test --test-concurrency=1 tests/e2e/ || fail=1; done; exit $$fail

# tests/types/consumer.ts against pkg/index.d.ts with tsc --strict (its @ts-expect-error lines must error).
.PHONY: test-types
test-types: build
	tsc --strict --noEmit -p tests/types

test: lint test-native test-wasm test-types test-e2e

bench-pitch: setup
	./scripts/bench-pitch.sh

bench-worklet: $(BENCH_DEPS)
	node benches/node-worklet/worklet-bench.mjs

# Every bench, each printing markdown tables, then the time each took and the total
# (scripts/bench-all.sh; it must stay under 20 min on the 2-core machine). The script
# builds the package once, as its first timed step; BENCH_NO_BUILD=1 keeps each bench-*
# target from rebuilding it.
bench: setup
	./scripts/bench-all.sh

.PHONY: bench-transports bench-pitch-browser bench-batch bench-pool
# Browser benches (headless Debian Chromium via tests/e2e/harness.mjs); see benches/browser/*.mjs.
# Transports side by side, offline and live; live (c2) and (e) run 150 s for the GC comparison;
# live (g), (c2) + pitchy + RMS in JS, against (f) gives the analysis cost ratio (target: 3x or more).
bench-transports: $(BENCH_DEPS)
	node benches/browser/transports.mjs --seconds 60 --gc-seconds 150 --warmup 3 --steady-warmup 25

# Allocation sites on the AudioWorklet thread: V8's sampling heap profiler, pitchtap against c2,
# in the steady state (after V8's wasm wrappers have tiered up; docs/architecture.md).
bench-gc: $(BENCH_DEPS)
	node benches/browser/worklet-heap.mjs --seconds 10 --warmup 25 --interval 32

bench-pitch-browser: $(BENCH_DEPS)
	node benches/browser/pitch-cost.mjs --seconds 20 --repeats 3

bench-batch: $(BENCH_DEPS)
	node benches/browser/batch-size.mjs --seconds 10

bench-pool: $(BENCH_DEPS)
	node benches/browser/pool-jank.mjs --repeats 10

# Onset-to-pitch latency: pitchtap (defaults, latency: 'low') against AnalyserNode(2048) +
# pitchy per animation frame, in one live context (benches/browser/latency.mjs).
.PHONY: bench-latency
bench-latency: $(BENCH_DEPS)
	node benches/browser/latency.mjs --trials 60

# The same 60 s live run in Chromium, Firefox and WebKit (benches/browser/engines.mjs). Not
# part of `make bench`, which stays under its 20 minutes without it.
.PHONY: bench-engines
bench-engines: $(BENCH_DEPS)
	node benches/browser/engines.mjs --seconds 60

# create() on a fresh page, cold and after PitchTap.preload() (docs/benchmarks.md, "First create").
.PHONY: bench-create
bench-create: build
	@for e in $(ENGINES); do PITCHTAP_ENGINE=$$e node benches/browser/create-time.mjs 7 || exit 1; done

# The longest main-thread block the default pool rides out, in each engine of ENGINES
# (scripts/stall-bound.mjs; results in docs/reliability.md).
.PHONY: bench-stall
bench-stall: build
	@for e in $(ENGINES); do PITCHTAP_ENGINE=$$e node scripts/stall-bound.mjs 3 || exit 1; done

# 60 min of audio through an OfflineAudioContext, then 10 min live from the fake microphone:
# drops, gaps and heap every 30 s (scripts/soak.mjs; results in docs/reliability.md).
.PHONY: soak
soak: build
	node scripts/soak.mjs --offline-minutes 60 --live-minutes 10 --every 30

clean:
	rm -rf pkg target
