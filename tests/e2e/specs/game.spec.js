// The Quick Draw game played with real dataset drawings: each prompt is recognised, the round
// ends with "Oh, I know", and the end screen shows the six drawings with downloads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { GamePage } from "../support/game_page.js";
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
  const game = new GamePage(browser.page);
  try {
    const prompts = Object.keys(DRAWINGS);
    await game.open(server.url, prompts);
    await game.start();
    for (const [i, word] of prompts.entries()) {
      await game.waitForPrompt(word, 10_000);
      if (i === 0) {
        const before = await game.countdown();
        await browser.page.waitForTimeout(1_100);
        assert.ok((await game.countdown()) < before, "the countdown runs");
      }
      // The round ends as soon as the model guesses right, often before the drawing is
      // finished: stop drawing then, and read what it said as it ended.
      await game.watchForVerdict();
      await game.draw(drawing(word, DRAWINGS[word]).drawing, () => game.roundOver());
      assert.equal(await game.verdict(), `Oh, I know — it's ${PHRASES[word]}!`);
      if (i === 0) await game.screenshot("game-round");
    }
    assert.equal(await game.score(), "I recognised 6 of your 6 drawings");
    assert.equal(await game.resultCount(), 6);
    assert.match(await game.firstDownloadHref(), /^data:image\/png;base64,/);
    await game.screenshot("game-end");
    assert.equal(await game.canPlayAgain(), true);
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
    const game = new GamePage(browser.page);
    await game.open(server.url);
    await game.start();
    const prompt = await game.prompt();
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
  try {
    const game = new GamePage(browser.page);
    await game.open(server.url, ["clock", "house"]);
    await game.start();
    await game.waitForPrompt("clock", 10_000);
    await game.breakWorker("panic");
    await game.workerNotice(10_000);
    await game.waitForModelShown();
    assert.equal(await game.prompt(), "clock");
    await game.draw(drawing("clock", DRAWINGS.clock).drawing);
    await game.waitUntilRoundOver(10_000);
    assert.equal(await game.says(), "Oh, I know — it's a clock!");
    assert.ok(browser.errors.every((e) => /panicked|unreachable|RuntimeError|sabotage/.test(e)), browser.errors.join("\n"));
  } finally {
    await browser.close();
    server.stop();
  }
});
