// Accessibility: axe-core finds nothing on any page, light and dark, empty and in use;
// focus and the tab's title follow the person; the screen reader hears settled guesses,
// not every live one; keyboard: Enter opens the photo picker, Ctrl+Z undoes a stroke.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch, FAKE_CAMERA } from "../support/browser.js";
import { axeViolations } from "../support/axe.js";
import { SketchPage } from "../support/sketch_page.js";
import { PhotoPage, PHOTOS } from "../support/photo_page.js";
import { PlaygroundPage } from "../support/playground_page.js";
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
    await page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 30_000 });
    await page.getByTestId("start").click();
    await new SketchPage(page).draw(drawing("house", "6253539749789696").drawing);
  }],
  ["game, the end", "#/game?prompts=clock", async (page) => {
    await page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 30_000 });
    await page.getByTestId("start").click();
    await new SketchPage(page).draw(CLOCK());
    await page.getByTestId("score").waitFor({ timeout: 10_000 });
    await page.getByTestId("others").first().waitFor({ timeout: 10_000 });
  }],
  ["photo, empty", "#/photo", null],
  ["photo, with a photo", "#/photo", async (page) => {
    const photo = new PhotoPage(page);
    await page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 60_000 });
    const since = await photo.shownSeq();
    await photo.pick(path.join(PHOTOS, "cat.png"));
    await photo.guessesAfter(since);
  }],
  ["your model, empty", "#/playground", null],
  ["your model, loaded and run", null, async (page) => {
    await new PlaygroundPage(page).loadModel(server.url, path.join(REPO, "models/sketch/model.onnx"));
    await new SketchPage(page).draw(CLOCK());
    await page.getByTestId("custom-scores").waitFor({ timeout: 10_000 });
  }],
  ["share", "#/share", null],
  ["embed, sketch", "embed.html?demo=sketch", null],
  ["embed, photo", "embed.html?demo=photo", null],
  ["embed, game", "embed.html?demo=game", null],
];

for (const scheme of ["light", "dark"]) {
  test(`axe-core: no violations on any page (${scheme})`, async () => {
    const browser = await launch({ colorScheme: scheme });
    const { page } = browser;
    const found = [];
    try {
      for (const [name, route, use] of PAGES) {
        // A new document each time (a change of hash alone keeps the page's state).
        if (route !== null) await page.goto("about:blank").then(() => page.goto(`${server.url}${route}`));
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
    await page.goto(`${server.url}#/`);
    const titles = new Set([await page.title()]);
    for (const id of ["nav-game", "nav-photo", "nav-playground", "nav-share"]) {
      const before = await page.title();
      await page.getByTestId(id).click();
      await page.waitForFunction((t) => document.title !== t, before, { timeout: 5_000 });
      titles.add(await page.title());
    }
    assert.equal(titles.size, 5, `each page has its own title: ${[...titles].join(" | ")}`);

    const focused = () => page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
    await page.goto(`${server.url}#/game?prompts=clock`);
    await page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 30_000 });
    await page.getByTestId("start").focus();
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=prompt]");
    await page.waitForFunction(() => document.activeElement?.dataset.testid === "prompt", null, { timeout: 5_000 })
      .catch(() => {});
    assert.equal(await focused(), "prompt", "after Start, focus is on what to draw");
    assert.match(await page.getByTestId("prompt").textContent(), /^Draw a clock$/);
    await page.getByTestId("skip").focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("score").waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.activeElement?.dataset.testid === "score", null, { timeout: 5_000 })
      .catch(() => {});
    assert.equal(await focused(), "score", "at the end, focus is on the score (read out)");

    await page.goto(`${server.url}#/photo`);
    await page.getByTestId("camera-button").focus();
    await page.keyboard.press("Enter");
    await page.getByTestId("snap").waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.activeElement?.dataset.testid === "snap", null, { timeout: 5_000 });
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
    await page.goto(`${server.url}#/photo`);
    await page.waitForSelector("[data-testid=model-status][data-state=ready]", { state: "attached", timeout: 60_000 });
    await page.getByTestId("choose-photo").focus();
    await page.keyboard.press("Enter");
    for (let i = 0; i < 50 && choosers === 0; i++) await page.waitForTimeout(100);
    assert.equal(choosers, 1, "Enter opened the file chooser");

    await page.goto(`${server.url}#/`);
    const sketch = new SketchPage(page);
    await sketch.waitForModel();
    await sketch.draw(CLOCK().slice(0, 2));
    await page.keyboard.press("Control+z");
    await page.keyboard.press("Control+z");
    await page.waitForSelector("[data-testid=undo]:disabled", { timeout: 5_000 });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a screen reader hears the settled guess, not each live one; the model's status is a live region", async () => {
  const browser = await launch();
  const { page } = browser;
  try {
    await page.goto(`${server.url}#/`);
    const sketch = new SketchPage(page);
    await sketch.waitForModel();
    assert.equal(await page.getByTestId("model-status").getAttribute("role"), "status");
    const live = await page.$$eval("[aria-live]", (els) => els.map((e) => e.dataset.testid));
    assert.ok(!live.includes("guesses"), "the whole guess list is not a live region");
    await page.evaluate(() => {
      window.__said = [];
      window.__answers = 0;
      const el = document.querySelector("[data-testid=guess-announcement]");
      new MutationObserver(() => window.__said.push(el.textContent)).observe(el, { childList: true, subtree: true, characterData: true });
      new MutationObserver(() => window.__answers++)
        .observe(document.querySelector("[data-testid=guesses]"), { attributes: true, attributeFilter: ["data-seq"] });
    });
    // A slow drawing (about 4 s): live guesses change many times while it is drawn.
    await sketch.draw(CLOCK(), async () => {
      await page.waitForTimeout(150);
      return false;
    });
    await page.waitForTimeout(1_200);
    const answers = await page.evaluate(() => window.__answers);
    assert.ok(answers > 5, `the guesses changed while drawing (${answers} answers shown)`);
    const said = await page.evaluate(() => window.__said.filter(Boolean));
    assert.ok(said.length >= 1 && said.length <= 3, `announced ${said.length} times: ${JSON.stringify(said)}`);
    assert.match(said.at(-1), /^I see a clock, \d+%\.$/);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
