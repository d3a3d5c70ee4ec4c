// Page object for the sketch page: selectors by data-testid, drawing by real input events.
import { ARTIFACTS } from "./env.js";
import path from "node:path";

export class SketchPage {
  constructor(page) {
    this.page = page;
    this.canvas = page.getByTestId("sketch-canvas");
    this.status = page.getByTestId("model-status");
  }

  async open(url) {
    await this.page.goto(url);
    await this.waitForModel();
  }

  async waitForModel(timeout = 30_000) {
    // Attached, not visible: presenter mode hides the status bar.
    await this.page.waitForSelector('[data-testid=model-status][data-state=ready]', { state: "attached", timeout });
  }

  /** Waits until answers can name every class: the wider model (345 classes) loaded after the
   *  first one, as the "What can I recognise?" count shows. */
  async waitForAllClasses(count = 345, timeout = 30_000) {
    await this.page.waitForSelector(`[data-testid=known-classes][data-count="${count}"]`, { timeout });
  }

  /** Whether the guess list says "not sure". */
  async notSure() {
    return (await this.page.getByTestId("not-sure").count()) > 0;
  }

  /** Maps a drawing's strokes ([[xs], [ys], ...]) into the canvas box, with a margin. */
  async layout(strokes) {
    const box = await this.canvas.boundingBox();
    const xs = strokes.flatMap((s) => s[0]);
    const ys = strokes.flatMap((s) => s[1]);
    const [minX, minY] = [Math.min(...xs), Math.min(...ys)];
    const extent = Math.max(Math.max(...xs) - minX, Math.max(...ys) - minY, 1);
    const scale = (0.8 * Math.min(box.width, box.height)) / extent;
    const [ox, oy] = [box.x + 0.1 * box.width, box.y + 0.1 * box.height];
    return strokes.map(([sx, sy]) => sx.map((x, i) => [ox + (x - minX) * scale, oy + (sy[i] - minY) * scale]));
  }

  /** Replays strokes with the mouse: pointerdown, pointermoves, pointerup per stroke.
   *  `stop` (optional, async) is asked after each stroke whether to stop early. */
  async drawWithMouse(strokes, stop = null) {
    const mouse = this.page.mouse;
    for (const stroke of await this.layout(strokes)) {
      if (stop && (await stop())) return;
      await mouse.move(...stroke[0]);
      await mouse.down();
      for (const p of stroke.slice(1)) await mouse.move(...p);
      await mouse.up();
    }
  }

  /** Replays strokes as real touch input (CDP), as a finger on a phone would. */
  async drawWithTouch(strokes) {
    const cdp = await this.page.context().newCDPSession(this.page);
    for (const stroke of await this.layout(strokes)) {
      const point = ([x, y]) => [{ x, y, id: 1 }];
      await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: point(stroke[0]) });
      for (const p of stroke.slice(1)) {
        await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: point(p) });
      }
      await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    }
    await cdp.detach();
  }

  /** The labels on screen, best first, once the guess for the finished drawing is shown. */
  async guesses() {
    await this.page.waitForSelector("[data-testid=guess]", { timeout: 10_000 });
    // Let the answer to the last stroke (the newest request) land.
    await this.page.waitForTimeout(400);
    return this.page.$$eval("[data-testid=guess]", (els) =>
      els.map((e) => [e.dataset.label, parseFloat(e.querySelector(".pct").textContent) / 100]));
  }

  async screenshot(name) {
    await this.page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }
}
