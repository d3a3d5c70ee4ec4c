#!/usr/bin/env bash
# Builds the three size-experiment programs for wasm32 + simd128 and prints their sizes after
# wasm-bindgen (names removed), raw and gzip -9. About 5 minutes on 2 cores, once.
set -euo pipefail
cd "$(dirname "$0")"
target="${CARGO_TARGET_DIR:-../../target/worker-size}"
RUSTFLAGS="-C target-feature=+simd128" CARGO_TARGET_DIR="$target" \
    cargo build --profile web --target wasm32-unknown-unknown --bins
out=$(mktemp -d)
printf '| program | raw | gzip -9 |\n|---|---|---|\n'
for bin in onnx_full onnx_two_ops nnef_only; do
    wasm-bindgen --target web --no-typescript --remove-name-section --out-dir "$out" \
        "$target/wasm32-unknown-unknown/web/$bin.wasm"
    raw=$(stat -c %s "$out/${bin}_bg.wasm")
    gz=$(gzip -9 -c "$out/${bin}_bg.wasm" | wc -c)
    printf '| %s | %.2f MB | %.3f MB |\n' "$bin" "$(echo "$raw / 1000000" | bc -l)" "$(echo "$gz / 1000000" | bc -l)"
done
rm -rf "$out"
