#!/usr/bin/env bash
# Where one inference's time goes, operator by operator: the registry models' optimized tract
# plans natively and in wasm32 + simd128 under Node's WASI (the V8 that Chromium runs), built
# with the worker's profile. Prints each plan twice: as our session runs it (with
# `fast_ops::speed_up`) and as tract alone plans it. Usage: run.sh [RUNS]. About 5 minutes on
# 2 cores the first time. tract's knobs (TRACT_* environment variables, e.g.
# TRACT_LAZY_IM2COL_MIN_KERNEL=100 for eager im2col) reach both the native and the wasm run.
set -euo pipefail
cd "$(dirname "$0")"
runs="${1:-1000}"
target="${CARGO_TARGET_DIR:-../../target/op-profile}"
rustup target add wasm32-wasip1 >/dev/null
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT
(cd ../.. && cargo run -q -p playground-cli --bin onnx-to-nnef -- models "$models")
CARGO_TARGET_DIR="$target" cargo build -q --release
# +simd128 comes from the repository's .cargo/config.toml, as for the worker.
CARGO_TARGET_DIR="$target" cargo build -q --profile web-worker --target wasm32-wasip1
for model in "$models"/*/model.nnef.tar; do
    for plan in ours tract; do
        echo "== $(basename "$(dirname "$model")"), $plan plan, native"
        "$target/release/op-profile" "$model" "$runs" "$plan"
        echo "== $(basename "$(dirname "$model")"), $plan plan, wasm32 + simd128 in Node $(node --version)"
        # Node 20 segfaults tearing down the photo model's WASI instance, after it has printed
        # everything: report the status and go on.
        node --no-warnings ../../scripts/wasi_run.mjs "$target/wasm32-wasip1/web-worker/op-profile.wasm" "$model" "$runs" "$plan" ||
            echo "(node exited with status $?)"
    done
done
