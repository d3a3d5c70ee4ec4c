// The photo page in headless Chromium against the release build: public-domain photos
// uploaded through the file input and a simulated drop get the top-1 the Python reference
// predicts; every kind of bad file gets a clear message and the page keeps working.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch, PHONE, FAKE_CAMERA } from "../support/browser.js";
import { PhotoPage, PHOTOS, EXPECTED } from "../support/photo_page.js";

let server, browser, photo;
before(async () => {
  server = await startServer();
  browser = await launch();
  photo = new PhotoPage(browser.page);
  await photo.open(server.url);
});
after(async () => {
  await browser?.close();
  server?.stop();
});
afterEach(() => assert.deepEqual(browser.errors, [], "no console errors"));

const top1 = (name) => EXPECTED[name].top5_model[0].label;

for (const name of Object.keys(EXPECTED)) {
  test(`${name} through the file input gets the reference top-1 (${top1(name)})`, async () => {
    const since = await photo.shownSeq();
    await photo.pick(path.join(PHOTOS, name));
    const top = await photo.guessesAfter(since);
    assert.equal(top.length, 5);
    assert.equal(top[0], top1(name), JSON.stringify(top));
    assert.match(await photo.timing(), /ms for the neural network/);
  });
}

test("a dropped photo is classified, and the model's view is shown", async () => {
  const since = await photo.shownSeq();
  await photo.drop(path.join(PHOTOS, "cat.png"));
  const top = await photo.guessesAfter(since);
  assert.equal(top[0], top1("cat.png"));
  const size = await photo.modelInputSize();
  assert.deepEqual(size, [224, 224]);
  await photo.screenshot("photo-cat");
});

// Every bad file and the words it must get: crates/core/tests/photos/bad/expected.json (its
// "browser" pattern where the wasm32 build words it otherwise).
const BAD = Object.entries(JSON.parse(fs.readFileSync(path.join(PHOTOS, "bad", "expected.json"), "utf8")))
  .filter(([file]) => !file.startsWith("_"))
  .map(([file, e]) => [file, e.browser ? new RegExp(e.browser) : new RegExp(e.says.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))]);
assert.ok(BAD.length >= 4);
for (const [file, message] of BAD) {
  test(`${file} gets a clear message and the page keeps working`, async () => {
    const text = await photo.errorAfter(() => photo.pick(path.join(PHOTOS, "bad", file)));
    assert.match(text, message);
    const since = await photo.shownSeq();
    await photo.pick(path.join(PHOTOS, "coffee.png"));
    assert.equal((await photo.guessesAfter(since))[0], top1("coffee.png"));
    assert.equal(await photo.hasError(), false, "the error clears");
  });
}

const UNUSUAL = fs.readdirSync(path.join(PHOTOS, "unusual")).sort();
assert.ok(UNUSUAL.length >= 2);
for (const file of UNUSUAL) {
  test(`${file} (valid but unusual) is classified`, async () => {
    const since = await photo.shownSeq();
    await photo.pick(path.join(PHOTOS, "unusual", file));
    const top = await photo.guessesAfter(since);
    assert.ok(top.some((l) => /cat|Mau/.test(l)), JSON.stringify(top));
  });
}

test("a pasted photo is classified", async () => {
  const since = await photo.shownSeq();
  await photo.paste(path.join(PHOTOS, "coffee.png"));
  assert.equal((await photo.guessesAfter(since))[0], top1("coffee.png"));
});

test("a camera that is absent gets a message, not a crash", async () => {
  // Headless Chromium has no camera: getUserMedia fails like on a device without one.
  const text = await photo.errorAfter(() => photo.openCamera());
  assert.match(text, /No camera was found/);
});

test("a camera the person refuses gets a message, not a crash", async () => {
  const other = await launch(FAKE_CAMERA); // no permission granted: the prompt is refused
  try {
    const page = new PhotoPage(other.page);
    await page.open(server.url);
    const text = await page.errorAfter(() => page.openCamera());
    assert.match(text, /Camera access was denied/);
    assert.deepEqual(other.errors, []);
  } finally {
    await other.close();
  }
});

test("a camera snapshot is classified", async () => {
  const other = await launch({ ...FAKE_CAMERA, permissions: ["camera"] });
  try {
    const page = new PhotoPage(other.page);
    await page.open(server.url);
    await page.openCamera();
    await page.waitForCameraPicture();
    const since = await page.shownSeq();
    await page.snap();
    // The test pattern is no object, so only the shape of the answer is checked.
    assert.equal((await page.guessesAfter(since)).length, 5);
    assert.equal(await page.cameraOpen(), false, "the camera is closed after the snapshot");
    assert.deepEqual(await page.modelInputSize(), [224, 224]);
    assert.deepEqual(other.errors, []);
  } finally {
    await other.close();
  }
});

test("a camera allowed after the person left the photo page is turned off", async () => {
  const other = await launch({ ...FAKE_CAMERA, permissions: ["camera"] });
  try {
    const page = new PhotoPage(other.page);
    // The permission prompt answered 1.5 s late; the streams it hands out are kept to check.
    await page.answerCameraPromptAfter(1500);
    await page.open(server.url);
    await page.openCamera();
    await page.goto(`${server.url}#/`); // left before answering
    assert.deepEqual(await page.cameraTrackStates(), ["ended"]);
  } finally {
    await other.close();
  }
});

test("phone viewport: the photo page fits and classifies", async () => {
  const phone = await launch(PHONE);
  try {
    const page = new PhotoPage(phone.page);
    await page.open(server.url);
    const since = await page.shownSeq();
    await page.pick(path.join(PHOTOS, "helmet.png"));
    assert.equal((await page.guessesAfter(since))[0], top1("helmet.png"));
    const overflow = await page.overflow();
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    await page.screenshot("photo-phone");
    assert.deepEqual(phone.errors, []);
  } finally {
    await phone.close();
  }
});

test("cross-origin isolated, the photo model runs on a pool of threads with the one-thread answers, after a reload through the service worker too", async () => {
  // What a host that sends COOP/COEP gets (scripts/serve.py --isolate): static/worker_loader.js
  // starts the threaded worker build; the other tests here run the one-thread build.
  const isolated = await startServer(undefined, ["--isolate"]);
  const other = await launch();
  const rows = (p) => p.page.$$eval("[data-testid=guess]", (els) => els.map((e) => e.textContent.trim()));
  const answers = async (p) => {
    const out = {};
    for (const name of Object.keys(EXPECTED)) {
      const since = await p.shownSeq();
      await p.pick(path.join(PHOTOS, name));
      await p.guessesAfter(since);
      out[name] = await rows(p);
    }
    return out;
  };
  const cat = [...fs.readFileSync(path.join(PHOTOS, "cat.png"))];
  const threads = (p) => p.evaluate((v) => window.playgroundDebug.benchmark("photo", new Uint8Array(v), 1), cat).then((r) => r.threads);
  try {
    const page = new PhotoPage(other.page);
    await page.open(isolated.url);
    assert.equal(await other.page.evaluate(() => self.crossOriginIsolated), true);
    const want = Math.min(4, await other.page.evaluate(() => navigator.hardwareConcurrency));
    assert.ok(want > 1, "this test needs a machine with two cores or more");
    assert.equal(await threads(other.page), want);
    assert.equal(await threads(browser.page), 1, "the page without COOP/COEP runs one thread");
    const single = await answers(photo);
    assert.deepEqual(await answers(page), single);
    // A returning visitor's page comes from the service worker: still isolated, still threaded.
    await other.page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 }).catch(() => {});
    await other.page.reload();
    await page.waitForModelShown(60_000);
    assert.ok(await other.page.evaluate(() => navigator.serviceWorker.controller !== null), "served by the service worker");
    assert.equal(await other.page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal(await threads(other.page), want);
    assert.deepEqual(await answers(page), single);
    assert.deepEqual(other.errors, []);
  } finally {
    await other.close();
    isolated.stop();
  }
});
