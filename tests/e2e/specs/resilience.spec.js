// The page outlives its worker and its network: a worker that panics or hangs is restarted
// and the user told; a model that fails to download gets a message and a working retry.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { drawing } from "../support/env.js";

const HOUSE = "6253539749789696";
let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

/** Runs `fn` on a fresh page; afterwards no console error may remain but those `allow` matches. */
async function withPage(fn, allow = null) {
  const browser = await launch();
  try {
    await fn(new SketchPage(browser.page), browser);
    assert.deepEqual(browser.errors.filter((e) => !(allow && allow.test(e))), [], "no console errors");
  } finally {
    await browser.close();
  }
}

test("a visitor's page has no test hooks: nothing can sabotage its worker", async () => {
  const browser = await launch({ debugHooks: false });
  try {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url);
    assert.equal(await sketch.hasTestHooks(), false);
    // The control: the same page with the harness's flag has them.
    await sketch.enableTestHooks();
    await sketch.reload();
    await sketch.waitForModel();
    assert.equal(await sketch.canBreakWorker(), true);
  } finally {
    await browser.close();
  }
});

async function guessesHouse(sketch) {
  await sketch.draw(drawing("house", HOUSE).drawing);
  const top = await sketch.guesses();
  assert.ok(top.slice(0, 3).some(([l]) => l === "house"), JSON.stringify(top));
}

test("a worker panic is detected, the worker restarted, the user told", async () => {
  await withPage(async (sketch) => {
    await sketch.open(server.url);
    await sketch.breakWorker("panic");
    const said = await sketch.workerNotice(5_000);
    assert.match(said, /worker hit an internal error .*restarted/s);
    assert.doesNotMatch(said, /panicked|sabotage|\.rs:/);
    await sketch.waitForModel();
    await guessesHouse(sketch);
    await sketch.screenshot("worker-restarted");
  });
});

test("a restart reloads what the open page needs: after a visit to the feel page, not its 23 MB model", async () => {
  await withPage(async (sketch, { context }) => {
    const fetched = [];
    context.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await sketch.goto(`${server.url}#/feel`);
    await sketch.waitForModel(60_000);
    await sketch.goto(`${server.url}#/`); // the same document: the app and its worker stay
    await sketch.waitForModel();
    const before = fetched.length;
    await sketch.breakWorker("panic");
    await sketch.workerNotice(5_000);
    await sketch.waitForModel();
    await guessesHouse(sketch);
    const after = fetched.slice(before);
    assert.ok(after.includes("/models/sketch/model.onnx"), `sketch reloaded: ${after}`);
    assert.ok(!after.some((p) => p.startsWith("/models/sentiment/")), `sentiment not reloaded: ${after}`);
  });
});

test("a hung worker is killed by the watchdog and replaced", async () => {
  await withPage(async (sketch) => {
    await sketch.open(server.url);
    await sketch.breakWorker("hang");
    // Draw while it hangs: the request goes unanswered and the watchdog fires (10 s).
    await sketch.draw(drawing("house", HOUSE).drawing.slice(0, 1));
    assert.match(await sketch.workerNotice(20_000), /stopped answering/);
    await sketch.waitForModel();
    await sketch.clear();
    await guessesHouse(sketch);
  });
});

test("a model that fails to download shows why, and Retry recovers", async () => {
  await withPage(async (sketch, { context }) => {
    await context.route("**/models/sketch/model.onnx", (route) => route.fulfill({ status: 503, body: "down" }));
    await sketch.goto(server.url);
    assert.match(await sketch.modelFailure(10_000), /HTTP 503/);
    await sketch.screenshot("model-load-failed");
    await context.unroute("**/models/sketch/model.onnx");
    await sketch.retry();
    await sketch.waitForModel();
    await guessesHouse(sketch);
    // Chromium logs the 503 itself as a failed resource load: that one is expected.
  }, /Failed to load resource.*503/);
});

test("a first visit over a Fast-3G connection waits for the slow download instead of restarting the worker", async () => {
  // The watchdog counts silence only once the worker runs, so a slow download is no hang. The
  // canvas works from the first paint: a drawing made while the model is on its way is answered
  // as soon as it is ready. The model arrives ~7 s after the page is asked for (BENCHMARKS.md),
  // about when the app does; here it is held back until the drawing has begun.
  const slow = await startServer(undefined, ["--throttle", "fast3g"]);
  try {
    await withPage(async (sketch, { context }) => {
      let drawingBegun;
      const begun = new Promise((resolve) => (drawingBegun = resolve));
      await context.route("**/models/sketch/model.onnx", async (route) => {
        await begun;
        await route.continue();
      });
      await sketch.goto(slow.url);
      let strokesBeforeReady = 0, guessedBeforeReady = false;
      await sketch.draw(drawing("house", HOUSE).drawing, async () => {
        // The model's state and the guesses in one look, so nothing changes between the two.
        const [ready, guesses] = await sketch.page.evaluate(() => [
          document.querySelector("[data-testid=model-status]")?.dataset.state === "ready",
          document.querySelectorAll("[data-testid=guess]").length,
        ]);
        if (!ready) {
          strokesBeforeReady += 1;
          guessedBeforeReady ||= guesses > 0;
        }
        if (strokesBeforeReady === 2) drawingBegun();
        return false;
      });
      drawingBegun();
      assert.ok(strokesBeforeReady >= 2, "drawn while the model was on its way");
      assert.equal(guessedBeforeReady, false, "no guess before the model is in");
      await sketch.waitForModel(120_000);
      const top = await sketch.guesses();
      assert.ok(top.slice(0, 3).some(([l]) => l === "house"), JSON.stringify(top));
      assert.equal(await sketch.hasWorkerNotice(), false, "no restart notice");
      await guessesHouse(sketch);
    });
  } finally {
    slow.stop();
  }
});
