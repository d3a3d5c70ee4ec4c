// The feel page in headless Chromium against the release build: a sentence read as you type,
// each word's part, the first layer's attention, odd sentences (empty, 10,000 words, emoji)
// answered in words, and a worker that dies replaced without losing the sentence.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.js";
import { launch, PHONE } from "../support/browser.js";
import { FeelPage } from "../support/feel_page.js";

let server, browser, feel;
before(async () => {
  server = await startServer();
  browser = await launch();
  feel = new FeelPage(browser.page);
  await feel.open(server.url);
});
after(async () => {
  await browser?.close();
  server?.stop();
});
afterEach(() => assert.deepEqual(browser.errors, [], "no console errors"));

test("the example reads positive, each word's part is worked out, and the timing is shown", async () => {
  const words = ["A", "warm", ",", "funny", "and", "wonderful", "film", "."];
  const verdict = await feel.verdictFor(words, 60_000);
  assert.ok(verdict.positive > 0.8, verdict.text);
  assert.match(verdict.text, /^Positive · (over )?\d+% sure$/);
  const parts = Object.fromEntries(await feel.parts());
  assert.ok(parts.wonderful > 0 && parts.warm > 0, JSON.stringify(parts));
  assert.ok(parts.wonderful > Math.abs(parts.film), JSON.stringify(parts));
  const timing = await feel.timing();
  assert.equal(timing.tokens, 10);
  assert.ok(timing.ms > 0, timing.text);
  await feel.screenshot("feel-desktop");
});

test("typing a new sentence turns the answer, and a negative word is red", async () => {
  await feel.typeSlowly("the jokes fall flat and the plot is a dull mess");
  const verdict = await feel.verdictFor(["the", "jokes", "fall", "flat", "and", "the", "plot", "is", "a", "dull", "mess"]);
  assert.ok(verdict.positive < 0.3, verdict.text);
  assert.match(verdict.text, /^Negative/);
  const parts = Object.fromEntries(await feel.parts());
  assert.ok(parts.dull < 0, JSON.stringify(parts));
});

test("the first layer's attention: each piece's row, by head or averaged", async () => {
  await feel.type("not bad at all");
  await feel.verdictFor(["not", "bad", "at", "all"]);
  const all = await feel.attention(2);
  assert.deepEqual(all.map(([t]) => t), ["[CLS]", "not", "bad", "at", "all", "[SEP]"]);
  assert.equal(all[2][2], "true", "the piece picked is pressed");
  assert.equal(Math.max(...all.map(([, w]) => w)), 1, "weights relative to the strongest");
  const head = await feel.attention(2, 3);
  assert.notDeepEqual(head.map(([, w]) => w), all.map(([, w]) => w), "one head differs from the average");
  await feel.screenshot("feel-attention");
});

test("an empty sentence, a 10,000-word one and emoji get answers, not crashes", async () => {
  await feel.type("   ");
  await browser.page.waitForFunction(() => !document.querySelector("[data-testid=feel-verdict]"));
  assert.equal(await feel.error(), null);
  await feel.type("good ".repeat(10_000));
  await feel.verdictFor(Array(62).fill("good"));
  assert.match(await feel.truncatedNote(), /first 62 word pieces only/);
  await feel.type("😀 Café naïve 東京!!");
  const v = await feel.verdictFor(["😀", "Café", "naïve", "東", "京", "!", "!"]);
  assert.ok(v.positive >= 0 && v.positive <= 1);
  assert.equal(await feel.error(), null);
});

test("a worker that dies while the words' parts come is replaced, and the sentence is read again with each word's own part", async () => {
  const words = ["a", "quiet", ",", "lovely", "little", "film", "that", "never", "lets", "you", "down"];
  await feel.type(words.join(" ").replace(" ,", ","));
  const before = await feel.verdictFor(words);
  await feel.breakWorker("panic"); // the parts are on their way
  await feel.workerNotice();
  const after = await feel.verdictFor(words, 60_000);
  assert.equal(after.positive.toFixed(3), before.positive.toFixed(3));
  const parts = await feel.parts(60_000);
  // The same sentence typed again (a trailing space: the same words) gives the same parts.
  await feel.type(`${words.join(" ").replace(" ,", ",")} `);
  await browser.page.waitForFunction(() => [...document.querySelectorAll("[data-testid=feel-words] .part")].some((p) => p.dataset.part === ""));
  const again = await feel.parts();
  assert.deepEqual(parts.map(([w, p]) => [w, p.toFixed(3)]), again.map(([w, p]) => [w, p.toFixed(3)]));
});

test("on a phone, dark: the page fits and reads", async () => {
  const phone = await launch({ ...PHONE, colorScheme: "dark" });
  try {
    const page = new FeelPage(phone.page);
    await page.open(server.url);
    await page.verdictFor(["A", "warm", ",", "funny", "and", "wonderful", "film", "."], 60_000);
    await page.parts();
    const b = await page.measure();
    assert.ok(b.scrollWidth <= b.vw, `${b.scrollWidth} px wide on a ${b.vw} px screen`);
    await page.screenshot("feel-phone-dark");
    assert.deepEqual(phone.errors, []);
  } finally {
    await phone.close();
  }
});
