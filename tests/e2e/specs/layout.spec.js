// What fits on screen: a phone (390×844, touch) and a 1280×720 projector, in and out of
// presenter mode. The canvas is big enough to draw on and every control of a round is
// inside the viewport without scrolling; bars are as long as their percentages; the
// presenter toggle shows its state, survives a reload and can be left on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch, PHONE } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { drawing, ARTIFACTS } from "../support/env.js";

const SIZES = { phone: PHONE, projector: { viewport: { width: 1280, height: 720 } } };
// The smallest canvas side each size must give a drawer.
const MIN_CANVAS = { phone: 300, projector: 480 };

let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

/** Boxes of the elements by test id, and the page's size. */
async function boxes(page, ids) {
  return page.evaluate((ids) => {
    const out = { vw: innerWidth, vh: innerHeight, scrollWidth: document.scrollingElement.scrollWidth };
    for (const id of ids) {
      const r = document.querySelector(`[data-testid=${id}]`)?.getBoundingClientRect();
      out[id] = r && { x: r.x, y: r.y, w: r.width, h: r.height, bottom: r.bottom, right: r.right };
    }
    return out;
  }, ids);
}

function assertInside(b, ids, what) {
  assert.ok(b.scrollWidth <= b.vw, `${what}: page is ${b.scrollWidth} px wide in a ${b.vw} px viewport`);
  for (const id of ids) {
    const r = b[id];
    assert.ok(r, `${what}: no ${id}`);
    assert.ok(r.x >= 0 && r.y >= 0 && r.right <= b.vw + 0.5 && r.bottom <= b.vh + 0.5,
      `${what}: ${id} at ${JSON.stringify(r)} is outside the ${b.vw}×${b.vh} viewport`);
  }
}

for (const [size, options] of Object.entries(SIZES)) {
  for (const presenter of [false, true]) {
    const what = `${size}${presenter ? ", presenter" : ""}`;
    test(`${what}: sketch page and a game round fit the screen`, async () => {
      const browser = await launch(options);
      const { page } = browser;
      try {
        await page.goto(`${server.url}${presenter ? "?presenter" : ""}#/`);
        await new SketchPage(page).waitForModel();
        let b = await boxes(page, ["sketch-canvas", "undo", "clear", "guesses"]);
        assertInside(b, ["sketch-canvas", "undo", "clear"], `${what}, sketch`);
        assert.ok(Math.min(b["sketch-canvas"].w, b["sketch-canvas"].h) >= MIN_CANVAS[size],
          `${what}: canvas ${JSON.stringify(b["sketch-canvas"])} is too small to draw on`);
        // Undo/Clear never lie on the guess panel.
        const [tools, side] = [b.undo, b.guesses];
        const overlap = tools.x < side.right && side.x < tools.right && tools.y < side.bottom && side.y < tools.bottom;
        assert.ok(!overlap, `${what}: Undo ${JSON.stringify(tools)} overlaps the guesses ${JSON.stringify(side)}`);
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-${size}${presenter ? "-presenter" : ""}-sketch.png`) });

        await page.goto(`${server.url}${presenter ? "?presenter" : ""}#/game?prompts=house,clock`);
        await new SketchPage(page).waitForModel();
        await page.getByTestId("start").click();
        await page.waitForSelector("[data-testid=prompt][data-label=house]");
        const ids = ["prompt", "countdown", "game-guess", "sketch-canvas", "game-clear", "skip", "sound"];
        b = await boxes(page, ids);
        assertInside(b, ids, `${what}, game round`);
        assert.ok(Math.min(b["sketch-canvas"].w, b["sketch-canvas"].h) >= MIN_CANVAS[size],
          `${what}: game canvas ${JSON.stringify(b["sketch-canvas"])} is too small`);
        await page.screenshot({ path: path.join(ARTIFACTS, `layout-${size}${presenter ? "-presenter" : ""}-game.png`) });
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    });
  }
}

test("phone: every control is at least 44 px tall (a finger's size)", async () => {
  const browser = await launch(PHONE);
  const { page } = browser;
  try {
    for (const route of ["#/", "#/game", "#/photo", "#/share"]) {
      await page.goto(`${server.url}${route}`);
      await page.waitForSelector("[data-testid=model-status], [data-testid=qr]", { state: "attached" });
      const heights = await page.evaluate(() =>
        [...document.querySelectorAll(".tabs a span, button")]
          .filter((e) => e.offsetParent !== null)
          .map((e) => [e.textContent.trim(), e.getBoundingClientRect().height]));
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
    await page.goto(`${server.url}#/`);
    const sketch = new SketchPage(page);
    await sketch.waitForModel();
    const toggle = page.getByTestId("presenter");
    const look = () => toggle.evaluate((e) => getComputedStyle(e).backgroundColor);
    const off = await look();
    await toggle.click();
    assert.equal(await toggle.getAttribute("aria-pressed"), "true");
    assert.notEqual(await look(), off, "on and off look different");
    await page.reload();
    await sketch.waitForModel();
    assert.equal(await page.evaluate(() => document.body.classList.contains("presenter")), true, "kept across a reload");

    // Each bar's length over its track is its percentage, whatever the label's length.
    await sketch.draw(drawing("clock", "4643438182006784").drawing);
    await sketch.guesses();
    const bars = await page.$$eval("[data-testid=guess]", (rows) => rows.map((r) => {
      const track = r.querySelector(".bar").getBoundingClientRect().width;
      return [track, r.querySelector(".bar span").getBoundingClientRect().width / track, parseFloat(r.querySelector(".pct").textContent) / 100];
    }));
    assert.ok(new Set(bars.map(([t]) => Math.round(t))).size === 1, `every track is as long: ${JSON.stringify(bars)}`);
    for (const [, filled, pct] of bars) assert.ok(Math.abs(filled - pct) < 0.01, `bar ${filled} for ${pct}`);

    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await toggle.isVisible(), true, "a phone can leave presenter mode");
    await toggle.click();
    assert.equal(await page.evaluate(() => document.body.classList.contains("presenter")), false);
    assert.equal(await toggle.isVisible(), false, "and then the toggle is out of a phone's way");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("screenshots of every page at both sizes, light and dark (tests/e2e/artifacts/pages-*.png)", async () => {
  for (const [size, options] of Object.entries(SIZES)) {
    for (const scheme of ["light", "dark"]) {
      const browser = await launch({ ...options, colorScheme: scheme });
      const { page } = browser;
      try {
        for (const route of ["", "game", "photo", "playground", "share"]) {
          await page.goto(`${server.url}#/${route}`);
          await page.waitForSelector("[data-testid=model-status], [data-testid=playground], [data-testid=qr]", { state: "attached" });
          await page.waitForTimeout(300);
          const b = await boxes(page, []);
          assert.ok(b.scrollWidth <= b.vw, `${size} ${scheme} #/${route}: ${b.scrollWidth} px wide`);
          await page.screenshot({ path: path.join(ARTIFACTS, `pages-${size}-${scheme}-${route || "sketch"}.png`) });
        }
        assert.deepEqual(browser.errors, []);
      } finally {
        await browser.close();
      }
    }
  }
});
