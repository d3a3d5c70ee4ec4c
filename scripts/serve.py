#!/usr/bin/env python3
"""Serves dist/ on 127.0.0.1 (default port 8080): static files only, with the wasm MIME type
and no caching surprises while developing. No compression: the benchmark reports gzip sizes."""
import argparse
import functools
import http.server
import os

parser = argparse.ArgumentParser()
parser.add_argument("--dir", default=os.path.join(os.path.dirname(__file__), "..", "dist"))
parser.add_argument("--port", type=int, default=8080)
parser.add_argument("--host", default="127.0.0.1")
args = parser.parse_args()


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".onnx": "application/octet-stream",
        ".txt": "text/plain; charset=utf-8",
    }

    def end_headers(self):
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, fmt, *a):
        if os.environ.get("SERVE_QUIET") != "1":
            super().log_message(fmt, *a)


server = http.server.ThreadingHTTPServer((args.host, args.port), functools.partial(Handler, directory=args.dir))
print(f"serving {os.path.abspath(args.dir)} on http://{args.host}:{args.port}/", flush=True)
server.serve_forever()
