// Photos that once killed the worker (a few hundred bytes of 20000×1 PNG asked for a
// multi-gigabyte resize) or were refused wrongly (motion photos, broken EXIF): on the photo
// page and in the playground, each is classified, and the worker is never restarted.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { PhotoPage } from "../support/photo_page.js";
import { REPO } from "../support/env.js";
import { writeAll } from "../support/hostile_images.js";
import { PlaygroundPage } from "../support/playground_page.js";

let server, dir, files;
before(async () => {
  server = await startServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-"));
  files = writeAll(dir);
});
after(() => {
  server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("the photo page classifies every hostile photo without losing its worker", async () => {
  const browser = await launch();
  try {
    const photo = new PhotoPage(browser.page);
    await photo.open(server.url);
    for (const [name, file] of files) {
      const since = await photo.shownSeq();
      await photo.pick(file);
      const top = await photo.guessesAfter(since);
      assert.equal(top.length, 5, name);
      assert.equal(await photo.hasError(), false, name);
      if (name === "animated.gif") {
        // The first frame (red) is what the model sees.
        const [r, g, b] = await photo.modelInputPixel(112, 112);
        assert.ok(r > 200 && g < 60 && b < 60, `centre pixel ${[r, g, b]}`);
      }
    }
    assert.equal(await photo.hasWorkerNotice(), false, "the worker was restarted");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("the playground runs a person's model on every hostile photo without losing its worker", async () => {
  const browser = await launch();
  try {
    const playground = new PlaygroundPage(browser.page);
    await playground.loadModel(server.url, path.join(REPO, "models/sketch/model.onnx"));
    for (const [name, file] of files) {
      const since = await playground.shownSeq();
      await playground.runOnPhoto(file);
      await playground.waitForAnswerOrError(since);
      if (await playground.hasError()) assert.fail(`${name}: ${await playground.error()}`);
      assert.equal(await playground.phase(), "ready", name);
    }
    assert.equal(await playground.hasWorkerNotice(), false, "the worker was restarted");
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
