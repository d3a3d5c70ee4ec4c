// A tiny static server for the speed race (race.js): serves one folder on 127.0.0.1 with the
// wasm MIME type, no caching surprises (Cache-Control: no-cache, like scripts/serve.py), and,
// with `isolate`, COOP: same-origin + COEP: require-corp so the page is cross-origin isolated
// (SharedArrayBuffer, hence ORT's multi-threaded wasm). Records every 404 it answers.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".wasm": "application/wasm", ".css": "text/css", ".json": "application/json",
  ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml", ".png": "image/png",
  ".onnx": "application/octet-stream", ".f32": "application/octet-stream", ".txt": "text/plain; charset=utf-8",
};

export async function serveStatic(root, { isolate = false } = {}) {
  const missing = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.join(root, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ""));
    if (!file.startsWith(root)) file = root;
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    const headers = { "Cache-Control": "no-cache" };
    if (isolate) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      headers["Cross-Origin-Resource-Policy"] = "same-origin";
    }
    if (!fs.existsSync(file) || (req.method !== "GET" && req.method !== "HEAD")) {
      missing.push(url.pathname);
      res.writeHead(404, headers).end("not found");
      return;
    }
    const size = fs.statSync(file).size;
    res.writeHead(200, { ...headers, "Content-Type": TYPES[path.extname(file)] ?? "application/octet-stream", "Content-Length": size });
    if (req.method === "HEAD") return res.end();
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, missing, stop: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) };
}
