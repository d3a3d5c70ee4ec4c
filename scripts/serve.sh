#!/usr/bin/env bash
# README quick start, command 1: installs what is missing, builds the release page and serves
# it on http://127.0.0.1:8080 (PORT=... to change).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec python3 scripts/serve.py --port "${PORT:-8080}"
