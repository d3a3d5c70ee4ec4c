// The playground: a person's own ONNX model is read in the worker, described, run on a
// drawing or a photo, kept in IndexedDB; bad models get clear messages and the page lives on.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch, PHONE } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { REPO, ARTIFACTS, drawing } from "../support/env.js";
import { writeWideClassifier } from "../support/onnx_file.js";
import { loadPersonsModel } from "../support/playground.js";

const FIXTURES = path.join(REPO, "crates/core/tests/models");
const SKETCH = path.join(REPO, "models/sketch");
let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

async function openPlayground(page) {
  await page.goto(`${server.url}#/playground`);
  await page.getByTestId("playground").waitFor();
}

/** Picks a model file and waits until the page has read it (card shown, or an error). */
async function pickModel(page, file) {
  await page.getByTestId("model-file").setInputFiles(file);
  await page.waitForSelector("[data-testid=playground]:not([data-phase=inspecting])", { timeout: 60_000 });
}

const errorText = (page) => page.getByTestId("playground-error").textContent({ timeout: 30_000 });

test("the demos load the small worker; the playground switches to the one that reads ONNX", async () => {
  const browser = await launch({ serviceWorkers: "block" }); // only the page's own fetches
  try {
    const { page, context } = browser;
    const fetched = [];
    const paths = [];
    context.on("request", (r) => {
      paths.push(new URL(r.url()).pathname);
      fetched.push(paths.at(-1).split("/").pop());
    });
    const sketch = new SketchPage(page);
    await sketch.open(server.url);
    assert.ok(fetched.includes("worker_bg.wasm") && fetched.includes("model.nnef.tar"), fetched.join(", "));
    assert.ok(!fetched.some((f) => f.startsWith("worker_onnx")), "the sketch page does not fetch the ONNX build");
    await openPlayground(page);
    await page.getByTestId("choose-model").waitFor();
    // The switch starts on arrival; back on the sketch page the model shows as loading until
    // the new worker has it, then that worker answers.
    await page.goto(`${server.url}#/`);
    await sketch.waitForModel();
    assert.ok(fetched.includes("worker_onnx_bg.wasm"), fetched.join(", "));
    const sketchModel = paths.filter((p) => p.endsWith("/sketch/model.nnef.tar")).length;
    assert.equal(sketchModel, 2, "the new worker loaded the model again");
    await sketch.draw(drawing("house", "6253539749789696").drawing);
    assert.ok((await sketch.guesses()).slice(0, 3).some(([l]) => l === "house"));
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a page opened on the playground fetches only the worker that reads ONNX", async () => {
  const browser = await launch({ serviceWorkers: "block" });
  try {
    const fetched = [];
    browser.context.on("request", (r) => fetched.push(new URL(r.url()).pathname.split("/").pop()));
    await openPlayground(browser.page);
    // The worker's own fetches are not in the page's resource timing: poll the request log.
    for (let i = 0; i < 300 && !fetched.includes("worker_onnx_bg.wasm"); i++) await browser.page.waitForTimeout(100);
    assert.ok(fetched.includes("worker_onnx_bg.wasm"), fetched.join(", "));
    assert.ok(!fetched.includes("worker_bg.wasm"), fetched.join(", "));
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("the shipped sketch model, picked as a file with its labels, gets a card and recognises a drawing", async () => {
  const browser = await launch();
  try {
    const { page } = browser;
    await openPlayground(page);
    await page.getByTestId("labels-file").setInputFiles(path.join(SKETCH, "labels.txt"));
    await pickModel(page, path.join(SKETCH, "model.onnx"));
    const card = page.getByTestId("model-card");
    assert.equal(await page.getByTestId("card-verdict").getAttribute("data-runnable"), "true");
    const text = await card.textContent();
    assert.match(text, /f32 \[1, 1, 28, 28\]/);
    assert.match(text, /f32 \[1, 64\]/);
    assert.match(await page.getByTestId("card-params").textContent(), /^294688 /);
    const ops = await page.getByTestId("card-ops").textContent();
    for (const op of ["Conv × 5", "Relu × 6", "MaxPool × 3", "Gemm × 2"]) assert.ok(ops.includes(op), ops);
    // Defaults guessed from a 1×1×28×28 input: grey, 28 px, inverted like Quick Draw.
    assert.equal(await page.getByTestId("spec-side").inputValue(), "28");
    assert.equal(await page.getByTestId("spec-channels").inputValue(), "1");
    assert.equal(await page.getByTestId("spec-invert").isChecked(), true);
    // Loaded as soon as the card says it can run: no second step.
    await page.waitForSelector("[data-testid=playground][data-phase=ready]", { timeout: 60_000 });

    const sketch = new SketchPage(page);
    await sketch.draw(drawing("house", "6253539749789696").drawing);
    await page.waitForSelector("[data-testid=guess]");
    await page.waitForTimeout(500);
    const labels = await page.$$eval("[data-testid=guess]", (els) => els.map((e) => e.dataset.label));
    assert.equal(labels[0], "house", JSON.stringify(labels));
    assert.match(await page.getByTestId("custom-scores").textContent(), /logits: softmax applied/);
    await sketch.screenshot("playground-sketch-model");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("an NHWC model runs on a photo; raw outputs are shown with #index names when there are no labels", async () => {
  const browser = await launch();
  try {
    const { page } = browser;
    await openPlayground(page);
    await pickModel(page, path.join(FIXTURES, "nhwc.onnx"));
    assert.equal(await page.getByTestId("spec-layout").inputValue(), "nhwc");
    assert.equal(await page.getByTestId("spec-side").inputValue(), "32");
    // Loaded as soon as the card says it can run: no second step.
    await page.waitForSelector("[data-testid=playground][data-phase=ready]", { timeout: 60_000 });
    await page.getByTestId("custom-photo").setInputFiles(path.join(REPO, "crates/core/tests/photos/cat.png"));
    await page.waitForSelector("[data-testid=guess]");
    const labels = await page.$$eval("[data-testid=guess]", (els) => els.map((e) => e.dataset.label));
    assert.ok(labels.every((l) => /^#\d$/.test(l)), JSON.stringify(labels));
    await page.getByText(/Raw output \(5 values\)/).click();
    assert.equal((await page.getByTestId("custom-raw").textContent()).split(",").length, 5);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("bad model files get clear messages and the page lives on", async () => {
  const browser = await launch();
  try {
    const { page } = browser;
    await openPlayground(page);
    const cases = [
      ["random.bin", /not an ONNX model/i],
      ["truncated.onnx", /not an ONNX model|truncated|cut/i],
      ["tensor.pb", /not an ONNX model|no graph|not a model/i],
    ];
    for (const [file, message] of cases) {
      await pickModel(page, path.join(FIXTURES, file));
      const text = await errorText(page);
      assert.match(text, message, `${file}: ${text}`);
    }
    // An operator tract lacks: the card names it and offers no run.
    await pickModel(page, path.join(FIXTURES, "unsupported_op.onnx"));
    assert.equal(await page.getByTestId("card-verdict").getAttribute("data-runnable"), "false");
    assert.match(await page.getByTestId("card-verdict").textContent(), /operators tract does not have: Det/);
    assert.equal(await page.getByTestId("load-custom").count(), 0);
    // Dynamic batch and size: described with their symbols; the size is chosen by the person.
    await pickModel(page, path.join(FIXTURES, "dynamic.onnx"));
    assert.match(await page.getByTestId("model-card").textContent(), /\[batch, 3, height, width\]/);
    // A 500 MB file is refused from its size, unread (a sparse file: no disk is used).
    const huge = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "huge-")), "huge.onnx");
    fs.closeSync(fs.openSync(huge, "w"));
    fs.truncateSync(huge, 500 * 1024 * 1024);
    await page.getByTestId("model-file").setInputFiles(huge);
    assert.match(await errorText(page), /500 MB.*200 MB/);
    fs.rmSync(path.dirname(huge), { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "playground-errors.png"), fullPage: true });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a model that crashes tract inside the worker: the worker restarts, the page says so and still works", async () => {
  const browser = await launch();
  try {
    const { page } = browser;
    await openPlayground(page);
    await pickModel(page, path.join(FIXTURES, "tract_panics/maxpool_rank1.onnx"));
    // Said in words; the panic's own text (source paths, "capacity overflow") stays in the console.
    const said = await errorText(page);
    assert.match(said, /inference worker ran out of memory with this model and was restarted/);
    assert.doesNotMatch(said, /panicked|rustc|\.rs:|capacity overflow/);
    // The page lives on: the next model is read and described.
    await pickModel(page, path.join(SKETCH, "model.onnx"));
    assert.equal(await page.getByTestId("card-verdict").getAttribute("data-runnable"), "true");
    // The worker's crash reached the console as an error; nothing else did.
    assert.ok(browser.errors.every((e) => /panicked|unreachable|RuntimeError/.test(e)), browser.errors.join("\n"));
  } finally {
    await browser.close();
  }
});

test("two kept models of one file name are both kept, listed without reading their bytes, each with its own labels", async () => {
  const browser = await launch();
  try {
    const { page } = browser;
    // Which object stores the page reads, to see that listing touches no model bytes.
    await page.addInitScript(() => {
      window.__reads = [];
      for (const method of ["get", "getAll", "openCursor"]) {
        const original = IDBObjectStore.prototype[method];
        IDBObjectStore.prototype[method] = function (...args) {
          window.__reads.push(`${this.name}.${method}`);
          return original.apply(this, args);
        };
      }
    });
    await openPlayground(page);
    await page.getByTestId("labels-file").setInputFiles(path.join(SKETCH, "labels.txt"));
    await pickModel(page, path.join(SKETCH, "model.onnx"));
    await page.getByTestId("keep").click();
    await page.locator("[data-testid=kept-model][data-name='model.onnx']").waitFor();
    // Another model, also called model.onnx: it does not inherit the first one's labels, and
    // keeping it replaces nothing.
    await pickModel(page, path.join(REPO, "models/doodlenet/model.onnx"));
    assert.equal(await page.getByTestId("labels-name").count(), 0, "the previous model's labels carried over");
    await page.getByTestId("keep").click();
    await page.locator("[data-testid=kept-model][data-name='model (2).onnx']").waitFor();
    await page.reload();
    await page.locator("[data-testid=kept-model][data-name='model (2).onnx']").waitFor();
    assert.equal(await page.locator("[data-testid=kept-model]").count(), 2);
    const reads = await page.evaluate(() => window.__reads);
    assert.ok(reads.length > 0 && !reads.some((r) => r.startsWith("models.")), `listing read: ${reads}`);
    // Each opens as itself, with its own labels or none.
    await page.locator("[data-testid=kept-model][data-name='model.onnx'] [data-testid=kept-open]").click();
    await page.waitForSelector("[data-testid=playground]:not([data-phase=inspecting])", { timeout: 60_000 });
    await page.getByTestId("labels-name").waitFor();
    assert.match(await page.getByTestId("labels-name").textContent(), /64 lines/);
    await page.locator("[data-testid=kept-model][data-name='model (2).onnx'] [data-testid=kept-open]").click();
    await page.waitForSelector("[data-testid=playground]:not([data-phase=inspecting])", { timeout: 60_000 });
    await page.getByTestId("labels-name").waitFor({ state: "detached" });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a 190 MB model is inspected and loaded without passing through the page's memory", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wide-"));
  const file = path.join(dir, "wide.onnx");
  const size = writeWideClassifier(file, 63_600);
  assert.ok(size > 190 * 1048576 && size < 200 * 1048576, `${size} bytes`);
  const browser = await launch();
  try {
    const { page } = browser;
    await openPlayground(page);
    await page.waitForFunction(() => window.playgroundDebug?.memory);
    const before = await page.evaluate(() => window.playgroundDebug.memory());
    await pickModel(page, file);
    assert.equal(await page.getByTestId("playground-error").count(), 0);
    // Loaded as soon as the card says it can run: no second step.
    await page.waitForSelector("[data-testid=playground][data-phase=ready]", { timeout: 120_000 });
    const grown = (await page.evaluate(() => window.playgroundDebug.memory())) - before;
    assert.ok(grown < 10 * 1024 * 1024, `the app's wasm memory grew by ${(grown / 1048576).toFixed(1)} MB`);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a huge photo for a person's model is refused unread", async () => {
  const browser = await launch();
  try {
    const { page } = browser;
    await loadPersonsModel(page, server.url, path.join(SKETCH, "model.onnx"));
    const huge = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "huge-")), "huge.jpg");
    fs.closeSync(fs.openSync(huge, "w"));
    fs.truncateSync(huge, 100 * 1024 * 1024); // sparse: no disk used
    await page.getByTestId("custom-photo").setInputFiles(huge);
    assert.match(await errorText(page), /huge\.jpg is 100 MB; photos up to 40 MB are accepted/);
    fs.rmSync(path.dirname(huge), { recursive: true });
    assert.equal(await page.getByTestId("playground").getAttribute("data-phase"), "ready");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a model can be kept in the browser, reopened after a reload, and removed", async () => {
  const browser = await launch(PHONE);
  try {
    const { page } = browser;
    await openPlayground(page);
    await page.getByTestId("labels-file").setInputFiles(path.join(SKETCH, "labels.txt"));
    await pickModel(page, path.join(SKETCH, "model.onnx"));
    await page.getByTestId("keep").click();
    await page.locator("[data-testid=kept-model][data-name='model.onnx']").waitFor();
    await page.reload();
    await page.locator("[data-testid=kept-model][data-name='model.onnx'] [data-testid=kept-open]").click();
    await page.getByTestId("model-card").waitFor();
    assert.match(await page.getByTestId("labels-name").textContent(), /64 lines/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page is ${width}px wide on a 390px phone`);
    await page.screenshot({ path: path.join(ARTIFACTS, "playground-phone.png"), fullPage: true });
    await page.getByTestId("kept-remove").click();
    await page.locator("[data-testid=kept-model]").waitFor({ state: "detached" });
    await page.reload();
    await page.getByTestId("playground").waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.locator("[data-testid=kept-model]").count(), 0);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("one click tries the shipped sketch model: loaded with its labels, no 'No file chosen', no RGB/BGR for a grey input", async () => {
  const browser = await launch();
  try {
    const { page } = browser;
    await openPlayground(page);
    await page.getByTestId("try-sample").click();
    await page.waitForSelector("[data-testid=playground][data-phase=ready]", { timeout: 60_000 });
    assert.match(await page.getByTestId("model-name").textContent(), /sketch model\.onnx/);
    assert.match(await page.getByTestId("labels-name").textContent(), /64 lines/);
    assert.equal(await page.getByTestId("spec-order").count(), 0, "a grey input has no channel order");
    assert.equal(await page.locator("input[type=file]:visible").count(), 0, "no browser file input saying 'No file chosen'");
    const sketch = new SketchPage(page);
    await sketch.draw(drawing("clock", "4643438182006784").drawing);
    await page.waitForSelector("[data-testid=guess]");
    await page.waitForTimeout(500);
    assert.equal(await page.$eval("[data-testid=guess]", (e) => e.dataset.label), "clock");
    await page.screenshot({ path: path.join(ARTIFACTS, "playground-sample.png"), fullPage: true });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
