// What fits on screen: a phone (390×844, touch) and a 1280×720 projector, in and out of
// presenter mode. The canvas is big enough to draw on and every control of a round is
// inside the viewport without scrolling; bars are as long as their percentages; the
// presenter toggle shows its state, survives a reload and can be left on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.js";
import { launch, PHONE } from "../support/browser.js";
import { AppPage } from "../support/app_page.js";
import { SketchPage } from "../support/sketch_page.js";
import { GamePage } from "../support/game_page.js";
import { drawing } from "../support/env.js";

const SIZES = { phone: PHONE, projector: { viewport: { width: 1280, height: 720 } } };
// The smallest canvas side each size must give a drawer.
const MIN_CANVAS = { phone: 300, projector: 480 };

let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

/** `b`: a page object's placement() (AppPage.measure); `names`: the boxes that must be inside the viewport. */
function assertInside(b, names, what) {
  assert.ok(b.scrollWidth <= b.vw, `${what}: page is ${b.scrollWidth} px wide in a ${b.vw} px viewport`);
  for (const name of names) {
    const r = b[name];
    assert.ok(r, `${what}: no ${name}`);
    assert.ok(r.x >= 0 && r.y >= 0 && r.right <= b.vw + 0.5 && r.bottom <= b.vh + 0.5,
      `${what}: ${name} at ${JSON.stringify(r)} is outside the ${b.vw}×${b.vh} viewport`);
  }
}

for (const [size, options] of Object.entries(SIZES)) {
  for (const presenter of [false, true]) {
    const what = `${size}${presenter ? ", presenter" : ""}`;
    test(`${what}: sketch page and a game round fit the screen`, async () => {
      const browser = await launch(options);
      const site = `${server.url}${presenter ? "?presenter" : ""}`;
      try {
        const sketch = new SketchPage(browser.page);
        await sketch.open(`${site}#/`);
        let b = await sketch.placement();
        assertInside(b, ["canvas", "undo", "clear"], `${what}, sketch`);
        assert.ok(Math.min(b.canvas.w, b.canvas.h) >= MIN_CANVAS[size],
          `${what}: canvas ${JSON.stringify(b.canvas)} is too small to draw on`);
        // Undo/Clear never lie on the guess panel.
        const [tools, side] = [b.undo, b.guesses];
        const overlap = tools.x < side.right && side.x < tools.right && tools.y < side.bottom && side.y < tools.bottom;
        assert.ok(!overlap, `${what}: Undo ${JSON.stringify(tools)} overlaps the guesses ${JSON.stringify(side)}`);
        await sketch.screenshot(`layout-${size}${presenter ? "-presenter" : ""}-sketch`, { fullPage: false });

        const game = new GamePage(browser.page);
        await game.visit(site, ["house", "clock"]);
        await game.waitForModel();
        await game.start();
        await game.waitForPrompt("house");
        b = await game.roundPlacement();
        assertInside(b, ["prompt", "countdown", "says", "canvas", "clear", "skip", "sound"], `${what}, game round`);
        assert.ok(Math.min(b.canvas.w, b.canvas.h) >= MIN_CANVAS[size],
          `${what}: game canvas ${JSON.stringify(b.canvas)} is too small`);
        await game.screenshot(`layout-${size}${presenter ? "-presenter" : ""}-game`, { fullPage: false });
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    });
  }
}

test("phone: every control is at least 44 px tall (a finger's size)", async () => {
  const browser = await launch(PHONE);
  const app = new AppPage(browser.page);
  try {
    for (const route of ["#/", "#/game", "#/photo", "#/clean", "#/feel", "#/write", "#/share"]) {
      await app.goto(`${server.url}${route}`);
      await app.waitForAnyPage();
      const heights = await app.controlHeights();
      assert.ok(heights.length >= 6, `${route}: only ${heights.length} controls found`);
      assert.deepEqual(heights.filter(([, h]) => h < 44), [], `${route}: controls under 44 px`);
    }
  } finally {
    await browser.close();
  }
});

test("presenter mode: its toggle looks on, survives a reload, can be left on a phone; bars match the numbers", async () => {
  const browser = await launch({ viewport: { width: 1280, height: 720 } });
  const { page } = browser;
  try {
    const sketch = new SketchPage(page);
    await sketch.open(`${server.url}#/`);
    const off = await sketch.presenterButtonColour();
    await sketch.togglePresenter();
    assert.equal(await sketch.presenterPressed(), "true");
    assert.notEqual(await sketch.presenterButtonColour(), off, "on and off look different");
    await sketch.reload();
    await sketch.waitForModel();
    assert.equal(await sketch.inPresenterMode(), true, "kept across a reload");

    // Each bar's length over its track is its percentage, whatever the label's length.
    await sketch.draw(drawing("clock", "4643438182006784").drawing);
    await sketch.guesses();
    const bars = await sketch.guessBars();
    assert.ok(new Set(bars.map(([t]) => Math.round(t))).size === 1, `every track is as long: ${JSON.stringify(bars)}`);
    for (const [, filled, pct] of bars) assert.ok(Math.abs(filled - pct) < 0.01, `bar ${filled} for ${pct}`);

    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await sketch.presenterButtonShown(), true, "a phone can leave presenter mode");
    await sketch.togglePresenter();
    assert.equal(await sketch.inPresenterMode(), false);
    assert.equal(await sketch.presenterButtonShown(), false, "and then the toggle is out of a phone's way");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("screenshots of every page at both sizes, light and dark (tests/e2e/artifacts/pages-*.png)", async () => {
  for (const [size, options] of Object.entries(SIZES)) {
    for (const scheme of ["light", "dark"]) {
      const browser = await launch({ ...options, colorScheme: scheme });
      const app = new AppPage(browser.page);
      try {
        for (const route of ["", "game", "photo", "clean", "feel", "write", "playground", "share"]) {
          await app.goto(`${server.url}#/${route}`);
          await app.waitForAnyPage();
          await browser.page.waitForTimeout(300);
          const b = await app.measure();
          assert.ok(b.scrollWidth <= b.vw, `${size} ${scheme} #/${route}: ${b.scrollWidth} px wide`);
          await app.screenshot(`pages-${size}-${scheme}-${route || "sketch"}`, { fullPage: false });
        }
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    }
  }
});
