// Page object for the clean page (#/clean): a photo given the photo page's ways (or the
// sample), grain added, cleaned tile by tile with progress and Cancel; before/after, Download.
import { PhotoPage } from "./photo_page.js";

export class CleanPage extends PhotoPage {
  route = "#/clean";
  errorId = "clean-error";

  async trySample() {
    await this.root.getByTestId("clean-sample").click();
  }

  /** Sets a slider ("grain" or "strength") and releases it: a new cleaning starts. */
  async setSlider(which, value) {
    await this.root.getByTestId(`clean-${which}`).fill(String(value));
  }

  /** Ticks or unticks "Read the noise level from the photo". */
  async setAuto(on) {
    await this.root.getByTestId("clean-auto").setChecked(on);
  }

  /** Waits until a cleaning shows progress; its tiles done and in all. */
  async waitForProgress(timeout = 30_000) {
    await this.page.waitForFunction(() => {
      const p = document.querySelector("[data-testid=clean-progress] progress");
      return p && Number(p.value) > 0;
    }, null, { timeout });
    return this.progress();
  }

  async progress() {
    return this.page.$eval("[data-testid=clean-progress] progress", (p) => ({ done: Number(p.value), total: Number(p.max) }));
  }

  async working() {
    return (await this.root.getByTestId("clean-progress").count()) > 0;
  }

  async cancel() {
    await this.root.getByTestId("clean-cancel").click();
  }

  /** The request whose result the last waitForResult() returned. */
  #seen = "";

  /** Waits until a result newer than the last one returned is shown and no cleaning is under
   *  way; its timing line. */
  async waitForResult(timeout = 60_000) {
    await this.page.waitForFunction((seen) => {
      const line = document.querySelector("[data-testid=clean-timing]");
      return line && line.dataset.seq !== seen && !document.querySelector("[data-testid=clean-progress]");
    }, this.#seen, { timeout });
    const line = this.root.getByTestId("clean-timing");
    this.#seen = await line.getAttribute("data-seq");
    const number = async (name) => Number(await line.getAttribute(`data-${name}`));
    return { text: await line.textContent(), ms: await number("ms"), pixels: await number("pixels"), tiles: await number("tiles"), cores: await number("cores") };
  }

  /** The strength slider's label ("Strength: σ 0.10 (±26 grey levels)"). */
  async strengthLabel() {
    return this.page.$eval("[data-testid=clean-strength]", (i) => i.closest("label").textContent);
  }

  /** Moves the before/after split to `percent` with the keyboard's Home and arrows. */
  async splitAt(percent) {
    const slider = this.root.getByTestId("compare");
    await slider.focus();
    await this.page.keyboard.press("Home");
    for (let i = 0; i < percent; i++) await this.page.keyboard.press("ArrowRight");
  }

  /** Of the before and after canvases: their size, and how grainy each is (the mean absolute
   *  difference between horizontal neighbours, 0–255). */
  async canvases() {
    return this.page.evaluate(() => {
      const read = (id) => {
        const c = document.querySelector(`[data-testid=${id}]`);
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        let sum = 0, n = 0;
        for (let i = 4; i < d.length; i += 4) {
          if ((i / 4) % c.width === 0) continue;
          for (let k = 0; k < 3; k++) sum += Math.abs(d[i + k] - d[i - 4 + k]);
          n += 3;
        }
        return { width: c.width, height: c.height, grain: sum / n };
      };
      const after = document.querySelector("[data-testid=after-canvas]");
      return { before: read("before-canvas"), after: read("after-canvas"), clip: getComputedStyle(after).clipPath };
    });
  }

  /** Clicks Download; the file the browser saves (a playwright Download). */
  async download() {
    const [file] = await Promise.all([this.page.waitForEvent("download"), this.root.getByTestId("clean-download").click()]);
    return file;
  }
}
