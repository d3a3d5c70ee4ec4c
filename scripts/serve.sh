#!/usr/bin/env bash
# README quick start, command 1: installs what is missing, builds the release page and serves
# it on http://127.0.0.1:8080 (PORT=... to change). HOST=0.0.0.0 serves it to phones on this
# network too and prints the address they can open (the share page offers it as well). It sends
# COOP/COEP (`--isolate`): the page is then cross-origin isolated, so the photo model runs on
# threads (static/worker_loader.js), as on any host that sends them (README, "Hosting").
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
exec python3 scripts/serve.py --isolate --host "${HOST:-127.0.0.1}" --port "${PORT:-8080}"
