// Page object for the photo page: upload through the file input or a simulated drop.
import fs from "node:fs";
import path from "node:path";
import { REPO, ARTIFACTS } from "./env.js";

export const PHOTOS = path.join(REPO, "crates/core/tests/photos");
export const EXPECTED = JSON.parse(fs.readFileSync(path.join(PHOTOS, "expected.json"), "utf8")).photos;

export class PhotoPage {
  constructor(page) {
    this.page = page;
  }

  async open(url) {
    await this.page.goto(`${url}#/photo`);
    await this.page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 60_000 });
  }

  /** The seq of the answer on screen; a new answer changes it. */
  async shownSeq() {
    return this.page.$eval("[data-testid=guesses]", (e) => e.dataset.seq);
  }

  async pick(file) {
    await this.page.setInputFiles("[data-testid=photo-input]", file);
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

  /** Top-5 once an answer newer than `since` is shown. */
  async guessesAfter(since) {
    await this.page.waitForFunction((s) => {
      const g = document.querySelector("[data-testid=guesses]");
      return g && g.dataset.seq !== s && document.querySelector("[data-testid=guess]");
    }, since, { timeout: 30_000 });
    return this.page.$$eval("[data-testid=guess]", (els) => els.map((e) => e.dataset.label));
  }

  async errorAfter(action) {
    await action();
    const el = this.page.getByTestId("photo-error");
    await el.waitFor({ timeout: 30_000 });
    return el.textContent();
  }

  async screenshot(name) {
    await this.page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  }
}
