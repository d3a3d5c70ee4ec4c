// The Quick Draw game played with real dataset drawings: each prompt is recognised, the round
// ends with "Oh, I know", and the end screen shows the six drawings with downloads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { drawing } from "../support/env.js";

// Real exupery drawings (never trained on) whose top-1 is their label natively.
const DRAWINGS = {
  house: "6253539749789696",
  clock: "4643438182006784",
  apple: "5464797179019264",
  snowman: "4724349351231488",
  diamond: "5391147583143936",
  rainbow: "5078354342445056",
};

// As the page must say them (crates/core/tests/noun_phrases.txt has every label).
const PHRASES = { house: "a house", clock: "a clock", apple: "an apple", snowman: "a snowman", diamond: "a diamond", rainbow: "a rainbow" };

test("a whole game: six prompts recognised, then the gallery", async () => {
  const server = await startServer();
  const browser = await launch();
  const { page } = browser;
  try {
    const prompts = Object.keys(DRAWINGS);
    await page.goto(`${server.url}#/game?prompts=${prompts.join(",")}`);
    await page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 30_000 });
    await page.getByTestId("start").click();
    const sketch = new SketchPage(page);
    for (const [i, word] of prompts.entries()) {
      await page.waitForSelector(`[data-testid=prompt][data-label="${word}"]`, { timeout: 10_000 });
      if (i === 0) {
        const before = Number(await page.getByTestId("countdown").textContent());
        await page.waitForTimeout(1_100);
        assert.ok(Number(await page.getByTestId("countdown").textContent()) < before, "the countdown runs");
      }
      // Record the round's verdict the moment it shows: the round ends as soon as the model
      // guesses right, often before the drawing is finished, and the next one starts 2 s later.
      await page.evaluate(() => {
        window.__verdicts = [];
        const el = document.querySelector("[data-testid=game-guess]");
        new MutationObserver(() => el.classList.contains("over") && window.__verdicts.push(el.textContent))
          .observe(el, { attributes: true, childList: true, subtree: true, characterData: true });
      });
      const over = () => page.evaluate(() => window.__verdicts.length > 0);
      await sketch.draw(drawing(word, DRAWINGS[word]).drawing, over);
      await page.waitForFunction(() => window.__verdicts.length > 0, null, { timeout: 10_000 });
      assert.equal(await page.evaluate(() => window.__verdicts[0]), `Oh, I know — it's ${PHRASES[word]}!`);
      if (i === 0) await sketch.screenshot("game-round");
    }
    await page.getByTestId("score").waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId("score").textContent(), "I recognised 6 of your 6 drawings");
    assert.equal(await page.locator("[data-testid=result]").count(), 6);
    const href = await page.locator("[data-testid=download]").first().getAttribute("href");
    assert.match(href, /^data:image\/png;base64,/);
    await sketch.screenshot("game-end");
    assert.equal(await page.getByTestId("play-again").isVisible(), true);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test("prompts come from well-recognised classes and never repeat", async () => {
  const server = await startServer();
  const browser = await launch();
  try {
    await browser.page.goto(`${server.url}#/game`);
    await browser.page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 30_000 });
    await browser.page.getByTestId("start").click();
    const prompt = await browser.page.getByTestId("prompt").getAttribute("data-label");
    assert.ok(prompt && !["dog", "bird", "cat"].includes(prompt), `prompt ${prompt} is below the 90% bar`);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    server.stop();
  }
});

test("a game in progress survives a worker restart: same round, same prompt, and it still recognises", async () => {
  const server = await startServer();
  const browser = await launch();
  const { page } = browser;
  try {
    await page.goto(`${server.url}#/game?prompts=clock,house`);
    await page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 30_000 });
    await page.getByTestId("start").click();
    await page.waitForSelector("[data-testid=prompt][data-label=clock]", { timeout: 10_000 });
    await page.evaluate(() => window.playgroundDebug.sabotage("panic"));
    await page.getByTestId("worker-notice").waitFor({ timeout: 10_000 });
    await page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 30_000 });
    assert.equal(await page.getByTestId("prompt").getAttribute("data-label"), "clock");
    const sketch = new SketchPage(page);
    await sketch.draw(drawing("clock", DRAWINGS.clock).drawing);
    await page.waitForFunction(() => document.querySelector("[data-testid=game-guess]")?.classList.contains("over"), null, { timeout: 10_000 });
    assert.equal(await page.getByTestId("game-guess").textContent(), "Oh, I know — it's a clock!");
    assert.ok(browser.errors.every((e) => /panicked|unreachable|RuntimeError|sabotage/.test(e)), browser.errors.join("\n"));
  } finally {
    await browser.close();
    server.stop();
  }
});
