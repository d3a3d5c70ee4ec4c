// A returning visitor and a redeploy: the service worker is installed first (the other specs
// start from a fresh profile), then the page is used as someone who came back would use it,
// and a new build is deployed while it is open. Each test serves its own copy of dist/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { GamePage } from "../support/game_page.js";
import { PhotoPage, PHOTOS, EXPECTED } from "../support/photo_page.js";
import { PlaygroundPage } from "../support/playground_page.js";
import { SharePage } from "../support/share_page.js";
import { WritePage } from "../support/write_page.js";
import { REPO, DIST, drawing } from "../support/env.js";

const HOUSE = "6253539749789696";
const SKETCH_ONNX = path.join(REPO, "models/sketch/model.onnx");

/** A copy of dist/ to serve and redeploy. */
function copyOfDist() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "site-"));
  fs.cpSync(DIST, dir, { recursive: true });
  return dir;
}

/** Runs `body(browser, server, dir)` on a fresh profile against a copy of dist/ that
 *  `prepare(dir)` may change first; cleans everything up after. */
async function onOwnSite(prepare, body) {
  const dir = copyOfDist();
  prepare(dir);
  const server = await startServer(dir);
  const browser = await launch();
  try {
    await body(browser, server, dir);
  } finally {
    await browser.close();
    server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** "Deploys the next build" into `dir`: a changed index.html (a build marker), then the
 *  service worker's file list written again, as scripts/build.sh does. */
function deployNextBuild(dir, marker) {
  const index = path.join(dir, "index.html");
  fs.writeFileSync(index, fs.readFileSync(index, "utf8").replace("<head>", `<head>\n  <meta name="build" content="${marker}">`));
  execFileSync("python3", [path.join(REPO, "scripts/precache.py"), dir], { stdio: "ignore" });
}

/** Asks the browser to look for a new build (as it does on its own on navigations and every
 *  15 minutes from boot.js) until the page (`app`, a page object) offers it. */
async function newBuildOffered(app) {
  const { page } = app;
  for (let i = 0; i < 30; i++) {
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update().catch(() => {}));
    if (await app.newBuildOffered(2_000)) return;
  }
  // What the browser has, to say why: which workers the registration holds, which caches exist.
  const state = await page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    const describe = (w) => w && `${w.state} ${w.scriptURL}`;
    return { controller: describe(navigator.serviceWorker.controller), installing: describe(r?.installing),
      waiting: describe(r?.waiting), active: describe(r?.active), caches: await caches.keys() };
  });
  throw new Error(`no new version was offered within a minute: ${JSON.stringify(state)}`);
}

async function houseGuessed(sketch) {
  if (await sketch.canClear()) await sketch.clear();
  await sketch.draw(drawing("house", HOUSE).drawing);
  const top = await sketch.guesses();
  assert.ok(top.slice(0, 3).some(([l]) => l === "house"), JSON.stringify(top));
}

const crashOnly = (errors) => errors.filter((e) => !/panicked|unreachable|RuntimeError|sabotage/.test(e));

test("a returning visitor's pages all work, and the playground reads ONNX files (the service worker keeps the worker's build)", { timeout: 240_000 }, () =>
  onOwnSite(() => {}, async (browser, server) => {
    const sketch = new SketchPage(browser.page);
    await sketch.open(server.url); // the first visit installs the service worker
    await sketch.waitForServiceWorker();
    // Comes back another day: a new page load, served by the service worker.
    await sketch.reload();
    await sketch.waitForModel();
    await houseGuessed(sketch);
    // Every page, as a returning visitor opens them.
    const photo = new PhotoPage(browser.page);
    await photo.open(server.url);
    const since = await photo.shownSeq();
    await photo.pick(path.join(PHOTOS, "coffee.png"));
    assert.equal((await photo.guessesAfter(since))[0], EXPECTED["coffee.png"].top5_model[0].label);
    const game = new GamePage(browser.page);
    await game.visit(server.url);
    await game.waitForStartButton();
    await new SharePage(browser.page).open(server.url);
    await new PlaygroundPage(browser.page).loadModel(server.url, SKETCH_ONNX);
    assert.deepEqual(browser.errors, []);
  }));

test("a page open during a redeploy keeps working on its build; the new one is offered, and a reload gets it", { timeout: 240_000 }, () =>
  onOwnSite(() => {}, async (browser, server, dir) => {
    const { page } = browser;
    const sketch = new SketchPage(page);
    await sketch.open(server.url);
    await sketch.waitForServiceWorker();
    await sketch.reload();
    await sketch.waitForModel();
    await houseGuessed(sketch);

    deployNextBuild(dir, "B");
    await newBuildOffered(sketch);
    await sketch.waitForNewBuildOffer(5_000);
    // Still build A, and everything still works: drawing, a worker restart (which fetches the
    // worker and the models again), the playground's other worker build.
    assert.equal(await page.locator("meta[name=build]").count(), 0);
    await houseGuessed(sketch);
    await sketch.breakWorker("panic");
    await sketch.workerNotice(10_000);
    await sketch.waitForModel();
    await houseGuessed(sketch);
    await sketch.screenshot("update-ready", { fullPage: false });
    const playground = new PlaygroundPage(page);
    await playground.loadModel(server.url, SKETCH_ONNX);
    assert.deepEqual(crashOnly(browser.errors), []);

    // "Reload" gets build B, and build A's cache goes once no page uses it.
    await playground.reloadForNewBuild();
    await page.waitForSelector("meta[name=build][content=B]", { state: "attached", timeout: 30_000 });
    await playground.screenshot("update-reloaded", { fullPage: false });
    await sketch.open(`${server.url}#/`); // it was on the playground
    await houseGuessed(sketch);
    let builds = [];
    for (let i = 0; i < 100; i++) {
      builds = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("playground /")));
      if (builds.length === 1) break;
      await page.waitForTimeout(200);
    }
    assert.equal(builds.length, 1, JSON.stringify(builds));
  }));

test("nothing is lost across a redeploy and a worker restart: a game in progress and the kept models", { timeout: 240_000 }, () =>
  onOwnSite(() => {}, async (browser, server, dir) => {
    const { page } = browser;
    const playground = new PlaygroundPage(page);
    await playground.loadModel(server.url, SKETCH_ONNX);
    await playground.keep();
    await playground.waitForKept("model.onnx");
    await playground.waitForServiceWorker();
    await playground.reload(); // now a returning visitor's page, under the service worker

    const game = new GamePage(page);
    await game.open(server.url, ["house", "clock"]);
    await game.start();
    await game.waitForPrompt("house");
    // Build B is deployed while the first round runs: the game goes on, on build A.
    deployNextBuild(dir, "B");
    await newBuildOffered(game);
    assert.equal(await game.prompt(), "house", "still the first round");
    await game.watchForVerdict();
    await game.draw(drawing("house", HOUSE).drawing);
    assert.match(await game.verdict(), /house/);
    // The worker dies in the second round: a new one takes over, the round goes on.
    await game.waitForPrompt("clock");
    await game.breakWorker("panic");
    await game.workerNotice(10_000);
    await game.waitForModel();
    assert.equal(await game.prompt(), "clock", "still the second round");
    await game.watchForVerdict();
    await game.draw(drawing("clock", "4643438182006784").drawing);
    assert.match(await game.verdict(), /clock/);
    assert.equal(await game.score(), "I recognised 2 of your 2 drawings");
    assert.equal(await page.locator("meta[name=build]").count(), 0, "the whole game ran on build A");

    // A reload gets build B, and the kept model is still there and opens.
    await game.reloadForNewBuild();
    await page.waitForSelector("meta[name=build][content=B]", { state: "attached", timeout: 30_000 });
    await playground.visit(server.url);
    await playground.waitForKept("model.onnx");
    await playground.openKept("model.onnx");
    await playground.waitUntilLoaded();
    assert.deepEqual(crashOnly(browser.errors), []);
  }));

test("a model kept on demand (the write page's) is taken over by the next build, not fetched again", { timeout: 240_000 }, () =>
  onOwnSite(() => {}, async (browser, server, dir) => {
    const { page } = browser;
    const write = new WritePage(page);
    await write.open(server.url);
    await write.waitForServiceWorker();
    await write.reload();
    await write.waitForModel();
    const holding = () => page.evaluate(async () => {
      const url = new URL("models/shakespeare/model.nnef.tar", location.href).href;
      const names = (await caches.keys()).filter((n) => n.startsWith("playground /"));
      return (await Promise.all(names.map(async (n) => !!(await (await caches.open(n)).match(url))))).filter(Boolean).length;
    });
    for (let i = 0; i < 50 && (await holding()) < 1; i++) await page.waitForTimeout(200);
    assert.equal(await holding(), 1);
    const requests = [];
    browser.context.on("request", (r) => r.url().includes("shakespeare/model") && requests.push(r.url()));
    deployNextBuild(dir, "B");
    await newBuildOffered(write);
    for (let i = 0; i < 50 && (await holding()) < 2; i++) await page.waitForTimeout(200);
    const caches = await page.evaluate(async () => Promise.all((await caches.keys()).map(async (n) =>
      [n, (await (await caches.open(n)).keys()).filter((r) => r.url.includes("shakespeare")).length])));
    // If not, why: what each build's cache holds under that URL against the hash build B's
    // service worker takes it over by, and the origin's storage against its quota.
    const why = (await holding()) === 2 ? [] : await page.evaluate(async () => {
      const url = new URL("models/shakespeare/model.nnef.tar", location.href).href;
      const sw = await (await fetch("sw.js", { cache: "no-store" })).text();
      const wanted = JSON.parse(sw.match(/const ON_DEMAND = (\{[^;]*\});/)[1])["./models/shakespeare/model.nnef.tar"];
      const said = [];
      for (const name of (await caches.keys()).filter((n) => n.startsWith("playground /"))) {
        const hit = await (await caches.open(name)).match(url);
        if (!hit) {
          said.push(`${name}: not there`);
          continue;
        }
        const bytes = await hit.arrayBuffer();
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
        said.push(`${name}: ${bytes.byteLength} B, status ${hit.status}, redirected ${hit.redirected}, ` +
          (hex === wanted ? "build B's bytes" : `sha256 ${hex.slice(0, 12)}… where build B wants ${wanted?.slice(0, 12)}…`));
      }
      const { usage, quota } = await navigator.storage.estimate();
      return [...said, `storage: ${usage} of ${quota} bytes`];
    });
    assert.equal(await holding(), 2, `build B's cache has it too: ${JSON.stringify(caches)} ${why.join("; ")}`);
    assert.deepEqual(requests, [], "without downloading it again");
    assert.deepEqual(crashOnly(browser.errors), []);
  }));

test("a precache response that is not the build's file (a portal's HTML) is refused", { timeout: 240_000 }, () =>
  onOwnSite((dir) => {
    // The playground's wasm answered with an HTML page, as a captive portal or a stale proxy would.
    for (const f of ["worker_onnx_bg.wasm", "worker_onnx_bg.wasm.gz"]) fs.rmSync(path.join(dir, f), { force: true });
    fs.writeFileSync(path.join(dir, "worker_onnx_bg.wasm"), "<!doctype html><title>Sign in to the venue Wi-Fi</title>");
  }, async (browser, server) => {
    const { page } = browser;
    // Keep hold of the registration: a first install that fails removes it.
    await page.addInitScript(() => {
      const register = ServiceWorkerContainer.prototype.register;
      ServiceWorkerContainer.prototype.register = function (...args) {
        return (window.__registration = register.apply(this, args));
      };
    });
    await new SketchPage(page).open(server.url);
    const state = await page.evaluate(async () => {
      const sleep = () => new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 150 && !window.__registration; i++) await sleep();
      // register() resolves with the worker installing; it then either becomes active or is
      // dropped (redundant), leaving the registration with no worker at all.
      const registration = await window.__registration;
      for (let i = 0; i < 600; i++) {
        if (registration.active) return "activated";
        if (!registration.installing && !registration.waiting) return "redundant";
        await sleep();
      }
      return "still installing after 60 s";
    });
    assert.equal(state, "redundant", "the install must fail");
    const kept = await page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("playground /")));
    assert.deepEqual(kept, []);
  }));

test("another page in the service worker's scope is never turned into the app", { timeout: 240_000 }, () =>
  onOwnSite((dir) => {
    fs.mkdirSync(path.join(dir, "notes"));
    fs.writeFileSync(path.join(dir, "notes/talk.html"), "<!doctype html><title>Talk notes</title><p>Slides");
  }, async (browser, server) => {
    const { page } = browser;
    const sketch = new SketchPage(page);
    await sketch.open(server.url);
    await sketch.waitForServiceWorker();
    await page.goto(`${server.url}notes/talk.html`);
    assert.equal(await page.title(), "Talk notes");
    const missing = await page.goto(`${server.url}notes/missing.html`);
    assert.equal(missing.status(), 404);
    assert.equal(await sketch.hasSiteHeader(), false);
    // The app's own URLs, with a query, still come from the cache (offline too).
    await browser.context.setOffline(true);
    await sketch.open(`${server.url}?from=qr#/`);
  }));

test("two deployments under one origin keep each other's caches", { timeout: 240_000 }, async () => {
  // One host serving /a/ and /b/, each a copy of the build with its own service worker.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "origin-"));
  for (const site of ["a", "b"]) fs.cpSync(DIST, path.join(root, site), { recursive: true });
  fs.writeFileSync(path.join(root, "index.html"), "<!doctype html><title>Two apps</title>");
  const server = await startServer(root);
  const browser = await launch();
  try {
    const { page } = browser;
    const builds = () => page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("playground ")).sort());
    const sketch = new SketchPage(page);
    for (const site of ["a", "b"]) {
      await sketch.open(`${server.url}${site}/`);
      await sketch.waitForServiceWorker();
    }
    const [a, b] = await builds();
    assert.ok(a.startsWith("playground /a/ ") && b.startsWith("playground /b/ "), `${a} ${b}`);
    // /b/ is redeployed and its new worker takes over: /a/'s cache stays.
    deployNextBuild(path.join(root, "b"), "B");
    for (let i = 0; i < 30 && (await builds()).length < 3; i++) {
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update().catch(() => {}));
      await page.waitForTimeout(2_000);
    }
    await page.reload();
    let now = [];
    for (let i = 0; i < 50; i++) {
      now = await builds();
      if (now.length === 2 && !now.includes(b)) break;
      await page.waitForTimeout(200);
    }
    assert.ok(now.includes(a), `the other deployment's cache was deleted: ${now}`);
    assert.ok(!now.includes(b) && now.some((k) => k.startsWith("playground /b/ ")), `${now}`);
  } finally {
    await browser.close();
    server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
});
