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
import { REPO, drawing } from "../support/env.js";
import { writeWideClassifier } from "../support/onnx_file.js";
import { PlaygroundPage } from "../support/playground_page.js";

const FIXTURES = path.join(REPO, "crates/core/tests/models");
const SKETCH = path.join(REPO, "models/sketch");
let server;
before(async () => (server = await startServer()));
after(() => server?.stop());

/** The playground on `page`, opened. */
async function openPlayground(page) {
  const playground = new PlaygroundPage(page);
  await playground.open(server.url);
  return playground;
}

test("the sketch page loads the worker without tract; the photo page and the playground replace it with bigger builds", async () => {
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
    // The first guess needs the sketch build and its ONNX file only: no tract, no NNEF.
    assert.ok(fetched.includes("worker_sketch_bg.wasm") && paths.includes("/models/sketch/model.onnx"), fetched.join(", "));
    assert.ok(!fetched.some((f) => f === "worker_bg.wasm" || f.startsWith("worker_onnx") || f.endsWith(".tar")), fetched.join(", "));
    // Once each: the app adopted early_worker.js's worker, which took the requests its loader
    // started beside the wasm instead of making its own.
    const once = (p) => paths.filter((x) => x === p).length;
    assert.deepEqual([once("/worker_sketch_bg.wasm"), once("/models/sketch/model.onnx"), once("/models/sketch/labels.txt")], [1, 1, 1]);
    await sketch.draw(drawing("house", "6253539749789696").drawing);
    assert.ok((await sketch.guesses()).slice(0, 3).some(([l]) => l === "house"));
    // The photo page needs tract: the demos' build replaces the worker.
    const photoModel = page.waitForRequest((r) => r.url().endsWith("/models/photo/model.nnef.tar"), { timeout: 60_000 });
    await sketch.goto(`${server.url}#/photo`);
    await photoModel;
    await page.waitForSelector("[data-testid=photo-input]", { state: "attached", timeout: 10_000 });
    await sketch.waitForModel(60_000);
    assert.ok(fetched.includes("worker_bg.wasm") && paths.includes("/models/photo/model.nnef.tar"), fetched.join(", "));
    const sketchModelBefore = once("/models/sketch/model.onnx");
    const playground = await openPlayground(page);
    await playground.waitForModelChooser();
    // The switch starts on arrival; back on the sketch page the model shows as loading until
    // the new worker has it, then that worker answers (the same plain-CNN runner in every build).
    await sketch.open(`${server.url}#/`);
    assert.ok(fetched.includes("worker_onnx_bg.wasm"), fetched.join(", "));
    assert.equal(once("/models/sketch/model.onnx"), sketchModelBefore + 1, "the playground's worker loaded the sketch model");
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
    const playground = await openPlayground(browser.page);
    await playground.pickLabels(path.join(SKETCH, "labels.txt"));
    await playground.pickModel(path.join(SKETCH, "model.onnx"));
    assert.equal(await playground.runnable(), "true");
    const text = await playground.card();
    assert.match(text, /f32 \[1, 1, 28, 28\]/);
    assert.match(text, /f32 \[1, 64\]/);
    assert.match(await playground.parameters(), /^295712 /);
    const ops = await playground.operators();
    for (const op of ["Conv × 5", "Relu × 6", "MaxPool × 3", "Gemm × 2"]) assert.ok(ops.includes(op), ops);
    // Defaults guessed from a 1×1×28×28 input: grey, 28 px, inverted like Quick Draw.
    assert.equal(await playground.inputSetting("side"), "28");
    assert.equal(await playground.inputSetting("channels"), "1");
    assert.equal(await playground.inverted(), true);
    // Loaded as soon as the card says it can run: no second step.
    await playground.waitUntilLoaded();

    await playground.draw(drawing("house", "6253539749789696").drawing);
    const labels = await playground.labels();
    assert.equal(labels[0], "house", JSON.stringify(labels));
    assert.match(await playground.scores(), /logits: softmax applied/);
    await playground.screenshot("playground-sketch-model");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("an NHWC model runs on a photo; raw outputs are shown with #index names when there are no labels", async () => {
  const browser = await launch();
  try {
    const playground = await openPlayground(browser.page);
    await playground.pickModel(path.join(FIXTURES, "nhwc.onnx"));
    assert.equal(await playground.inputSetting("layout"), "nhwc");
    assert.equal(await playground.inputSetting("side"), "32");
    // Loaded as soon as the card says it can run: no second step.
    await playground.waitUntilLoaded();
    await playground.runOnPhoto(path.join(REPO, "crates/core/tests/photos/cat.png"));
    const labels = await playground.labels(0);
    assert.ok(labels.every((l) => /^#\d$/.test(l)), JSON.stringify(labels));
    await playground.openRawOutput(5);
    assert.equal((await playground.rawOutput()).split(",").length, 5);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("bad model files get clear messages and the page lives on", async () => {
  const browser = await launch();
  try {
    const playground = await openPlayground(browser.page);
    const cases = [
      ["random.bin", /not an ONNX model/i],
      ["truncated.onnx", /not an ONNX model|truncated|cut/i],
      ["tensor.pb", /not an ONNX model|no graph|not a model/i],
    ];
    for (const [file, message] of cases) {
      await playground.pickModel(path.join(FIXTURES, file));
      const text = await playground.error();
      assert.match(text, message, `${file}: ${text}`);
    }
    // An operator tract lacks: the card names it and offers no run.
    await playground.pickModel(path.join(FIXTURES, "unsupported_op.onnx"));
    assert.equal(await playground.runnable(), "false");
    assert.match(await playground.verdict(), /operators tract does not have: Det/);
    assert.equal(await playground.offersLoad(), false);
    // Dynamic batch and size: described with their symbols; the size is chosen by the person.
    await playground.pickModel(path.join(FIXTURES, "dynamic.onnx"));
    assert.match(await playground.card(), /\[batch, 3, height, width\]/);
    // A 500 MB file is refused from its size, unread (a sparse file: no disk is used).
    const huge = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "huge-")), "huge.onnx");
    fs.closeSync(fs.openSync(huge, "w"));
    fs.truncateSync(huge, 500 * 1024 * 1024);
    await playground.offerModel(huge);
    assert.match(await playground.error(), /500 MB.*200 MB/);
    fs.rmSync(path.dirname(huge), { recursive: true });
    await playground.screenshot("playground-errors");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a model that crashes tract inside the worker: the worker restarts, the page says so and still works", async () => {
  const browser = await launch();
  try {
    const playground = await openPlayground(browser.page);
    await playground.pickModel(path.join(FIXTURES, "tract_panics/maxpool_rank1.onnx"));
    // Said in words; the panic's own text (source paths, "capacity overflow") stays in the console.
    const said = await playground.error();
    assert.match(said, /inference worker ran out of memory with this model and was restarted/);
    assert.doesNotMatch(said, /panicked|rustc|\.rs:|capacity overflow/);
    // The page lives on: the next model is read and described.
    await playground.pickModel(path.join(SKETCH, "model.onnx"));
    assert.equal(await playground.runnable(), "true");
    // The worker's crash reached the console as an error; nothing else did.
    assert.ok(browser.errors.every((e) => /panicked|unreachable|RuntimeError/.test(e)), browser.errors.join("\n"));
  } finally {
    await browser.close();
  }
});

test("two kept models of one file name are both kept, listed without reading their bytes, each with its own labels", async () => {
  const browser = await launch();
  try {
    const playground = new PlaygroundPage(browser.page);
    // Which object stores the page reads, to see that listing touches no model bytes.
    await playground.recordStorageReads();
    await playground.open(server.url);
    await playground.pickLabels(path.join(SKETCH, "labels.txt"));
    await playground.pickModel(path.join(SKETCH, "model.onnx"));
    await playground.keep();
    await playground.waitForKept("model.onnx");
    // Another model, also called model.onnx: it does not inherit the first one's labels, and
    // keeping it replaces nothing.
    await playground.pickModel(path.join(REPO, "models/doodlenet/model.onnx"));
    assert.equal(await playground.hasLabels(), false, "the previous model's labels carried over");
    await playground.keep();
    await playground.waitForKept("model (2).onnx");
    await playground.reload();
    await playground.waitForKept("model (2).onnx");
    assert.equal(await playground.keptCount(), 2);
    const reads = await playground.storageReads();
    assert.ok(reads.length > 0 && !reads.some((r) => r.startsWith("models.")), `listing read: ${reads}`);
    // Each opens as itself, with its own labels or none.
    await playground.openKept("model.onnx");
    await playground.waitUntilRead();
    await playground.waitForLabels();
    assert.match(await playground.labelsName(), /64 lines/);
    await playground.openKept("model (2).onnx");
    await playground.waitUntilRead();
    await playground.waitForNoLabels();
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
    const playground = await openPlayground(browser.page);
    const before = await playground.memory();
    await playground.pickModel(file);
    assert.equal(await playground.hasError(), false);
    // Loaded as soon as the card says it can run: no second step.
    await playground.waitUntilLoaded(120_000);
    const grown = (await playground.memory()) - before;
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
    const playground = new PlaygroundPage(browser.page);
    await playground.loadModel(server.url, path.join(SKETCH, "model.onnx"));
    const huge = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "huge-")), "huge.jpg");
    fs.closeSync(fs.openSync(huge, "w"));
    fs.truncateSync(huge, 100 * 1024 * 1024); // sparse: no disk used
    await playground.runOnPhoto(huge);
    assert.match(await playground.error(), /huge\.jpg is 100 MB; photos up to 40 MB are accepted/);
    fs.rmSync(path.dirname(huge), { recursive: true });
    assert.equal(await playground.phase(), "ready");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a model can be kept in the browser, reopened after a reload, and removed", async () => {
  const browser = await launch(PHONE);
  try {
    const playground = await openPlayground(browser.page);
    await playground.pickLabels(path.join(SKETCH, "labels.txt"));
    await playground.pickModel(path.join(SKETCH, "model.onnx"));
    await playground.keep();
    await playground.waitForKept("model.onnx");
    await playground.reload();
    await playground.openKept("model.onnx");
    await playground.waitForCard();
    assert.match(await playground.labelsName(), /64 lines/);
    const width = await playground.width();
    assert.ok(width <= 390, `the page is ${width}px wide on a 390px phone`);
    await playground.screenshot("playground-phone");
    await playground.removeKept();
    await playground.waitUntilNoneKept();
    await playground.reload();
    await playground.waitUntilShown();
    await browser.page.waitForTimeout(500);
    assert.equal(await playground.keptCount(), 0);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("one click tries the shipped sketch model: loaded with its labels, no 'No file chosen', no RGB/BGR for a grey input", async () => {
  const browser = await launch();
  try {
    const playground = await openPlayground(browser.page);
    await playground.trySample();
    await playground.waitUntilLoaded();
    assert.match(await playground.modelName(), /sketch model\.onnx/);
    assert.match(await playground.labelsName(), /64 lines/);
    assert.equal(await playground.asksChannelOrder(), false, "a grey input has no channel order");
    assert.equal(await playground.visibleFileInputs(), 0, "no browser file input saying 'No file chosen'");
    await playground.draw(drawing("clock", "4643438182006784").drawing);
    assert.equal((await playground.labels())[0], "clock");
    await playground.screenshot("playground-sample");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
