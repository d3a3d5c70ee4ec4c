// How long the photo page's Snap click blocks the UI thread (node tests/e2e/bench/snap.js, against
// dist/): Chromium's fake camera (640×480), 7 snapshots, the click handler timed in the page.
import { launch, FAKE_CAMERA } from "../support/browser.js";
import { startServer } from "../support/server.js";
import { PhotoPage } from "../support/photo_page.js";
const server = await startServer();
const b = await launch({ ...FAKE_CAMERA, permissions: ["camera"] });
const p = new PhotoPage(b.page);
await p.open(server.url);
const times = [];
for (let i = 0; i < 7; i++) {
  await b.page.getByTestId("camera-button").click();
  await b.page.waitForFunction(() => document.querySelector("[data-testid=camera]")?.videoWidth > 0);
  const since = await p.shownSeq();
  times.push(await b.page.evaluate(() => { const t = performance.now(); document.querySelector("[data-testid=snap]").click(); return performance.now() - t; }));
  await p.guessesAfter(since);
}
console.log("snap click handler ms:", times.map((t) => t.toFixed(1)).join(" "), "median", [...times].sort((a, b) => a - b)[3].toFixed(1));
await b.close(); server.stop();
