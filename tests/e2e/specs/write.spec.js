// The write page in headless Chromium against the release build: a prompt continued by the
// Shakespeare model as the characters come, stoppable, any prompt accepted, and a worker that
// dies mid-text taken over by a fresh one without losing the text.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch, PHONE } from "../support/browser.js";
import { WritePage } from "../support/write_page.js";
import { REPO } from "../support/env.js";

const PLAY_WORDS = new Set(
  fs.readFileSync(path.join(REPO, "crates/core/tests/data/play_words.txt"), "utf8")
    .split("\n").filter((line) => !line.startsWith("#")).join(" ").split(/\s+/).filter(Boolean),
);
const playWordShare = (text) => {
  const words = text.toLowerCase().match(/[a-z]+/g) ?? [];
  return words.length ? words.filter((w) => PLAY_WORDS.has(w)).length / words.length : 0;
};

let server, browser, write;
before(async () => {
  server = await startServer();
  browser = await launch();
  write = new WritePage(browser.page);
  await write.open(server.url);
});
after(async () => {
  await browser?.close();
  server?.stop();
});
afterEach(() => assert.deepEqual(browser.errors, [], "no console errors"));

test("a prompt is continued as the characters come, to the length asked, at a measured speed", async () => {
  await write.setPrompt("ROMEO:\nBut soft, what light");
  await write.setLength(200);
  await write.start();
  // Streamed: part of the text is on screen while the rest is still being written.
  const early = await write.waitForChars(8);
  assert.ok([...early].length < 200 && (await write.writing()), `${[...early].length} characters at the first look`);
  await write.waitDone();
  const text = await write.written();
  assert.equal([...text].length, 200);
  // A play's text: 30% of its words or more are common words of the plays. Counting lower-case letters
  // instead failed 18 of 400 such texts, those with many speakers' names in capitals.
  assert.ok(playWordShare(text) >= 0.3, JSON.stringify(text));
  const speed = await write.speed();
  assert.equal(speed.chars, 200);
  assert.ok(speed.ms > 0, speed.text);
  assert.match(speed.text, /200 characters in [\d.]+ s: \d+ a second/);
  await write.screenshot("write-desktop");
});

test("Stop ends the writing at once and nothing more arrives", async () => {
  await write.setLength(1000);
  await write.start();
  await write.waitForChars(16);
  await write.stop();
  const stopped = [...(await write.written())].length;
  await browser.page.waitForTimeout(800);
  assert.equal([...(await write.written())].length, stopped, "no characters after Stop");
  assert.ok(stopped < 1000);
  assert.match((await write.speed()).text, /stopped/);
});

test("an empty prompt, a 10,000-word prompt and characters it never saw are all continued", async () => {
  for (const prompt of ["", "word ".repeat(10_000), "Café — ünïcode 😀 "]) {
    await write.setPrompt(prompt);
    await write.setLength(200);
    await write.start();
    await write.waitDone();
    assert.equal([...(await write.written())].length, 200, `prompt of ${prompt.length} characters`);
    assert.equal(await write.error(), null);
  }
  assert.match(await write.unknownHint(), /“é”/);
});

test("temperature 0 writes the same text twice", async () => {
  await write.setPrompt("KING HENRY:\n");
  await write.setTemperature(0);
  const once = async () => {
    await write.start();
    await write.waitDone();
    return write.written();
  };
  assert.equal(await once(), await once());
  await write.setTemperature(0.8);
});

test("a worker that dies mid-text is replaced and the text goes on to its length", async () => {
  await write.setPrompt("JULIET:\n");
  await write.setLength(500);
  await write.start();
  const before = await write.waitForChars(24);
  await write.breakWorker("panic");
  await write.workerNotice();
  await write.waitDone(120_000);
  const text = await write.written();
  assert.equal([...text].length, 500);
  assert.ok(text.startsWith(before), "what was written before the crash stays");
});

test("on a phone, dark: the page fits and writes", async () => {
  const phone = await launch({ ...PHONE, colorScheme: "dark" });
  try {
    const page = new WritePage(phone.page);
    await page.open(server.url);
    await page.setLength(200);
    await page.start();
    await page.waitDone();
    const b = await page.measure();
    assert.ok(b.scrollWidth <= b.vw, `${b.scrollWidth} px wide on a ${b.vw} px screen`);
    await page.screenshot("write-phone-dark");
    assert.deepEqual(phone.errors, []);
  } finally {
    await phone.close();
  }
});
