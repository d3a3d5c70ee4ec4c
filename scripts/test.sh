#!/usr/bin/env bash
# README quick start, command 2: every test. `.ci/run` calls exactly this.
#   1. no import cycles (scripts/check_imports.py); native: core (preprocessing goldens, registry,
#      real-data inference, photos), CLI, UI reducers and the service's ledger; op-profile compiles
#   2. core preprocessing and kernels under wasm32 (parity digests, SIMD pool), the model tests
#      under wasm32-wasip1 in Node, UI components in headless Chromium (wasm-bindgen-test)
#   3. release build, then end-to-end specs in headless Chromium against the served build
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
ensure_wasm_tools
ensure_browser_tools

log "module imports: no cycles in core or the UI"
python3 scripts/check_imports_test.py
python3 scripts/check_imports.py

log "native tests"
# With the threaded worker's `threads` feature on, so that crates/core/tests/threads.rs runs; it
# changes nothing until a session is handed to the pool, which only that test binary does.
cargo test --workspace --features playground-core/threads

log "experiments/op-profile (run by hand): still compiles, and profiles what ships"
python3 experiments/op-profile/same_as_shipped.py
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/op-profile" \
    cargo check --locked --manifest-path experiments/op-profile/Cargo.toml

log "core preprocessing and kernels under wasm32 (+simd128) in Node: same as native"
# (photos: the photo preprocessing, which the sketch page's worker build leaves out)
cargo test --target wasm32-unknown-unknown -p playground-core --no-default-features --features photos --test parity
cargo test --target wasm32-unknown-unknown -p playground-kernels --test kernels

log "model tests under wasm32 (+simd128, the browser's convolutions and matrix kernel) in Node: the native figures"
# Not the one that loads every registry model (the 23 MB sentiment model among them): with that
# much wasm memory Node 20's V8 crashed in 4 runs of 6 (scripts/wasi_run.mjs); without it, 0 of 6.
CARGO_TARGET_WASM32_WASIP1_RUNNER="node --no-warnings $PWD/scripts/wasi_run.mjs" \
    cargo test --target wasm32-wasip1 -p playground-core --test models --test gemm -- --nocapture \
    --skip every_registry_model_loads_and_its_labels_match_its_outputs
# The matrix kernel op by op (it exists only in wasm32 + simd128).
CARGO_TARGET_WASM32_WASIP1_RUNNER="node --no-warnings $PWD/scripts/wasi_run.mjs" \
    cargo test --target wasm32-wasip1 -p playground-gemm --test kernel

log "UI component tests in headless Chromium (wasm-bindgen-test)"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" WASM_BINDGEN_TEST_TIMEOUT=120 \
    cargo test --target wasm32-unknown-unknown -p playground --test ui

log "release build"
scripts/build.sh

log "end-to-end tests in headless Chromium"
cd tests/e2e
npm test
