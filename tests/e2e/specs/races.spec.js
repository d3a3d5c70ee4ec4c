// Answers that arrive after the page moved on. The worker is made slow on purpose (the harness's
// "stall" hook keeps it busy, as a slow model would), so what the page asks meanwhile is answered
// late: each answer must reach only the request that asked, and only while it is still current.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { REPO, drawing } from "../support/env.js";
import { PlaygroundPage } from "../support/playground_page.js";
import { SketchPage } from "../support/sketch_page.js";

const SKETCH = path.join(REPO, "models/sketch");
const NHWC = path.join(REPO, "crates/core/tests/models/nhwc.onnx");
/** How long the worker is kept busy: long enough to draw and clear, well under the 10 s watchdog. */
const STALL_MS = 5000;
let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

test("in the playground, Clear stops the late answer for the cleared drawing", async () => {
  const browser = await launch();
  try {
    const playground = new PlaygroundPage(browser.page);
    await playground.open(server.url);
    await playground.pickLabels(path.join(SKETCH, "labels.txt"));
    await playground.pickModel(path.join(SKETCH, "model.onnx"));
    await playground.waitUntilLoaded();
    const house = drawing("house", "6253539749789696").drawing;
    await playground.draw(house);
    await playground.labels();
    // The worker is busy (long enough to draw and clear: well under the 10 s watchdog); the
    // drawing's answers come after the person cleared it.
    await playground.clearDrawing();
    const stalled = Date.now();
    await playground.stallWorker(STALL_MS);
    await playground.draw(house);
    await playground.clearDrawing();
    assert.ok(Date.now() - stalled < STALL_MS - 500, "cleared before the worker was free: the race did not happen");
    await browser.page.waitForTimeout(STALL_MS + 1500 - (Date.now() - stalled));
    assert.equal(await playground.guessCount(), 0, "an answer about the cleared drawing is shown");
    assert.equal(await playground.shownSeq(), null);
    // The page goes on answering.
    await playground.draw(house);
    assert.equal((await playground.labels())[0], "house", "answered again");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("picking one model, then another before the first is read, shows the second's card under its name", async () => {
  const browser = await launch();
  try {
    const playground = new PlaygroundPage(browser.page);
    await playground.open(server.url);
    await playground.recordNameAndCard();
    const stalled = Date.now();
    await playground.stallWorker(STALL_MS);
    await playground.offerModel(path.join(SKETCH, "model.onnx"));
    await playground.offerModel(NHWC);
    assert.ok(Date.now() - stalled < STALL_MS - 500, "both picked before the worker was free: the race did not happen");
    await playground.waitUntilRead();
    await playground.waitForCard();
    await browser.page.waitForTimeout(1000);
    assert.match(await playground.modelName(), /nhwc\.onnx/);
    const card = await playground.card();
    assert.match(card, /f32 \[1, 32, 32, 3\]/, card);
    // Never, even for a moment, the sketch model's card (a 1×1×28×28 input) under the second name.
    const mixed = (await playground.seenPairs()).filter((p) => /nhwc/.test(p.name ?? "") && /\[1, 1, 28, 28\]/.test(p.card ?? ""));
    assert.deepEqual(mixed, []);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

// Held before this redesign too (by sequence numbers the page kept); kept as the same race on the
// page most people use.
test("on the sketch page, Clear stops the late answer for the cleared drawing", async () => {
  const browser = await launch();
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url);
    await sketch.waitForModel();
    const house = drawing("house", "6253539749789696").drawing;
    const stalled = Date.now();
    await sketch.stallWorker(STALL_MS);
    // Its first four strokes (80 points): the whole house (206) takes ~4.1 s of mouse moves here,
    // too close to the stall's end for the race to happen every time.
    await sketch.draw(house.slice(0, 4));
    await sketch.clear();
    assert.ok(Date.now() - stalled < STALL_MS - 500, "cleared before the worker was free: the race did not happen");
    await browser.page.waitForTimeout(STALL_MS + 1500 - (Date.now() - stalled));
    assert.equal(await sketch.guessCount(), 0, "an answer about the cleared drawing is shown");
    await sketch.draw(house);
    await sketch.waitForGuess();
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
