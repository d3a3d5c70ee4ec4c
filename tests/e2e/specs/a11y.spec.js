// Accessibility: axe-core finds nothing on any page, light and dark, empty and in use;
// focus and the tab's title follow the person; the screen reader hears settled guesses,
// not every live one; keyboard: Enter opens the photo picker, Ctrl+Z undoes a stroke.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch, FAKE_CAMERA } from "../support/browser.js";
import { axeViolations } from "../support/axe.js";
import { AppPage } from "../support/app_page.js";
import { SketchPage } from "../support/sketch_page.js";
import { GamePage } from "../support/game_page.js";
import { PhotoPage, PHOTOS } from "../support/photo_page.js";
import { PlaygroundPage } from "../support/playground_page.js";
import { WritePage } from "../support/write_page.js";
import { CleanPage } from "../support/clean_page.js";
import { FeelPage } from "../support/feel_page.js";
import { drawing, REPO } from "../support/env.js";

const CLOCK = () => drawing("clock", "4643438182006784").drawing;

let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

/** Each page in the state a person sees it in: `use` (optional) puts it in use. */
const PAGES = [
  ["sketch, empty", "#/", null],
  ["sketch, drawn on", "#/", async (page) => {
    const sketch = new SketchPage(page);
    await sketch.waitForModel();
    await sketch.draw(CLOCK());
    await sketch.guesses();
  }],
  ["game, intro", "#/game", null],
  ["game, in a round", "#/game?prompts=house,clock", async (page) => {
    const game = new GamePage(page);
    await game.waitForModelShown();
    await game.start();
    await game.draw(drawing("house", "6253539749789696").drawing);
  }],
  ["game, the end", "#/game?prompts=clock", async (page) => {
    const game = new GamePage(page);
    await game.waitForModelShown();
    await game.start();
    await game.draw(CLOCK());
    await game.waitForScore();
    await game.waitForOthersDrawings();
  }],
  ["photo, empty", "#/photo", null],
  ["photo, with a photo", "#/photo", async (page) => {
    const photo = new PhotoPage(page);
    await photo.waitForModelShown(60_000);
    const since = await photo.shownSeq();
    await photo.pick(path.join(PHOTOS, "cat.png"));
    await photo.guessesAfter(since);
  }],
  ["clean, empty", "#/clean", null],
  ["clean, cleaned", "#/clean", async (page) => {
    const clean = new CleanPage(page);
    await clean.waitForModelShown(60_000);
    await clean.trySample();
    await clean.waitForResult();
  }],
  ["feel, read", "#/feel", async (page) => {
    const feel = new FeelPage(page);
    await feel.waitForModelShown(120_000);
    await feel.verdictFor(["A", "warm", ",", "funny", "and", "wonderful", "film", "."]);
    await feel.parts();
    await feel.attention(1);
  }],
  ["write, empty", "#/write", null],
  ["write, with a text", "#/write", async (page) => {
    const write = new WritePage(page);
    await write.waitForModelShown(60_000);
    await write.setLength(200);
    await write.start();
    await write.waitDone();
  }],
  ["your model, empty", "#/playground", null],
  ["your model, loaded and run", null, async (page) => {
    const playground = new PlaygroundPage(page);
    await playground.loadModel(server.url, path.join(REPO, "models/sketch/model.onnx"));
    await playground.draw(CLOCK());
    await playground.waitForScores(10_000);
  }],
  ["share", "#/share", null],
  ["embed, sketch", "embed.html?demo=sketch", null],
  ["embed, photo", "embed.html?demo=photo", null],
  ["embed, game", "embed.html?demo=game", null],
  ["embed, write", "embed.html?demo=write", null],
  ["embed, clean", "embed.html?demo=clean", null],
  ["embed, feel", "embed.html?demo=feel", null],
];

for (const scheme of ["light", "dark"]) {
  test(`axe-core: no violations on any page (${scheme})`, async () => {
    const browser = await launch({ colorScheme: scheme });
    const { page } = browser;
    const app = new AppPage(page);
    const found = [];
    try {
      for (const [name, route, use] of PAGES) {
        // A new document each time (a change of hash alone keeps the page's state).
        if (route !== null) await app.goto("about:blank").then(() => app.goto(`${server.url}${route}`));
        if (use) await use(page);
        else await page.waitForTimeout(500);
        found.push(...(await axeViolations(page)).map((v) => `${name}: ${v}`));
      }
      assert.deepEqual(found, []);
      assert.deepEqual(browser.errors, []);
    } finally {
      await browser.close();
    }
  });
}

test("focus and title follow the person: pages, Start, the end of a game, the camera", async () => {
  const browser = await launch({ ...FAKE_CAMERA, permissions: ["camera"] });
  const { page } = browser;
  try {
    const app = new AppPage(page);
    await app.goto(`${server.url}#/`);
    const titles = new Set([await app.title()]);
    for (const tab of ["game", "photo", "playground", "share"]) {
      const before = await app.title();
      await app.goToTab(tab);
      await app.waitForTitleOtherThan(before);
      titles.add(await app.title());
    }
    assert.equal(titles.size, 5, `each page has its own title: ${[...titles].join(" | ")}`);

    const game = new GamePage(page);
    await game.open(server.url, ["clock"]);
    await game.startWithKeyboard();
    await game.waitForPrompt();
    await game.waitForFocusOn("prompt").catch(() => {});
    assert.equal(await game.focused(), "prompt", "after Start, focus is on what to draw");
    assert.match(await game.promptText(), /^Draw a clock$/);
    await game.skipWithKeyboard();
    await game.waitForScore();
    await game.waitForFocusOn("score").catch(() => {});
    assert.equal(await game.focused(), "score", "at the end, focus is on the score (read out)");

    const photo = new PhotoPage(page);
    await photo.visit(server.url);
    await photo.openCameraWithKeyboard();
    await photo.waitForSnapButton();
    await photo.waitForFocusOn("snap");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("keyboard: Enter opens the photo picker; Ctrl+Z undoes the last stroke", async () => {
  const browser = await launch();
  const { page } = browser;
  try {
    // Listening before the page loads: Playwright intercepts file choosers only once a
    // listener is set, and setting it takes a round trip to the browser.
    let choosers = 0;
    page.on("filechooser", () => choosers++);
    const photo = new PhotoPage(page);
    await photo.visit(server.url);
    await photo.waitForModel(60_000);
    await photo.choosePhotoWithKeyboard();
    for (let i = 0; i < 50 && choosers === 0; i++) await page.waitForTimeout(100);
    assert.equal(choosers, 1, "Enter opened the file chooser");

    const sketch = new SketchPage(page);
    await sketch.open(`${server.url}#/`);
    await sketch.draw(CLOCK().slice(0, 2));
    await sketch.undoWithKeyboard();
    await sketch.undoWithKeyboard();
    await sketch.waitUntilNothingToUndo();
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a screen reader hears the settled guess, not each live one; the model's status is a live region", async () => {
  const browser = await launch();
  const { page } = browser;
  try {
    const sketch = new SketchPage(page);
    await sketch.open(`${server.url}#/`);
    assert.equal(await sketch.modelStatusRole(), "status");
    const live = await sketch.liveRegions();
    assert.ok(!live.includes("guesses"), "the whole guess list is not a live region");
    await sketch.listen();
    // A slow drawing (about 4 s): live guesses change many times while it is drawn.
    await sketch.draw(CLOCK(), async () => {
      await page.waitForTimeout(150);
      return false;
    });
    await page.waitForTimeout(1_200);
    const answers = await sketch.answersShown();
    assert.ok(answers > 5, `the guesses changed while drawing (${answers} answers shown)`);
    const said = await sketch.announced();
    assert.ok(said.length >= 1 && said.length <= 3, `announced ${said.length} times: ${JSON.stringify(said)}`);
    assert.match(said.at(-1), /^I see a clock, \d+%\.$/);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
