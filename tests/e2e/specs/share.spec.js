// The share view: a QR code of the page's own URL (made in Rust; the native test reads it back
// with a QR decoder) and the URL in large text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.js";
import { launch, PHONE } from "../support/browser.js";
import { SharePage } from "../support/share_page.js";
import { SketchPage } from "../support/sketch_page.js";

test("the share view shows the page's URL as a QR code and as text", async () => {
  const server = await startServer();
  const browser = await launch({ viewport: { width: 1280, height: 720 } });
  try {
    const share = new SharePage(browser.page);
    await share.visit(server.url);
    const box = await share.qrBox();
    assert.equal(await share.url(), server.url);
    assert.ok(box.width >= 300 && box.height >= 300, `QR is ${box.width}×${box.height}: too small for a projector`);
    const url = await share.urlBox();
    assert.ok(url.y + url.height <= 720, "the URL is visible without scrolling on a 1280×720 projector");
    await share.screenshot("share", { fullPage: false });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test("presenter layout: bigger guesses, chrome hidden, toggled by a button or ?presenter", async () => {
  const server = await startServer();
  const browser = await launch({ viewport: { width: 1920, height: 1080 } });
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(`${server.url}?presenter#/`);
    assert.equal(await sketch.inPresenterMode(), true);
    const canvas = await sketch.canvasBox();
    assert.ok(canvas.height >= 800, `canvas ${canvas.height}px tall on a 1080p screen`);
    await sketch.screenshot("presenter", { fullPage: false });
    await sketch.togglePresenter();
    assert.equal(await sketch.inPresenterMode(), false);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test("served at 127.0.0.1 the share view says phones cannot open it, and offers this machine's network address", async () => {
  const server = await startServer(undefined, ["--host", "0.0.0.0"]);
  const browser = await launch({ viewport: { width: 1280, height: 720 } });
  try {
    const { origins } = await (await fetch(`${server.url}lan-addresses.json`)).json();
    assert.ok(origins.length >= 1, "serve.py found no network address on this machine");
    const share = new SharePage(browser.page);
    await share.visit(server.url);
    assert.match(await share.loopbackWarning(), /only works on this computer/);
    assert.equal(await share.offeredAddresses(), origins.length);
    await share.pickOfferedAddress(0);
    assert.equal(await share.url(), `${origins[0]}/`);
    assert.equal(await share.qrUrl(), `${origins[0]}/`);
    await share.screenshot("share-lan", { fullPage: false });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

// Issue 15: people at a meetup compare phones. The speed test times each model in the page's
// worker and says it in one line, device and browser named.
test("the speed test times the sketch, DoodleNet and photo models here, in one line to copy", async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    const share = new SharePage(browser.page);
    await share.visit(server.url);
    await share.runSpeedTest();
    const rows = await share.speedRows();
    assert.deepEqual(rows.map((r) => r.model), ["sketch", "DoodleNet", "photo"]);
    for (const r of rows) {
      for (const t of [r.inference, r.answer]) {
        const ms = Number(t.replace(" ms", ""));
        assert.ok(t.endsWith(" ms") && ms > 0 && ms < 5000, `${r.model}: ${t}`);
      }
      assert.ok(r.runs >= 10, `${r.model}: ${r.runs} runs`);
    }
    const line = await share.speedLine();
    assert.match(line, /^ML playground speed on Headless Chrome \d+, Linux, \d+ cores?: sketch [\d.]+ ms, DoodleNet [\d.]+ ms, photo [\d.]+ ms/);
    await share.copySpeedLine();
    assert.equal(await share.clipboard(), line);
    await share.screenshot("share-speed");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

// The way people get there: the sketch page first, whose worker build has no photo model. Timing
// the photo model replaces that worker, and a crash mid-test replaces it again: each new worker
// loads the test's models, and the step it lost is timed again. (It waited for ever before.)
test("after the sketch page, and through a worker crash, the speed test times every model", async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    const restarts = [];
    browser.page.on("console", (m) => /worker failed and is restarted/.test(m.text()) && restarts.push(m.text()));
    await new SketchPage(browser.page).open(server.url);
    const share = new SharePage(browser.page);
    await browser.page.evaluate(() => { location.hash = "#/share"; });
    await share.root.getByTestId("qr").waitFor();
    const run = share.runSpeedTest();
    await share.root.getByTestId("speed-status").filter({ hasText: /Loading|Timing/ }).waitFor();
    await share.breakWorker("panic");
    await run;
    assert.deepEqual((await share.speedRows()).map((r) => r.model), ["sketch", "DoodleNet", "photo"]);
    assert.equal(restarts.length, 1, "the worker did die mid-test");
    assert.ok(browser.errors.every((e) => /panicked|unreachable|RuntimeError|sabotage/.test(e)), browser.errors.join("\n"));
  } finally {
    await browser.close();
    server.stop();
  }
});

test("on a phone, dark: the speed test's table and line fit the screen", async () => {
  const server = await startServer();
  const phone = await launch({ ...PHONE, colorScheme: "dark" });
  try {
    const share = new SharePage(phone.page);
    await share.visit(server.url);
    await share.runSpeedTest();
    assert.equal((await share.speedRows()).length, 3);
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width}px wide on a 390px phone`);
    await share.screenshot("share-speed-phone-dark");
    assert.deepEqual(phone.errors, []);
  } finally {
    await phone.close();
    server.stop();
  }
});
