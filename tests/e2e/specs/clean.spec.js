// The clean page in headless Chromium against the release build: a photo (the sample, a file)
// with grain added is cleaned tile by tile with progress; before and after compare under a
// slider; the result downloads as a PNG; Cancel stops a big photo at once; bad files are
// refused in words; a worker that dies mid-photo is replaced and the photo still comes.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch, PHONE } from "../support/browser.js";
import { CleanPage } from "../support/clean_page.js";
import { PHOTOS } from "../support/photo_page.js";
import { png } from "../support/hostile_images.js";

let server, browser, clean, tmp;
before(async () => {
  server = await startServer();
  browser = await launch();
  clean = new CleanPage(browser.page);
  await clean.open(server.url);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "clean-spec-"));
});
after(async () => {
  await browser?.close();
  server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});
afterEach(() => assert.deepEqual(browser.errors, [], "no console errors"));

test("the sample photo, with grain added, is cleaned with progress; before/after compare; Download saves it", async () => {
  await clean.trySample();
  const progress = await clean.waitForProgress();
  assert.equal(progress.total, 3 * 2 + 2 * (2 * 1), "600×400: Y in 3 × 2 tiles, Cb and Cr (300×200) in 2 × 1 each");
  const result = await clean.waitForResult();
  assert.equal(result.pixels, 600 * 400);
  assert.match(result.text, /600×400 pixels cleaned in [\d.]+ s on this device \(10 tiles of 256 px(, 2 cores at once)?\)/);
  const { before, after, clip } = await clean.canvases();
  assert.deepEqual([after.width, after.height], [600, 400]);
  // σ 0.10 grain makes neighbours differ by ~20 grey levels; the cleaned photo is far smoother.
  assert.ok(before.grain > 15 && after.grain < 0.5 * before.grain, `grain ${before.grain} → ${after.grain}`);
  assert.equal(clip, "inset(0px 0px 0px 50%)");
  await clean.splitAt(30);
  assert.equal((await clean.canvases()).clip, "inset(0px 0px 0px 30%)");
  // "Read the noise level from the photo": it reads about the grain it was given.
  const sigma = Number((await clean.strengthLabel()).match(/σ ([\d.]+)/)[1]);
  assert.ok(Math.abs(sigma - 0.1) <= 0.02, `read σ ${sigma}`);
  await clean.screenshot("clean-desktop");
  const file = await clean.download();
  assert.equal(file.suggestedFilename(), "sample-cleaned.png");
  const saved = fs.readFileSync(await file.path());
  assert.equal(saved.subarray(1, 4).toString(), "PNG");
  assert.deepEqual([saved.readUInt32BE(16), saved.readUInt32BE(20)], [600, 400], "the PNG is the photo's size");
});

let catAlone; // the worker's time for cat.png with nothing else to do

test("a photo of its own: no grain and a set strength clean it as it is; new settings keep the photo", async () => {
  await clean.pick(path.join(PHOTOS, "cat.png"));
  const first = await clean.waitForResult();
  catAlone = first.ms;
  // By now the worker's partner (started with the model) has it too: half the tiles run there.
  const cores = await clean.page.evaluate(() => navigator.hardwareConcurrency);
  assert.equal(first.cores, cores >= 2 ? 2 : 1, `${cores} cores: ${first.text}`);
  if (cores >= 2) assert.match(first.text, /\(6 tiles of 256 px, 2 cores at once\)/);
  const grainy = (await clean.canvases()).before.grain;
  await clean.setSlider("grain", 0);
  await clean.waitForResult();
  const plain = await clean.canvases();
  assert.ok(plain.before.grain < 0.6 * grainy, `no grain added: ${plain.before.grain} vs ${grainy}`);
  assert.deepEqual([plain.before.width, plain.before.height], [451, 300]);
  await clean.setAuto(false);
  await clean.setSlider("strength", 0.2);
  await clean.waitForResult();
  assert.match(await clean.strengthLabel(), /σ 0\.20/);
  assert.ok((await clean.canvases()).after.grain < plain.after.grain, "a stronger cleaning smooths more");
  await clean.setAuto(true);
  await clean.setSlider("grain", 0.1);
  await clean.waitForResult();
});

test("Cancel stops a big photo's cleaning at once, and the next photo is cleaned alone", async () => {
  // 2400×2200 (5.3 MP) is shrunk to 2088×1914 (4 MP) first: Y in 9 × 8 tiles, Cb and Cr
  // (1044×957) in 5 × 4 each.
  const big = path.join(tmp, "big.png");
  fs.writeFileSync(big, png(2400, 2200));
  await clean.pick(big);
  const { total } = await clean.waitForProgress();
  assert.equal(total, 9 * 8 + 2 * 5 * 4);
  await clean.cancel();
  assert.equal(await clean.working(), false);
  const resultShown = async () => (await clean.page.getByTestId("clean-timing").count()) > 0;
  await clean.page.waitForTimeout(1000);
  assert.equal(await resultShown(), false, "nothing comes after Cancel");
  assert.equal(await clean.hasError(), false);
  await clean.root.getByTestId("clean-again").waitFor();
  // Were the big photo's 100-odd tiles still running, they would take turns with these (the
  // settings are those of the first cat.png cleaning: grain 0.10, strength read).
  await clean.pick(path.join(PHOTOS, "cat.png"));
  const result = await clean.waitForResult(20_000);
  assert.equal(result.pixels, 451 * 300);
  assert.ok(result.ms < 1.6 * catAlone, `${result.ms} ms after the cancel, ${catAlone} ms alone`);
});

test("files that are not photos are refused in words, and the page goes on", async () => {
  const text = path.join(tmp, "notes.png");
  fs.writeFileSync(text, "these are not pixels");
  assert.match(await clean.errorAfter(() => clean.pick(text)), /not a JPEG, PNG, WebP or GIF image/);
  const empty = path.join(tmp, "empty.jpg");
  fs.writeFileSync(empty, "");
  assert.match(await clean.errorAfter(() => clean.pick(empty)), /empty/);
  await clean.pick(path.join(PHOTOS, "coffee.png"));
  await clean.waitForResult();
  assert.equal(await clean.hasError(), false);
});

test("a worker that dies mid-photo is replaced and the photo is still cleaned", async () => {
  await clean.pick(path.join(PHOTOS, "rocket.jpg"));
  await clean.waitForProgress();
  await clean.breakWorker("panic");
  await clean.workerNotice();
  const result = await clean.waitForResult(120_000);
  assert.ok(result.pixels > 0);
});

test("a partner worker that dies mid-photo costs time only: its tiles run in the worker, and a new partner comes", async () => {
  const cores = await clean.page.evaluate(() => navigator.hardwareConcurrency);
  if (cores < 2) return; // no partner on one core
  const photo = path.join(tmp, "1mp.png");
  fs.writeFileSync(photo, png(1000, 1000));
  await clean.pick(photo);
  await clean.waitForProgress();
  await clean.breakWorker("partner");
  const alone = await clean.waitForResult(120_000);
  assert.equal(alone.pixels, 1000 * 1000);
  assert.equal(alone.cores, 1, alone.text);
  assert.equal(await clean.hasError(), false);
  // The next photo finds a partner again (started at the last one, loaded by now).
  await clean.page.waitForTimeout(2000);
  await clean.pick(path.join(PHOTOS, "cat.png"));
  assert.equal((await clean.waitForResult()).cores, 2);
});

test("on a phone, dark: the page fits and cleans the sample", async () => {
  const phone = await launch({ ...PHONE, colorScheme: "dark" });
  try {
    const page = new CleanPage(phone.page);
    await page.open(server.url);
    await page.trySample();
    await page.waitForResult();
    const b = await page.measure();
    assert.ok(b.scrollWidth <= b.vw, `${b.scrollWidth} px wide on a ${b.vw} px screen`);
    await page.screenshot("clean-phone-dark");
    assert.deepEqual(phone.errors, []);
  } finally {
    await phone.close();
  }
});
