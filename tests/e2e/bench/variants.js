// Compares worker builds (size/speed experiments): for each dist folder given, in interleaved
// rounds, the in-worker inference latency of every model. Prints medians per variant.
// Usage: node tests/e2e/bench/variants.js DIR_A DIR_B ...
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { REPO, drawing } from "../support/env.js";

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const dirs = process.argv.slice(2);
const house = drawing("house", "6253539749789696").drawing.map(([xs, ys]) => xs.map((x, i) => [x, ys[i]]));
const cat = [...fs.readFileSync(path.join(REPO, "crates/core/tests/photos/cat.png"))];
const results = Object.fromEntries(dirs.map((d) => [d, { sketch: [], photo: [], sketch_classify: [], photo_classify: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  for (const dir of dirs) {
    const server = await startServer(dir);
    const b = await launch();
    try {
      await b.page.goto(`${server.url}#/photo`);
      await b.page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 120_000 });
      await b.page.evaluate(() => window.playgroundDebug.benchmark("sketch", [[[0, 0], [10, 10]]], 1)).catch(() => {});
      const loadSketch = async () => {
        await b.page.goto(`${server.url}#/`);
        await b.page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 120_000 });
      };
      const p = await b.page.evaluate(([bytes]) => window.playgroundDebug.benchmark("photo", new Uint8Array(bytes), 15), [cat]);
      await loadSketch();
      await b.page.evaluate(([s]) => window.playgroundDebug.benchmark("sketch", s, 30), [house]);
      const s = await b.page.evaluate(([s]) => window.playgroundDebug.benchmark("sketch", s, 200), [house]);
      const r = results[dir];
      r.sketch.push(...s.infer_ms); r.sketch_classify.push(...s.classify_ms);
      r.photo.push(...p.infer_ms.slice(2)); r.photo_classify.push(...p.classify_ms.slice(2));
    } finally {
      await b.close();
      server.stop();
    }
  }
}
console.log("| variant | worker_bg.wasm raw | sketch infer | sketch strokes→top5 | photo infer | photo PNG→top5 |\n|---|---|---|---|---|---|");
for (const dir of dirs) {
  const r = results[dir], size = fs.statSync(path.join(dir, "worker_bg.wasm")).size;
  console.log(`| ${path.basename(dir)} | ${(size / 1e6).toFixed(2)} MB | ${median(r.sketch).toFixed(2)} ms | ${median(r.sketch_classify).toFixed(2)} ms | ${median(r.photo).toFixed(1)} ms | ${median(r.photo_classify).toFixed(1)} ms |`);
}
