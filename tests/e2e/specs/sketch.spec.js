// The sketch page in headless Chromium against the release build: real dataset strokes
// replayed as pointer input, on a desktop and a phone viewport, with no console errors.
import { test, before, after, afterEach } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.js";
import { launch, PHONE } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { drawing } from "../support/env.js";

// Real drawings from the exupery stroke set (never used in training), by key_id.
const DRAWINGS = {
  house: "6253539749789696",
  clock: "4643438182006784",
  apple: "5891869735124992",
  snowman: "6252961321713664",
};

let server, browser, sketch;
before(async () => {
  server = await startServer();
  browser = await launch();
  sketch = new SketchPage(browser.page);
  await sketch.open(server.url);
});
after(async () => {
  await browser?.close();
  server?.stop();
});
afterEach(() => assert.deepEqual(browser.errors, [], "no console errors"));

test("empty canvas shows a prompt and no guess", async () => {
  await sketch.waitUntilEmpty();
  assert.equal(await sketch.guessCount(), 0);
  assert.equal(await sketch.canUndo(), false);
});

for (const [word, keyId] of Object.entries(DRAWINGS)) {
  test(`a real ${word} drawing is guessed (label in the top 3)`, async () => {
    await sketch.draw(drawing(word, keyId).drawing);
    const top = await sketch.guesses();
    assert.equal(top.length, 5);
    assert.ok(top.slice(0, 3).some(([label]) => label === word), `${word} not in top 3: ${JSON.stringify(top)}`);
    await sketch.screenshot(`sketch-${word}`);
    await sketch.clear();
    await sketch.waitUntilEmpty();
  });
}

test("guesses arrive live while a stroke is still being drawn", async () => {
  // One long stroke through every point, slowly enough for the throttled live guesses; a guess
  // must show before the mouse is lifted.
  await sketch.drawOneStroke(drawing("house", DRAWINGS.house).drawing, () => sketch.waitForGuess(5_000));
  await sketch.clear();
});

test("undo removes the last stroke; undoing everything brings the prompt back", async () => {
  const strokes = drawing("clock", DRAWINGS.clock).drawing;
  await sketch.draw(strokes.slice(0, 2));
  await sketch.guesses();
  await sketch.undo();
  await sketch.undo();
  await sketch.waitUntilEmpty();
  assert.equal(await sketch.canUndo(), false);
});

test("the model input preview shows ink where the drawing is", async () => {
  await sketch.draw(drawing("apple", DRAWINGS.apple).drawing);
  await sketch.guesses();
  const ink = await sketch.inkInModelInput();
  assert.ok(ink > 30 && ink < 600, `ink pixels ${ink}`);
  await sketch.clear();
});

test("phone viewport: touch drawing guesses, no page scroll, nothing overflows", async () => {
  const phone = await launch(PHONE);
  try {
    const page = new SketchPage(phone.page);
    await page.open(server.url);
    await page.scrollToCanvas();
    const scrollBefore = await page.scrollY();
    await page.drawWithTouch(drawing("house", DRAWINGS.house).drawing);
    const top = await page.guesses();
    assert.ok(top.slice(0, 3).some(([l]) => l === "house"), JSON.stringify(top));
    assert.equal(await page.scrollY(), scrollBefore, "drawing must not scroll");
    const overflow = await page.overflow();
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    const box = await page.canvasBox();
    assert.ok(box.width >= 300 && box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box));
    // The Embed toggle shares the row of tabs instead of taking a row of its own.
    const nav = await page.navBox();
    const embed = await page.embedButtonBox();
    assert.ok(embed.y >= nav.y && embed.y + embed.height <= nav.y + nav.height + 4, JSON.stringify({ nav, embed }));
    await page.screenshot("sketch-phone");
    // The tabs past the row's right end: its "›" scrolls on until the last one is in view.
    const last = await page.tabBox("nav-share");
    assert.ok(last.x >= nav.x + nav.width, `the last tab starts hidden: ${JSON.stringify({ nav, last })}`);
    assert.ok((await page.scrollTabsToEnd()) >= 1);
    const shown = await page.tabBox("nav-share");
    assert.ok(shown.x >= nav.x && shown.x + shown.width <= nav.x + nav.width + 1, JSON.stringify({ nav, shown }));
    await page.screenshot("sketch-phone-tabs-end", { fullPage: false });
    assert.deepEqual(phone.errors, []);
  } finally {
    await phone.close();
  }
});

// Real drawings of classes the 64-class model learnt in its retrain (exupery, never trained on).
const NEW_CLASSES = {
  zigzag: "5325474123218944",
  moon: "5249022094737408",
  lollipop: "4719883889672192",
};
// A class outside our 64, among DoodleNet's 345: named once the wider model has loaded.
const OUTSIDE = { word: "axe", keyId: "5972944759029760" };

for (const [word, keyId] of Object.entries(NEW_CLASSES)) {
  test(`a real ${word} drawing (a class of the retrain) gets its label in the top 3`, async () => {
    await sketch.draw(drawing(word, keyId).drawing);
    const top = await sketch.guesses();
    assert.ok(top.slice(0, 3).some(([label]) => label === word), `${word} not in top 3: ${JSON.stringify(top)}`);
    await sketch.screenshot(`sketch-${word}`);
    await sketch.clear();
    await sketch.waitUntilEmpty();
  });
}

test("a drawing outside our classes is named once the 345 classes are in; the list shows them all", async () => {
  await sketch.waitForAllClasses();
  await sketch.draw(drawing(OUTSIDE.word, OUTSIDE.keyId).drawing);
  const top = await sketch.guesses();
  assert.ok(top.some(([label]) => label === OUTSIDE.word), `${OUTSIDE.word} not in top 5: ${JSON.stringify(top)}`);
  assert.ok(!(await sketch.notSure()), "a drawing DoodleNet names surely is no 'not sure'");
  await sketch.toggleKnownClasses();
  await sketch.searchKnownClasses("pizz");
  assert.deepEqual(await sketch.knownClassesListed(), ["pizza"]);
  await sketch.screenshot(`sketch-${OUTSIDE.word}`);
  await sketch.searchKnownClasses("");
  await sketch.toggleKnownClasses();
  await sketch.clear();
  await sketch.waitUntilEmpty();
});

test("a random scribble is 'not sure', a real drawing is not", async () => {
  await sketch.waitForAllClasses();
  // A fixed pseudo-random scribble (as models/train/compare.py draws them): jagged strokes anywhere.
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const scribble = [0, 1, 2].map(() => {
    const n = 6 + Math.floor(random() * 6);
    const xs = Array.from({ length: n }, () => random() * 400);
    return [xs, xs.map(() => random() * 400)];
  });
  await sketch.draw(scribble);
  await sketch.guesses();
  assert.ok(await sketch.notSure(), "a scribble must be 'not sure'");
  await sketch.screenshot("sketch-scribble-not-sure");
  await sketch.clear();
  await sketch.draw(drawing("house", DRAWINGS.house).drawing);
  await sketch.guesses();
  assert.ok(!(await sketch.notSure()), "a finished house is no 'not sure'");
  await sketch.clear();
});
