#!/usr/bin/env bash
# Builds the release site into dist/: the app and worker wasm (+ their wasm-bindgen glue),
# index.html, static files and the models.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
ensure_wasm_tools

log "building app (profile web) and worker (profile web-worker), wasm32 + simd128"
# Separate cargo runs: the app without tract, then each worker build with its own features.
# The profiles (Cargo.toml) trade nothing measurable in model speed for half the size.
cargo build --profile web --target wasm32-unknown-unknown --bin app
rm -rf dist
mkdir -p dist/models
bindgen() { # wasm file (under the target dir), output name
    wasm-bindgen --target web --no-typescript --remove-name-section --out-dir dist --out-name "$2" \
        "${CARGO_TARGET_DIR:-target}/$1.wasm"
}
bindgen wasm32-unknown-unknown/web/app app
# The worker three times (src/client.rs `Build`): the sketch page's (feature `cnn`: its plain
# CNNs only, no tract, what a first visit waits for), the demos' (feature `engine`: every registry
# model, tract's as NNEF, no ONNX front end, 0.4 MB gzip smaller) and the playground's (feature
# `onnx`: also reads ONNX files). Same output path, so each is bound before the next replaces it.
cargo build --profile web-worker --target wasm32-unknown-unknown --bin worker --features cnn
bindgen wasm32-unknown-unknown/web-worker/worker worker_sketch
cargo build --profile web-worker --target wasm32-unknown-unknown --bin worker --features engine
bindgen wasm32-unknown-unknown/web-worker/worker worker
# The same build with threads (feature `threads`, `worker_mt`): worker_loader.js runs it where the
# page is cross-origin isolated. Its own target dir: other flags, another toolchain, std rebuilt.
log "building the demos' worker with threads (feature threads; nightly, std with atomics)"
ensure_threads_toolchain
RUSTFLAGS="$THREADS_RUSTFLAGS" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/threads" \
    cargo "+$THREADS_TOOLCHAIN" build --profile web-worker --target wasm32-unknown-unknown \
    --bin worker --features threads -Z build-std=panic_abort,std
bindgen threads/wasm32-unknown-unknown/web-worker/worker worker_mt
log "building the playground's worker (feature onnx)"
cargo build --profile web-worker --target wasm32-unknown-unknown --bin worker --features onnx
bindgen wasm32-unknown-unknown/web-worker/worker worker_onnx
# sw.js is written by precache.py, last: its template here would be served mid-build.
cp index.html embed.html dist/
find static -maxdepth 1 -type f ! -name sw.js -exec cp {} dist/ \;
# Every registry model as the workers load it (registry `served_path`): tract's as the NNEF
# archive converted from its .onnx file, the plain CNNs' .onnx as is; and its labels or
# vocabulary (registry `labels_path`), if any (native, dev profile: the test run builds the same
# dependencies; tract itself is at opt-level 3 there).
log "converting the models to NNEF"
cargo run -q -p playground-cli --bin onnx-to-nnef -- models dist/models
# The game's "how others drew it" (models/train/make_examples.py), fetched at the game's end.
cp models/sketch/examples.json dist/models/sketch/
# The clean page's sample photo (fetched when asked for, kept once used).
cp models/denoise/sample.jpg dist/models/denoise/
# The service worker's list of this build's files with their hashes, and the .gz copies.
python3 scripts/precache.py dist
log "built dist/ ($(du -sh dist | cut -f1))"
