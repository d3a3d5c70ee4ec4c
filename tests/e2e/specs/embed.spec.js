// Embed mode: a blog post on another origin inserts the demo with the one-line script tag,
// someone draws in the iframe, and the post receives the prediction as a message.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer } from "../support/server.js";
import { launch } from "../support/browser.js";
import { SketchPage } from "../support/sketch_page.js";
import { PhotoPage } from "../support/photo_page.js";
import { GamePage } from "../support/game_page.js";
import { EmbedPage, HostPage } from "../support/embed_page.js";
import { drawing } from "../support/env.js";

const HOUSE = "6253539749789696";
let site, blog, blogDir;

/** A blog post served from its own port (and host name: localhost vs 127.0.0.1, so the
 *  iframe is cross-site). It collects the messages the demo posts. */
function writeBlog(snippet) {
  fs.writeFileSync(path.join(blogDir, "post.html"), `<!doctype html>
<meta charset="utf-8"><title>A blog post</title><link rel="icon" href="data:,">
<h1>How neural networks see doodles</h1>
<p>Try it:</p>
${snippet}
<script>
  window.received = [];
  addEventListener("message", (e) => window.received.push({ origin: e.origin, data: e.data }));
</script>`);
}

before(async () => {
  site = await startServer();
  blogDir = fs.mkdtempSync(path.join(os.tmpdir(), "blog-"));
  fs.writeFileSync(path.join(blogDir, "index.html"), "blog");
  blog = await startServer(blogDir);
});
after(() => {
  site?.stop();
  blog?.stop();
});

/** Draws the house in the embedded demo and returns the labels it then shows. */
async function drawHouse(embed) {
  await embed.waitForModelShown(30_000);
  await embed.draw(drawing("house", HOUSE).drawing);
  return embed.guessLabels(30_000);
}

/** The blog post, opened from localhost so that the demo's iframe is cross-site. */
async function openBlog(page) {
  const host = new HostPage(page);
  await host.open(`${blog.url.replace("127.0.0.1", "localhost")}post.html`);
  return host;
}

test("a page on another origin embeds the sketch demo with one script tag and receives predictions", async () => {
  writeBlog(`<script src="${site.url}embed.js" data-demo="sketch" data-theme="dark" async></script>`);
  const browser = await launch({ viewport: { width: 800, height: 900 } });
  try {
    const host = await openBlog(browser.page);
    const embed = host.embed();
    const shown = await drawHouse(embed);
    assert.ok(shown.slice(0, 3).includes("house"), JSON.stringify(shown));
    // Just the demo: no site header or nav, a link to the full playground, the forced theme.
    assert.equal(await embed.hasSiteHeader(), false);
    assert.match(await embed.fullAppLink(), /#\/$/);
    assert.equal(await embed.theme(), "dark");
    // The sketch demo never asks for the camera.
    assert.equal(await host.iframeAllows(), null);

    const received = await host.received();
    const predictions = received.filter((m) => m.data?.type === "playground:prediction");
    assert.ok(predictions.length > 0, `no prediction message: ${JSON.stringify(received)}`);
    assert.ok(predictions.every((m) => m.origin === site.url.replace(/\/$/, "")), "messages come from the demo's origin");
    const last = predictions.at(-1).data;
    assert.equal(last.demo, "sketch");
    assert.equal(last.model, "sketch");
    assert.equal(last.top[0].label, shown[0], "the message carries what the iframe shows");
    assert.ok(last.top[0].probability > 0 && last.top[0].probability <= 1);
    await embed.screenshot("embed-blog", { fullPage: false });
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("the demo posts only to the origin the embed names", async () => {
  // An iframe that names another origin: the browser must not deliver to this page.
  writeBlog(`<iframe src="${site.url}embed.html?demo=sketch&origin=https%3A%2F%2Felsewhere.example" style="width:700px;height:700px"></iframe>`);
  const browser = await launch({ viewport: { width: 800, height: 900 } });
  try {
    const host = await openBlog(browser.page);
    await drawHouse(host.embed());
    assert.deepEqual(await host.received(), []);
  } finally {
    await browser.close();
  }
});

test("another site can frame the embed but not the full app; only the photo embed may use the camera", async () => {
  writeBlog(`<iframe id="app" src="${site.url}#/playground" style="width:700px;height:400px"></iframe>
<iframe id="embed" src="${site.url}embed.html?demo=sketch" style="width:700px;height:700px"></iframe>
<script src="${site.url}embed.js" data-demo="photo" async></script>`);
  const browser = await launch({ viewport: { width: 800, height: 1900 } });
  try {
    const host = await openBlog(browser.page);
    // The embed loads (the control), the app in the other frame is refused (frame-ancestors).
    await host.embed("#embed").waitForModelShown(30_000);
    assert.equal(await host.app("#app").hasSiteHeader(), false, "the full app loaded in a foreign frame");
    assert.equal(await host.iframeAllows("iframe[src*='demo=photo']"), "camera");
  } finally {
    await browser.close();
  }
});

test("the embedded game takes as prompts only class names the model knows", async () => {
  const browser = await launch();
  try {
    const game = new GamePage(browser.page);
    const round = () => browser.page.locator(".round").textContent();
    // A host (or a link) sets the prompts: anything but known names is dropped, never shown.
    await game.goto(`${site.url}embed.html?demo=game#/game?prompts=house,<img src=x onerror=alert(1)>,notaclass,clock`);
    await game.waitForModelShown(30_000);
    await game.start();
    await game.waitForPrompt("house");
    assert.equal(await round(), "1 / 2");
    assert.equal(await browser.page.locator("img[src=x]").count(), 0);
    // Nothing known at all: the game's own six well-recognised prompts.
    await game.goto("about:blank");
    await game.goto(`${site.url}embed.html?demo=game#/game?prompts=<b>bold</b>,qwerty`);
    await game.waitForModelShown(30_000);
    await game.start();
    await game.waitForPrompt();
    assert.equal(await round(), "1 / 6");
    assert.doesNotMatch(await game.promptText(), /bold|qwerty|</);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test("a misconfigured embed says what is wrong", async () => {
  const browser = await launch();
  try {
    const embed = new EmbedPage(browser.page);
    await embed.visit(site.url, "video");
    assert.match(await embed.error(), /unknown demo "video": use sketch, game, photo, clean, feel or write/);
  } finally {
    await browser.close();
  }
});

test("the Embed button shows the snippets for the current demo and copies them", async () => {
  const browser = await launch();
  try {
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: site.url });
    const photo = new PhotoPage(browser.page);
    await photo.visit(site.url);
    await photo.openEmbedSnippets();
    const script = await photo.embedSnippet(0);
    assert.equal(script, `<script src="${site.url}embed.js" data-demo="photo" async></script>`);
    await photo.copyEmbedSnippet(0);
    assert.equal(await photo.clipboard(), script);
    assert.match(await photo.embedSnippet(1), /embed\.html\?demo=photo.*allow="camera"/);
    // The sketch demo's iframe snippet asks for no camera.
    const sketch = new SketchPage(browser.page);
    await sketch.goto(`${site.url}#/`);
    if (!(await sketch.embedSnippetShown(1))) await sketch.openEmbedSnippets();
    assert.doesNotMatch(await sketch.embedSnippet(1), /camera/);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});
