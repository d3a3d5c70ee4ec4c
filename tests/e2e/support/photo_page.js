// Page object for the photo page (#/photo): a photo picked, dropped, pasted or snapped with the
// camera, and the top-5 it gets.
import fs from "node:fs";
import path from "node:path";
import { REPO } from "./env.js";
import { AppPage } from "./app_page.js";

export const PHOTOS = path.join(REPO, "crates/core/tests/photos");
export const EXPECTED = JSON.parse(fs.readFileSync(path.join(PHOTOS, "expected.json"), "utf8")).photos;

export class PhotoPage extends AppPage {
  /** The page's route and the test id of its error line (the clean page takes photos the same ways). */
  route = "#/photo";
  errorId = "photo-error";

  /** Goes to the page of the site at `url` and waits for nothing more. */
  async visit(url) {
    await this.goto(`${url}${this.route}`);
  }

  /** Goes to the photo page and waits until its model is ready. */
  async open(url) {
    await this.visit(url);
    await this.waitForModelShown(60_000);
  }

  /** The seq of the answer on screen; a new answer changes it. */
  async shownSeq() {
    return this.page.$eval("[data-testid=guesses]", (e) => e.dataset.seq);
  }

  /** Picks `file` through the page's file input. */
  async pick(file) {
    await this.page.setInputFiles("[data-testid=photo-input]", file);
  }

  /** Focuses "Choose a photo" and presses Enter (which opens the file chooser). */
  async choosePhotoWithKeyboard() {
    await this.page.getByTestId("choose-photo").focus();
    await this.page.keyboard.press("Enter");
  }

  /** A drop as a browser makes it: a DataTransfer holding the file, dispatched on the zone. */
  async drop(file) {
    await this.#dispatchFile(file, "drop");
  }

  /** A paste as a browser makes it from a copied image: a ClipboardEvent on the document. */
  async paste(file) {
    await this.#dispatchFile(file, "paste");
  }

  async #dispatchFile(file, how) {
    const b64 = fs.readFileSync(file).toString("base64");
    await this.page.evaluate(([name, data, how]) => {
      const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name, { type: "image/png" }));
      const init = { bubbles: true, cancelable: true };
      if (how === "paste") {
        document.dispatchEvent(new ClipboardEvent("paste", { ...init, clipboardData: dt }));
        return;
      }
      const zone = document.querySelector("[data-testid=drop-zone]");
      zone.dispatchEvent(new DragEvent("dragover", { ...init, dataTransfer: dt }));
      zone.dispatchEvent(new DragEvent("drop", { ...init, dataTransfer: dt }));
    }, [path.basename(file), b64, how]);
  }

  // --- The camera -------------------------------------------------------------------------

  async openCamera() {
    await this.page.getByTestId("camera-button").click();
  }

  /** Focuses the camera button and presses Enter. */
  async openCameraWithKeyboard() {
    await this.page.getByTestId("camera-button").focus();
    await this.page.keyboard.press("Enter");
  }

  /** Waits until the camera's picture is playing. */
  async waitForCameraPicture() {
    await this.page.waitForFunction(() => document.querySelector("[data-testid=camera]")?.videoWidth > 0);
  }

  /** Whether the camera's view is on the page. */
  async cameraOpen() {
    return (await this.page.getByTestId("camera").count()) > 0;
  }

  /** From the next load on, the camera permission is answered `ms` late, and every stream the
   *  camera hands out is kept (see cameraTrackStates()). */
  async answerCameraPromptAfter(ms) {
    await this.page.addInitScript((ms) => {
      const open = MediaDevices.prototype.getUserMedia;
      window.__streams = [];
      MediaDevices.prototype.getUserMedia = function (...args) {
        return new Promise((r) => setTimeout(r, ms)).then(() => open.apply(this, args))
          .then((s) => (window.__streams.push(s), s));
      };
    }, ms);
  }

  /** Once the camera has handed out a stream (after answerCameraPromptAfter()), and 300 ms
   *  later, the readyState of each of its tracks: "ended" once the page turned it off. */
  async cameraTrackStates() {
    await this.page.waitForFunction(() => window.__streams.length > 0);
    await this.page.waitForTimeout(300);
    return this.page.evaluate(() => window.__streams.flatMap((s) => s.getTracks().map((t) => t.readyState)));
  }

  async waitForSnapButton(timeout = 10_000) {
    await this.page.getByTestId("snap").waitFor({ timeout });
  }

  async snap() {
    await this.page.getByTestId("snap").click();
  }

  // --- What the page shows ----------------------------------------------------------------

  /** Top-5 once an answer newer than `since` is shown. */
  async guessesAfter(since) {
    await this.page.waitForFunction((s) => {
      const g = document.querySelector("[data-testid=guesses]");
      return g && g.dataset.seq !== s && document.querySelector("[data-testid=guess]");
    }, since, { timeout: 30_000 });
    return this.page.$$eval("[data-testid=guess]", (els) => els.map((e) => e.dataset.label));
  }

  /** Does `action`, then waits for the photo error and returns what it says. */
  async errorAfter(action) {
    await action();
    const el = this.page.getByTestId(this.errorId);
    await el.waitFor({ timeout: 30_000 });
    return el.textContent();
  }

  /** Whether an error is shown now. */
  async hasError() {
    return (await this.page.getByTestId(this.errorId).count()) > 0;
  }

  /** What the page says about the time the network took. */
  async timing() {
    return this.page.getByTestId("timing").textContent();
  }

  /** The size [width, height] of the picture the model was given. */
  async modelInputSize() {
    return this.page.$eval("[data-testid=model-input]", (c) => [c.width, c.height]);
  }

  /** The [r, g, b, a] of one pixel of the picture the model was given. */
  async modelInputPixel(x, y) {
    return this.page.$eval("[data-testid=model-input]", (c, [x, y]) => [...c.getContext("2d").getImageData(x, y, 1, 1).data], [x, y]);
  }
}
