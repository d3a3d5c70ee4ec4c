# Shared by the scripts: installs what a fresh machine lacks. Each step is skipped when done.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm32 targets and the wasm-bindgen CLI whose version Cargo.lock pins (the CLI must
# equal the library's version, or the generated glue does not match).
ensure_wasm_tools() {
    # wasm32-wasip1: the model tests run under Node's WASI as well (scripts/test.sh).
    local target
    for target in wasm32-unknown-unknown wasm32-wasip1; do
        if ! rustup target list --installed | grep -qx "$target"; then
            log "adding the $target target"
            rustup target add "$target"
        fi
    done
    local want
    want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' "$(repo_root)/Cargo.lock")
    if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
        log "installing wasm-bindgen-cli $want (a few minutes, once)"
        cargo install wasm-bindgen-cli --version "$want"
    fi
}

# The demos' worker with threads (Cargo feature `threads`) needs what stable Rust lacks: a `std`
# built with wasm atomics (`-Z build-std`, nightly, rust-src). The nightly is pinned so that a
# fresh clone builds the same code; the version wasm-bindgen-rayon's README recommends is older
# than our wasm-bindgen.
THREADS_TOOLCHAIN=nightly-2026-05-20
# Atomics and shared memory (imported, so the pool's workers share it; 1 GiB at most, which the
# browser reserves up front), the TLS exports wasm-bindgen's thread setup calls, simd128 as always.
THREADS_RUSTFLAGS="-C target-feature=+atomics,+bulk-memory,+mutable-globals,+simd128 \
-C link-arg=--shared-memory -C link-arg=--max-memory=1073741824 -C link-arg=--import-memory \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base"
ensure_threads_toolchain() {
    if ! rustup component list --toolchain "$THREADS_TOOLCHAIN" --installed 2>/dev/null | grep -q '^rust-src'; then
        log "installing Rust $THREADS_TOOLCHAIN with rust-src (once; for the threaded worker)"
        rustup toolchain install "$THREADS_TOOLCHAIN" --profile minimal --component rust-src
    fi
}

# Debian's Chromium and ChromeDriver, and the Node packages of the end-to-end tests.
ensure_browser_tools() {
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        log "installing chromium and chromium-driver (apt)"
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
    if [ ! -d "$(repo_root)/tests/e2e/node_modules/playwright-core" ]; then
        # Not the optional onnxruntime-web (~140 MB): only the benchmark's race runs it.
        log "installing the end-to-end test packages (npm ci --omit=optional)"
        (cd "$(repo_root)/tests/e2e" && npm ci --omit=optional --no-audit --no-fund --loglevel=error)
    fi
}

# The benchmark's packages: the tests' and onnxruntime-web, the peer it races.
ensure_bench_tools() {
    ensure_browser_tools
    if [ ! -d "$(repo_root)/tests/e2e/node_modules/onnxruntime-web" ]; then
        log "installing the benchmark's packages (npm ci, with onnxruntime-web)"
        (cd "$(repo_root)/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}
