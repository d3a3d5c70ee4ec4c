// The drawing canvas (SketchCanvas) wherever it is: the sketch page, a game round, the
// playground, an embed's iframe. Drawings are replayed as real input events: the mouse, or a
// finger through CDP touch events.

export class DrawingCanvas {
  /** `root`: the page or the FrameLocator the canvas is in; input goes through `page`. */
  constructor(page, root = page) {
    this.page = page;
    this.locator = root.getByTestId("sketch-canvas");
  }

  async box() {
    return this.locator.boundingBox();
  }

  async scrollIntoView() {
    await this.locator.scrollIntoViewIfNeeded();
  }

  /** Maps a drawing's strokes ([[xs], [ys], ...]) into the canvas box, with a margin. */
  async layout(strokes) {
    const box = await this.box();
    const xs = strokes.flatMap((s) => s[0]);
    const ys = strokes.flatMap((s) => s[1]);
    const [minX, minY] = [Math.min(...xs), Math.min(...ys)];
    const extent = Math.max(Math.max(...xs) - minX, Math.max(...ys) - minY, 1);
    const scale = (0.8 * Math.min(box.width, box.height)) / extent;
    const [ox, oy] = [box.x + 0.1 * box.width, box.y + 0.1 * box.height];
    return strokes.map(([sx, sy]) => sx.map((x, i) => [ox + (x - minX) * scale, oy + (sy[i] - minY) * scale]));
  }

  /** Replays strokes with the mouse: pointerdown, pointermoves, pointerup per stroke.
   *  `stop` (optional, async) is asked before each stroke whether to stop early. */
  async draw(strokes, stop = null) {
    const mouse = this.page.mouse;
    for (const stroke of await this.layout(strokes)) {
      if (stop && (await stop())) return;
      await mouse.move(...stroke[0]);
      await mouse.down();
      for (const p of stroke.slice(1)) await mouse.move(...p);
      await mouse.up();
    }
  }

  /** Draws every point of `strokes` as one long stroke, slowly (2 ms a point), and calls
   *  `whileDown` (async) before lifting the mouse. */
  async drawOneStroke(strokes, whileDown) {
    const points = (await this.layout(strokes)).flat();
    const mouse = this.page.mouse;
    await mouse.move(...points[0]);
    await mouse.down();
    for (const p of points.slice(1)) {
      await mouse.move(...p);
      await this.page.waitForTimeout(2);
    }
    await whileDown();
    await mouse.up();
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
}
