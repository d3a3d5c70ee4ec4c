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
import json
import os
import socket
import threading
import time

# Chrome DevTools' presets (front_end/core/sdk/NetworkManager.ts): "Fast 3G" is 1.6 Mbps
# down and 150 ms RTT, each scaled by Lighthouse's factors (×0.9 throughput, ×3.75 latency).
PROFILES = {"fast3g": (1.6e6 * 0.9 / 8, 0.150 * 3.75), "slow3g": (500e3 * 0.8 / 8, 0.400 * 5)}
CHUNK = 16 * 1024

parser = argparse.ArgumentParser()
parser.add_argument("--dir", default=os.path.join(os.path.dirname(__file__), "..", "dist"))
parser.add_argument("--port", type=int, default=8080)
parser.add_argument("--host", default="127.0.0.1", help="0.0.0.0: also reachable from phones on this network")
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


def lan_addresses():
    """This machine's IPv4 addresses on its networks (no loopback), the outgoing one first."""
    found = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # sends nothing: only picks the outgoing interface
            found.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    return [a for a in dict.fromkeys(found) if not a.startswith("127.")]


# Served on all interfaces, phones can open the page at these origins; the share page asks for
# them (lan-addresses.json) when it was itself opened at 127.0.0.1, which no phone can open.
LAN = [f"http://{a}:{args.port}" for a in lan_addresses()] if args.host in ("0.0.0.0", "") else []
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

    def do_GET(self):
        # Always answered (an empty list when serving this machine only): a 404 would be a
        # console error on the share page.
        if self.path.split("?")[0].endswith("/lan-addresses.json"):
            body = json.dumps({"origins": LAN}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def send_head(self):
        if LINK:
            time.sleep(LINK.latency)
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        self.gzip_path = None
        if "gzip" in self.headers.get("Accept-Encoding", "") and os.path.isfile(path + ".gz"):
            self.gzip_path = path + ".gz"
        # Revalidation by an ETag of the bytes actually sent (the .gz or the plain file), never by
        # Last-Modified: its one-second steps, taken from the plain file, once answered "not
        # modified" to a browser holding a sw.js.gz read while a build was being written, so it
        # never saw the new build's service worker.
        self.etag = None
        try:
            st = os.stat(self.gzip_path or path) if os.path.isfile(path) else None
        except OSError:  # removed mid-build: the plain handler answers 404
            st = None
        if st:
            self.etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            if self.etag in self.headers.get("If-None-Match", ""):
                self.send_response(304)
                self.end_headers()
                return None
        del self.headers["If-Modified-Since"]
        return super().send_head()

    def send_header(self, keyword, value):
        # The .gz file stands in for the plain one: its length, and the plain file's type.
        if self.gzip_path and keyword == "Content-Length":
            value = str(os.path.getsize(self.gzip_path))
        super().send_header(keyword, value)

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        if getattr(self, "etag", None):
            self.send_header("ETag", self.etag)
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
        except (BrokenPipeError, ConnectionResetError):
            # The browser went away mid-file (a closed tab, an aborted fetch): routine, not a server error,
            # and a partial file is not counted in the traffic log.
            return
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
for origin in LAN:
    print(f"  phones on this network: {origin}/", flush=True)
server.serve_forever()
