// The share view: a QR code of the page's own URL (made in Rust; the native test reads it back
// with a QR decoder) and the URL in large text.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { ARTIFACTS } from "../support/env.js";

test("the share view shows the page's URL as a QR code and as text", async () => {
  const server = await startServer();
  const browser = await launch({ viewport: { width: 1280, height: 720 } });
  try {
    await browser.page.goto(`${server.url}#/share`);
    const qr = browser.page.locator("[data-testid=qr] svg");
    await qr.waitFor();
    assert.equal(await browser.page.getByTestId("share-url").textContent(), server.url);
    const box = await qr.boundingBox();
    assert.ok(box.width >= 300 && box.height >= 300, `QR is ${box.width}×${box.height}: too small for a projector`);
    const url = await browser.page.getByTestId("share-url").boundingBox();
    assert.ok(url.y + url.height <= 720, "the URL is visible without scrolling on a 1280×720 projector");
    await browser.page.screenshot({ path: path.join(ARTIFACTS, "share.png") });
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
    await browser.page.goto(`${server.url}?presenter#/`);
    await browser.page.waitForSelector("[data-testid=model-status][data-state=ready]", { state: "attached" });
    assert.equal(await browser.page.evaluate(() => document.body.classList.contains("presenter")), true);
    const canvas = await browser.page.getByTestId("sketch-canvas").boundingBox();
    assert.ok(canvas.height >= 800, `canvas ${canvas.height}px tall on a 1080p screen`);
    await browser.page.screenshot({ path: path.join(ARTIFACTS, "presenter.png") });
    await browser.page.getByTestId("presenter").click();
    assert.equal(await browser.page.evaluate(() => document.body.classList.contains("presenter")), false);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test("served at 127.0.0.1 the share view says phones cannot open it, and offers this machine's network address", async () => {
  const server = await startServer(undefined, ["--host", "0.0.0.0"]);
  const browser = await launch({ viewport: { width: 1280, height: 720 } });
  const { page } = browser;
  try {
    const { origins } = await (await fetch(`${server.url}lan-addresses.json`)).json();
    assert.ok(origins.length >= 1, "serve.py found no network address on this machine");
    await page.goto(`${server.url}#/share`);
    await page.getByTestId("share-loopback").waitFor();
    assert.match(await page.getByTestId("share-loopback").textContent(), /only works on this computer/);
    const offered = page.getByTestId("share-lan");
    await offered.first().waitFor();
    assert.equal(await offered.count(), origins.length);
    await offered.first().click();
    assert.equal(await page.getByTestId("share-url").textContent(), `${origins[0]}/`);
    assert.equal(await page.getByTestId("qr").getAttribute("data-url"), `${origins[0]}/`);
    await page.screenshot({ path: path.join(ARTIFACTS, "share-lan.png") });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});
