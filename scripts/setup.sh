#!/usr/bin/env bash
# Installs what pitchtap's build and tests need, skipping whatever is already there.
# Idempotent; takes about a second when nothing is missing. Called by `make setup`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { echo "setup: $*"; }

# Debian packages, in the background while cargo builds the tools below (a fresh machine
# spends minutes on each; together they overlap).
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v sox >/dev/null || missing+=(sox)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
# The other two engines the tests run in: Firefox ESR, and WebKitGTK (Safari's engine:
# WebKitWebDriver and MiniBrowser) with the X server it needs (it has no headless mode).
[ -x /usr/lib/firefox-esr/firefox-esr ] || missing+=(firefox-esr)
command -v WebKitWebDriver >/dev/null || missing+=(webkit2gtk-driver)
command -v xvfb-run >/dev/null || missing+=(xvfb)
# A null sink for Firefox's live AudioContext (tests/e2e/engines/pulse.mjs), installed
# without the recommended packages, which would pull in a desktop.
need_pulse=0; command -v pulseaudio >/dev/null || need_pulse=1
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
apt_pid=""
if [ ${#missing[@]} -gt 0 ] || [ $need_pulse = 1 ]; then
  say "installing ${missing[*]} $([ $need_pulse = 1 ] && echo pulseaudio) from Debian (in the background)"
  (
    $SUDO apt-get update -qq
    if [ ${#missing[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if [ $need_pulse = 1 ]; then
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends pulseaudio >/dev/null
    fi
  ) &
  apt_pid=$!
fi

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
if ! rustup component list --installed 2>/dev/null | grep -q '^clippy'; then
  rustup component add clippy rustfmt
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WB_VERSION" ]; then
  say "installing wasm-bindgen-cli $WB_VERSION (takes minutes)"
  # No --locked: the CLI's own lockfile names a crate version the registry here lacks.
  cargo install wasm-bindgen-cli --version "=$WB_VERSION" --force
fi

if ! command -v wasm-pack >/dev/null; then
  say "installing wasm-pack (takes minutes)"
  cargo install --locked wasm-pack
fi

# `wasm-pack test --firefox` needs geckodriver on PATH (it would try to download one).
if ! command -v geckodriver >/dev/null; then
  say "installing geckodriver (takes minutes)"
  cargo install --locked geckodriver
fi

if [ -n "$apt_pid" ] && ! wait "$apt_pid"; then
  say "installing Debian packages failed"
  exit 1
fi

# npm dev dependencies (playwright-core drives Debian's chromium, puppeteer-core its Firefox;
# binaryen gives wasm-opt; rolldown's minifier shrinks pkg/'s JavaScript; ESLint and Prettier
# for `make lint`).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/puppeteer-core ] \
   || [ package.json -nt node_modules/.package-lock.json ] \
    || [ package-lock.json -nt node_modules/.package-lock.json ] || [ ! -x node_modules/.bin/tsc ] || [ ! -x node_modules/.bin/vite ] || [ ! -d node_modules/rolldown ] \
    || [ ! -x node_modules/.bin/eslint ] || [ ! -x node_modules/.bin/prettier ]; then
  say "installing npm dev dependencies"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
fi
say "ok"
