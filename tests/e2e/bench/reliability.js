// Reliability figures, run by hand (BENCHMARKS.md, "Memory over 1,000 classifications"; scripts/bench.sh
// does not run it): memory of both wasm instances over 1,000 classifications through the page, and the
// faults the e2e suite injects.
// Measures; asserts nothing (the specs do).
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { REPO, drawing } from "../support/env.js";

const CLASSIFICATIONS = 1000;
const mb = (b) => `${(b / 1048576).toFixed(1)} MiB`;

const server = await startServer();
const b = await launch();
try {
  const sketch = new SketchPage(b.page);
  await sketch.open(server.url);
  await sketch.waitForAllClasses();
  const page = b.page;
  const house = drawing("house", "6253539749789696").drawing;
  const asPoints = house.map(([xs, ys]) => xs.map((x, i) => [x, ys[i]]));
  const memories = async () => ({
    app: await page.evaluate(() => window.playgroundDebug.memory()),
    worker: (await page.evaluate(([s]) => window.playgroundDebug.benchmark("sketch", s, 1), [asPoints])).worker_memory,
  });
  // Warm: the first drawings and answers size the buffers once.
  for (let i = 0; i < 3; i++) {
    await sketch.draw(house);
    await page.getByTestId("clear").click();
  }
  const before = await memories();
  const seq = () => page.$eval("[data-testid=guesses]", (e) => Number(e.dataset.seq)).catch(() => 0);
  const first = await seq();
  // Each stroke's end is a classification through the whole page (canvas → state → worker →
  // answer on screen); the drawing is cleared after each house.
  // Memory at each quarter: a leak grows with the count, a buffer sized once does not.
  let answered = 0;
  const quarters = [];
  while (answered < CLASSIFICATIONS) {
    await sketch.draw(house);
    await page.waitForTimeout(150); // the last stroke's answer
    answered = (await seq()) - first;
    await page.getByTestId("clear").click();
    if (answered >= ((quarters.length + 1) * CLASSIFICATIONS) / 4) quarters.push(await memories());
  }
  const after = await memories();
  const photo = fs.readFileSync(path.join(REPO, "crates/core/tests/photos/cat.png"));
  await page.goto(`${server.url}#/photo`);
  await page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 60_000 });
  const photoBefore = (await page.evaluate(([bytes]) => window.playgroundDebug.benchmark("photo", new Uint8Array(bytes), 1), [[...photo]])).worker_memory;
  const photoAfter = (await page.evaluate(([bytes]) => window.playgroundDebug.benchmark("photo", new Uint8Array(bytes), 1000), [[...photo]])).worker_memory;
  console.log("### Reliability\n");
  console.log("| Memory (wasm, never shrinks) | before | after | |");
  console.log("|---|---|---|---|");
  const trail = (key) => quarters.map((q) => mb(q[key])).join(" → ");
  const change = (a, b) => (a === b ? "flat" : `+${mb(b - a)}`);
  console.log(`| App, ${answered} sketch classifications through the page (each quarter: ${trail("app")}) | ${mb(before.app)} | ${mb(after.app)} | ${change(before.app, after.app)} |`);
  console.log(`| Demos' worker, the same ${answered} (each quarter: ${trail("worker")}) | ${mb(before.worker)} | ${mb(after.worker)} | ${change(before.worker, after.worker)} |`);
  console.log(`| Demos' worker, 1,000 photo classifications (cat.png, after its first) | ${mb(photoBefore)} | ${mb(photoAfter)} | ${change(photoBefore, photoAfter)} |`);
  console.log(`\nConsole errors during the run: ${b.errors.length}.`);
} finally {
  await b.close();
  server.stop();
}
