# pitchtap: `make demo` and `make test` work on a fresh machine (they install what is missing).
SHELL := /bin/bash
# wasm-opt from the npm package `binaryen` first: Debian's is too old for this rustc.
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
PORT ?= 8080

.PHONY: setup build demo test test-native test-wasm test-e2e lint bench bench-pitch bench-worklet bench-gc clean

setup:
	@./scripts/setup.sh

build: setup
	wasm-pack build --release --target web --out-dir pkg --out-name pitchtap_wasm --no-pack
	node scripts/package.mjs
	node scripts/bundle-worklet.mjs

demo: build
	node scripts/serve.mjs --port $(PORT)

lint: setup
	cargo fmt --all --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

test-native: setup
	cargo test --quiet

# Run without cross-origin isolation, so any hidden SharedArrayBuffer need fails.
test-wasm: setup
	WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1 wasm-pack test --headless --chrome

test-e2e: build
	node --test --test-concurrency=1 tests/e2e/

# tests/types/consumer.ts against pkg/index.d.ts with tsc --strict (its @ts-expect-error lines must error).
.PHONY: test-types
test-types: build
	tsc --strict --noEmit -p tests/types

test: lint test-native test-wasm test-types test-e2e

bench-pitch: setup
	./scripts/bench-pitch.sh

bench-worklet: build
	node benches/node-worklet/worklet-bench.mjs

bench: bench-pitch bench-worklet bench-gc

# Live Chrome trace of GCs per thread: pitchtap, with analysis, and the plain-JS pool baseline.
bench-gc: build
	node benches/browser/worklet-gc.mjs --seconds 90 --c2
	node benches/browser/worklet-gc.mjs --seconds 90
	node benches/browser/worklet-gc.mjs --seconds 90 --analysis
	node benches/browser/worklet-gc.mjs --seconds 90 --batch-size 16384

# 60 min of audio through an OfflineAudioContext, then 10 min live from the fake microphone:
# drops, gaps and heap every 30 s (scripts/soak.mjs; results in docs/reliability.md).
.PHONY: soak
soak: build
	node scripts/soak.mjs --offline-minutes 60 --live-minutes 10 --every 30

clean:
	rm -rf pkg target
