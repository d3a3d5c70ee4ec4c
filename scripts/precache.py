#!/usr/bin/env python3
"""Writes DIST/sw.js from static/sw.js for the build in DIST, and pre-compresses its files.

The service worker precaches every file of the build (plus the playground's worker URL with its
query) but those fetched on demand (ON_DEMAND: kept once a page has used them), and checks each
one against the SHA-256 written here, so a stale HTTP cache or a captive
portal's HTML never lands in its cache. VERSION, a hash of all of them, names the cache.
Run by scripts/build.sh; the update tests run it on a copy of dist/ to make "the next build"."""
import gzip
import hashlib
import json
import pathlib
import sys

dist = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
template = pathlib.Path(__file__).resolve().parent.parent / "static" / "sw.js"
files = sorted(p for p in dist.rglob("*") if p.is_file() and p.name != "sw.js" and p.suffix != ".gz")
# Fetched only when a page asks for them, then kept for offline use: the models of the pages beyond
# the first demos (the write page's): not worth every visitor's bytes on a crowded network; and the
# demos' worker with threads, which only a cross-origin isolated page runs (worker_loader.js).
ON_DEMAND = ("./models/shakespeare/", "./models/denoise/", "./models/sentiment/", "./worker_mt")
sha = {"./" + str(f.relative_to(dist)): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
on_demand = {url: digest for url, digest in sha.items() if url.startswith(ON_DEMAND)}
sha = {url: digest for url, digest in sha.items() if url not in on_demand}
# The app's start URL, each worker build and the demos' worker's partner (the same file; its query
# picks the build or the role, and a worker's URL is the URL its script was cached under, so it is
# cached under that one).
sha["./"] = sha["./index.html"]
for build in ("sketch", "demos", "onnx"):
    sha[f"./worker_loader.js?build={build}"] = sha["./worker_loader.js"]
sha["./worker_loader.js?role=partner"] = sha["./worker_loader.js"]
version = hashlib.sha256(json.dumps([sha, on_demand], sort_keys=True).encode()).hexdigest()[:16]
# Pre-compressed copies for scripts/serve.py (any static host compresses these on its own).
COMPRESSED = {".wasm", ".js", ".html", ".css", ".onnx", ".tar", ".txt", ".svg", ".json", ".webmanifest"}
for f in files:
    if f.suffix in COMPRESSED:
        f.with_name(f.name + ".gz").write_bytes(gzip.compress(f.read_bytes(), 9, mtime=0))
# The service worker last (its .gz first): a browser that looks for a new build while this runs
# finds the old one, or the new one with every file it lists already in place.
sw = dist / "sw.js"
text = (template.read_text().replace("__VERSION__", version)
        .replace("__FILES__", json.dumps(sha, sort_keys=True, indent=0))
        .replace("__ON_DEMAND__", json.dumps(on_demand, sort_keys=True, indent=0)))
sw.with_name("sw.js.gz").write_bytes(gzip.compress(text.encode(), 9, mtime=0))
sw.write_text(text)
print(f"precache: {len(sha)} entries, {len(on_demand)} on demand, version {version}")
