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
import { drawing, ARTIFACTS } from "../support/env.js";

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

/** The pages beyond the first demos: their `files` are not precached for every visitor, are kept
 *  once `use` has run on the page, and after a reload with the network off `useOffline` works. */
async function keptOnDemand(name, files, use, useOffline) {
  const browser = await launch();
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url);
    await sketch.waitForServiceWorker();
    for (const f of files) assert.equal(await kept(browser.page, f), false, `${f}: not precached for every visitor`);
    await use(browser.page);
    const allKept = async () => (await Promise.all(files.map((f) => kept(browser.page, f)))).every(Boolean);
    for (let i = 0; i < 100 && !(await allKept()); i++) await browser.page.waitForTimeout(200);
    for (const f of files) assert.equal(await kept(browser.page, f), true, `${f}: kept once used`);
    await browser.context.setOffline(true);
    await browser.page.reload();
    await useOffline(browser.page);
    // What a returning visitor with no network sees (tests/e2e/artifacts/offline-NAME.png).
    await browser.page.screenshot({ path: path.join(ARTIFACTS, `offline-${name}.png`) });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
}

test("the write page's model is fetched only once the page is opened, then kept: it writes offline", async () => {
  const writes = async (page) => {
    const write = new WritePage(page);
    await write.setLength(200);
    await write.start();
    await write.waitDone();
    assert.equal([...(await write.written())].length, 200);
  };
  await keptOnDemand("write", ["models/shakespeare/model.nnef.tar"], (page) => new WritePage(page).open(server.url), async (page) => {
    await new WritePage(page).waitForModel();
    await writes(page);
  });
});

test("the clean page's model and sample are fetched only once asked for, then kept: it cleans offline, on two cores", async () => {
  const cleansSample = async (page) => {
    const clean = new CleanPage(page);
    await clean.waitForModel();
    await clean.trySample();
    assert.equal((await clean.waitForResult()).pixels, 600 * 400);
  };
  // The worker's partner (worker_loader.js?role=partner) comes from the cache too: within a few
  // photos (it loads the model after the page has), one is cleaned on two cores.
  const cleansOnTwoCores = async (page) => {
    await cleansSample(page);
    if ((await page.evaluate(() => navigator.hardwareConcurrency)) < 2) return;
    const clean = new CleanPage(page);
    const cores = [];
    while (cores.at(-1) !== 2 && cores.length < 5) {
      await clean.trySample();
      cores.push((await clean.waitForResult()).cores);
    }
    assert.equal(cores.at(-1), 2, `cores of each cleaning: ${cores}`);
  };
  await keptOnDemand("clean", ["models/denoise/model.nnef.tar", "models/denoise/sample.jpg"], async (page) => {
    await new CleanPage(page).open(server.url);
    await cleansSample(page);
  }, cleansOnTwoCores);
});

test("the feel page's 23 MB model is fetched only on that page, with progress, then kept: it reads offline", async () => {
  const reads = async (page) => {
    const feel = new FeelPage(page);
    await feel.waitForModel(120_000);
    const v = await feel.verdictFor(["A", "warm", ",", "funny", "and", "wonderful", "film", "."]);
    assert.ok(v.positive > 0.5);
  };
  await keptOnDemand("feel", ["models/sentiment/model.nnef.tar"], async (page) => {
    await new FeelPage(page).goto(`${server.url}#/feel`);
    // Its download shows as a progress bar in the status bar while it comes.
    await page.waitForSelector("[data-testid=model-status][data-state=loading] progress", { state: "attached", timeout: 30_000 });
    await new FeelPage(page).waitForModelShown(120_000);
  }, reads);
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
