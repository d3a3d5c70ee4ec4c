// Meetup conditions: after one visit the page loads and predicts with the network off, and
// during a whole session no request leaves the page's own origin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { PhotoPage, PHOTOS, EXPECTED } from "../support/photo_page.js";
import { WritePage } from "../support/write_page.js";
import { CleanPage } from "../support/clean_page.js";
import { FeelPage } from "../support/feel_page.js";
import { drawing } from "../support/env.js";

const HOUSE = "6253539749789696";
let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

async function houseGuessed(sketch) {
  await sketch.draw(drawing("house", HOUSE).drawing);
  const top = await sketch.guesses();
  assert.ok(top.slice(0, 3).some(([l]) => l === "house"), JSON.stringify(top));
}

test("after one visit the page loads and predicts offline", async () => {
  const browser = await launch();
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url);
    // Wait until the service worker has cached this build and controls the page.
    await sketch.waitForServiceWorker();
    await browser.context.setOffline(true);
    await sketch.reload();
    await sketch.waitForModel();
    await houseGuessed(sketch);
    await sketch.screenshot("offline-sketch");
    // The photo model was cached too.
    const photo = new PhotoPage(browser.page);
    await photo.open(server.url);
    const since = await photo.shownSeq();
    await photo.pick(path.join(PHOTOS, "coffee.png"));
    assert.equal((await photo.guessesAfter(since))[0], EXPECTED["coffee.png"].top5_model[0].label);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

/** Whether the service worker's cache of the build this page runs holds `file` (site-relative). */
const kept = (page, file) => page.evaluate(async (file) => {
  const url = new URL(file, location.href).href;
  for (const name of await caches.keys()) if (name.startsWith("playground /") && (await (await caches.open(name)).match(url))) return true;
  return false;
}, file);

test("the write page's model is fetched only once the page is opened, then kept: it writes offline", async () => {
  const browser = await launch();
  const MODEL = "models/shakespeare/model.nnef.tar";
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url);
    await sketch.waitForServiceWorker();
    assert.equal(await kept(browser.page, MODEL), false, "not precached for every visitor");
    const write = new WritePage(browser.page);
    await write.open(server.url);
    for (let i = 0; i < 50 && !(await kept(browser.page, MODEL)); i++) await browser.page.waitForTimeout(200);
    assert.equal(await kept(browser.page, MODEL), true, "kept once used");
    await browser.context.setOffline(true);
    await write.reload();
    await write.waitForModel();
    await write.setLength(200);
    await write.start();
    await write.waitDone();
    assert.equal([...(await write.written())].length, 200);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("the clean page's model and sample are fetched only once asked for, then kept: it cleans offline", async () => {
  const browser = await launch();
  const MODEL = "models/denoise/model.nnef.tar";
  const SAMPLE = "models/denoise/sample.jpg";
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url);
    await sketch.waitForServiceWorker();
    assert.equal(await kept(browser.page, MODEL), false, "not precached for every visitor");
    const clean = new CleanPage(browser.page);
    await clean.open(server.url);
    await clean.trySample();
    await clean.waitForResult();
    for (let i = 0; i < 50 && !(await kept(browser.page, SAMPLE) && await kept(browser.page, MODEL)); i++) {
      await browser.page.waitForTimeout(200);
    }
    assert.equal(await kept(browser.page, MODEL), true, "the model is kept once used");
    assert.equal(await kept(browser.page, SAMPLE), true, "the sample too");
    await browser.context.setOffline(true);
    await clean.reload();
    await clean.waitForModel();
    await clean.trySample();
    const result = await clean.waitForResult();
    assert.equal(result.pixels, 600 * 400);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("the feel page's 23 MB model is fetched only on that page, with progress, then kept: it reads offline", async () => {
  const browser = await launch();
  const MODEL = "models/sentiment/model.nnef.tar";
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url);
    await sketch.waitForServiceWorker();
    assert.equal(await kept(browser.page, MODEL), false, "not precached for every visitor");
    const feel = new FeelPage(browser.page);
    await feel.goto(`${server.url}#/feel`);
    // Its download shows as a progress bar in the status bar while it comes.
    await browser.page.waitForSelector("[data-testid=model-status][data-state=loading] progress", { state: "attached", timeout: 30_000 });
    await feel.waitForModelShown(120_000);
    for (let i = 0; i < 100 && !(await kept(browser.page, MODEL)); i++) await browser.page.waitForTimeout(200);
    assert.equal(await kept(browser.page, MODEL), true, "kept once used");
    await browser.context.setOffline(true);
    await feel.reload();
    await feel.waitForModel(120_000);
    const v = await feel.verdictFor(["A", "warm", ",", "funny", "and", "wonderful", "film", "."]);
    assert.ok(v.positive > 0.5);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("no request leaves the page's origin during a whole session", async () => {
  const browser = await launch();
  const requests = [];
  browser.context.on("request", (r) => requests.push(r.url()));
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url);
    await houseGuessed(sketch);
    const photo = new PhotoPage(browser.page);
    await photo.open(server.url);
    const since = await photo.shownSeq();
    await photo.pick(path.join(PHOTOS, "cat.png"));
    await photo.guessesAfter(since);
    const write = new WritePage(browser.page);
    await write.open(server.url);
    await write.setLength(200);
    await write.start();
    await write.waitDone();
    const clean = new CleanPage(browser.page);
    await clean.open(server.url);
    await clean.trySample();
    await clean.waitForResult();
    await clean.download();
    const feel = new FeelPage(browser.page);
    await feel.open(server.url);
    await feel.verdictFor(["A", "warm", ",", "funny", "and", "wonderful", "film", "."]);
    await feel.parts();
    await browser.page.waitForTimeout(500);
    const origin = new URL(server.url).origin;
    const foreign = requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:"));
    assert.ok(requests.length > 5, `saw only ${requests.length} requests`);
    assert.deepEqual(foreign, [], "every request stays on the page's origin");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
