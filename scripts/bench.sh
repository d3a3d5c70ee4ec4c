#!/usr/bin/env bash
# Benchmark command: builds the release page, serves it locally and prints in-browser figures
# (model latency, load time, stroke-to-label time, Fast-3G first visit), bundle sizes, and the
# speed race against ONNX Runtime Web with tract's native latency as the ceiling. The printed
# figures replace the generated part of BENCHMARKS.md, so that file always holds one run.
# Not part of the test run: it measures, it does not assert.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
ensure_bench_tools
scripts/build.sh
log "building bench-native (release)"
cargo build --release -p playground-cli --bin bench-native
out=$(mktemp)
{
    echo "Command: \`scripts/bench.sh\`, run $(date -u '+%Y-%m-%d %H:%M') UTC at commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'),"
    echo "on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) × $(nproc), headless $(/usr/bin/chromium --version 2>/dev/null | head -1)."
    node tests/e2e/bench/bench.js
    echo
    BENCH_NATIVE="${CARGO_TARGET_DIR:-target}/release/bench-native" node tests/e2e/bench/race.js
} | tee "$out"
python3 - "$out" <<'PY'
import pathlib, re, sys
figures = pathlib.Path(sys.argv[1]).read_text()
doc = pathlib.Path("BENCHMARKS.md")
text = doc.read_text()
start, end = "<!-- bench:start -->", "<!-- bench:end -->"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: f"{start}\n{figures}\n{end}", text, flags=re.S)
doc.write_text(text)
PY
log "figures written to BENCHMARKS.md"
