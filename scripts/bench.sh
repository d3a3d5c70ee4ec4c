#!/usr/bin/env bash
# Benchmark command: builds the release page, serves it locally and prints in-browser
# figures (model latency, load time, stroke-to-label time) and bundle sizes raw and gzip.
# Not part of the test run: it measures, it does not assert.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
ensure_browser_tools
scripts/build.sh
node tests/e2e/bench/bench.js
