#!/usr/bin/env python3
"""Serves dist/ on 127.0.0.1 (default port 8080): static files only, with the wasm MIME type
and revalidation on every load (Cache-Control: no-cache + Last-Modified, so a reload costs a
304, not the bytes).

- Files that scripts/build.sh pre-compressed (NAME.gz beside NAME) are sent gzip-encoded to
  browsers that accept it, as any real static host would compress them.
- --throttle fast3g shapes the traffic like Chrome DevTools' "Fast 3G" profile, for the
  benchmark's time-to-first-guess figures. It is done here, in the server, because DevTools
  throttling does not apply to a dedicated worker's requests (our wasm and models).
- --isolate adds the cross-origin isolation headers (COOP/COEP) that threaded wasm needs."""
import argparse
import functools
import http.server
import os
import threading
import time

# Chrome DevTools' presets (front_end/core/sdk/NetworkManager.ts): "Fast 3G" is 1.6 Mbps
# down and 150 ms RTT, each scaled by Lighthouse's factors (×0.9 throughput, ×3.75 latency).
PROFILES = {"fast3g": (1.6e6 * 0.9 / 8, 0.150 * 3.75), "slow3g": (500e3 * 0.8 / 8, 0.400 * 5)}
CHUNK = 16 * 1024

parser = argparse.ArgumentParser()
parser.add_argument("--dir", default=os.path.join(os.path.dirname(__file__), "..", "dist"))
parser.add_argument("--port", type=int, default=8080)
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--throttle", choices=sorted(PROFILES), help="shape traffic like this network profile")
parser.add_argument("--isolate", action="store_true", help="send COOP/COEP headers")
parser.add_argument("--traffic-log", help="append 'PATH BYTES' per response body sent (for the benchmark)")
args = parser.parse_args()


class Link:
    """One shared downlink: every response's bytes queue on the same token bucket, as all
    requests of a phone share its one connection."""

    def __init__(self, bytes_per_second, latency):
        self.rate, self.latency = bytes_per_second, latency
        self.lock = threading.Lock()
        self.free_at = time.monotonic()

    def send(self, write, data):
        for i in range(0, len(data), CHUNK):
            chunk = data[i : i + CHUNK]
            with self.lock:
                start = max(self.free_at, time.monotonic())
                self.free_at = start + len(chunk) / self.rate
                wait = self.free_at - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            write(chunk)


LINK = Link(*PROFILES[args.throttle]) if args.throttle else None
LOG_LOCK = threading.Lock()
STARTED = time.monotonic()


class Handler(http.server.SimpleHTTPRequestHandler):
    gzip_path = None
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".onnx": "application/octet-stream",
        ".txt": "text/plain; charset=utf-8",
        ".webmanifest": "application/manifest+json",
    }

    def send_head(self):
        if LINK:
            time.sleep(LINK.latency)
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        self.gzip_path = None
        if "gzip" in self.headers.get("Accept-Encoding", "") and os.path.isfile(path + ".gz"):
            self.gzip_path = path + ".gz"
        return super().send_head()

    def send_header(self, keyword, value):
        # The .gz file stands in for the plain one: its length, and the plain file's type.
        if self.gzip_path and keyword == "Content-Length":
            value = str(os.path.getsize(self.gzip_path))
        super().send_header(keyword, value)

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        # What a host should send (README, "Hosting"): only embed.html may be framed by other
        # sites; the full app only by itself (its kept models' Remove buttons must not be
        # clickable through someone else's page).
        framed_anywhere = self.path.split("?")[0].endswith("/embed.html")
        self.send_header("Content-Security-Policy", "frame-ancestors *" if framed_anywhere else "frame-ancestors 'self'")
        if not framed_anywhere:
            self.send_header("X-Frame-Options", "SAMEORIGIN")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.gzip_path:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        if args.isolate:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        super().end_headers()

    def copyfile(self, source, outputfile):
        if self.gzip_path:
            source.close()
            source = open(self.gzip_path, "rb")
        try:
            data = source.read()
            (LINK.send if LINK else lambda write, d: write(d))(outputfile.write, data)
        finally:
            source.close()
        if args.traffic_log:
            with LOG_LOCK, open(args.traffic_log, "a") as log:
                log.write(f"{time.monotonic() - STARTED:.2f}s {self.path} {len(data)}\n")

    def log_message(self, fmt, *a):
        if os.environ.get("SERVE_QUIET") != "1":
            super().log_message(fmt, *a)


server = http.server.ThreadingHTTPServer((args.host, args.port), functools.partial(Handler, directory=args.dir))
server.daemon_threads = True
note = f", throttled like {args.throttle}" if args.throttle else ""
print(f"serving {os.path.abspath(args.dir)} on http://{args.host}:{args.port}/{note}", flush=True)
server.serve_forever()
