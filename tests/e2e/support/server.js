// Serves dist/ with scripts/serve.py on a free local port for the length of a test file.
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import fs from "node:fs";
import { REPO, DIST } from "./env.js";

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** `args`: extra scripts/serve.py flags, e.g. ["--throttle", "fast3g", "--traffic-log", file]. */
export async function startServer(dir = DIST, args = []) {
  if (!fs.existsSync(path.join(dir, "index.html"))) throw new Error(`${dir} is not built: run scripts/build.sh`);
  const port = await freePort();
  const proc = spawn("python3", [path.join(REPO, "scripts/serve.py"), "--dir", dir, "--port", String(port), ...args], {
    env: { ...process.env, SERVE_QUIET: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return { url, port, stop: () => proc.kill() };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error(`server on ${url} did not start`);
}
