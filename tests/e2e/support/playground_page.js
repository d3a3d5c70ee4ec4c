// Page object for "Your model" (#/playground): pick a person's .onnx (and labels), read its card,
// change how a drawing or photo becomes its input, run it, keep it in this browser.
import assert from "node:assert/strict";
import { AppPage } from "./app_page.js";
import { DrawingCanvas } from "./canvas.js";

const PHASE = (phase) => `[data-testid=playground][data-phase=${phase}]`;

export class PlaygroundPage extends AppPage {
  constructor(page, root = page) {
    super(page, root);
    this.canvas = new DrawingCanvas(page, root);
  }

  /** Goes to the playground of the site at `url` and waits for nothing more. */
  async visit(url) {
    await this.goto(`${url}#/playground`);
  }

  /** Goes to the playground and waits until it is shown. */
  async open(url) {
    await this.visit(url);
    await this.waitUntilShown();
  }

  /** Waits until the playground is on the page. */
  async waitUntilShown() {
    await this.root.getByTestId("playground").waitFor();
  }

  /** Opens the playground at `url` and picks `file` (an .onnx path), which the page loads by
   *  itself once inspected; fails with the page's own message if it refuses the model. */
  async loadModel(url, file) {
    await this.visit(url);
    await this.pickModel(file);
    if (await this.hasError()) assert.fail(await this.root.getByTestId("playground-error").textContent());
    await this.waitUntilLoaded();
  }

  // --- Choosing a model -------------------------------------------------------------------

  async waitForModelChooser() {
    await this.root.getByTestId("choose-model").waitFor();
  }

  /** Picks a model file and waits until the page has read it (card shown, or an error). */
  async pickModel(file) {
    await this.offerModel(file);
    await this.waitUntilRead();
  }

  /** Picks a model file and waits for nothing (a file the page must refuse unread). */
  async offerModel(file) {
    await this.root.getByTestId("model-file").setInputFiles(file);
  }

  /** Picks a labels.txt for the model. */
  async pickLabels(file) {
    await this.root.getByTestId("labels-file").setInputFiles(file);
  }

  /** Clicks "Try our sketch model". */
  async trySample() {
    await this.root.getByTestId("try-sample").click();
  }

  /** Waits until the page is no longer reading a model file. */
  async waitUntilRead(timeout = 60_000) {
    await this.root.locator(`[data-testid=playground]:not([data-phase=inspecting])`).first().waitFor({ timeout });
  }

  /** Waits until the model is loaded and can be run. */
  async waitUntilLoaded(timeout = 60_000) {
    await this.root.locator(PHASE("ready")).first().waitFor({ timeout });
  }

  /** Where the page is: "empty", "inspecting", "ready", … (its data-phase). */
  async phase() {
    return this.root.getByTestId("playground").getAttribute("data-phase");
  }

  /** The error shown, waiting up to `timeout` for one. */
  async error(timeout = 30_000) {
    return this.root.getByTestId("playground-error").textContent({ timeout });
  }

  /** Whether an error is shown now. */
  async hasError() {
    return (await this.root.getByTestId("playground-error").count()) > 0;
  }

  /** Records, from now on, every (file name, card) pair the page shows: `seenPairs()` reads them. */
  async recordNameAndCard() {
    await this.page.evaluate(() => {
      window.__pairs = [];
      const note = () => {
        const name = document.querySelector("[data-testid=model-name]")?.textContent ?? null;
        const card = document.querySelector("[data-testid=model-card]")?.textContent ?? null;
        const last = window.__pairs[window.__pairs.length - 1];
        if (!last || last.name !== name || last.card !== card) window.__pairs.push({ name, card });
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
      note();
    });
  }

  async seenPairs() {
    return this.page.evaluate(() => window.__pairs);
  }

  /** The model's file name as shown. */
  async modelName() {
    return this.root.getByTestId("model-name").textContent();
  }

  /** What the page says about the labels file ("labels.txt, 64 lines"). */
  async labelsName() {
    return this.root.getByTestId("labels-name").textContent();
  }

  async hasLabels() {
    return (await this.root.getByTestId("labels-name").count()) > 0;
  }

  async waitForLabels() {
    await this.root.getByTestId("labels-name").waitFor();
  }

  async waitForNoLabels() {
    await this.root.getByTestId("labels-name").waitFor({ state: "detached" });
  }

  /** How many browser file inputs are visible (each says "No file chosen"). */
  async visibleFileInputs() {
    return this.root.locator("input[type=file]:visible").count();
  }

  // --- The model's card -------------------------------------------------------------------

  async waitForCard() {
    await this.root.getByTestId("model-card").waitFor();
  }

  /** The whole card's text (inputs, outputs, …). */
  async card() {
    return this.root.getByTestId("model-card").textContent();
  }

  /** Whether tract can run the model, as the card's verdict says it: "true" or "false". */
  async runnable() {
    return this.root.getByTestId("card-verdict").getAttribute("data-runnable");
  }

  /** The card's verdict in words (and the operators tract lacks). */
  async verdict() {
    return this.root.getByTestId("card-verdict").textContent();
  }

  async parameters() {
    return this.root.getByTestId("card-params").textContent();
  }

  async operators() {
    return this.root.getByTestId("card-ops").textContent();
  }

  /** Whether a Load button is offered. */
  async offersLoad() {
    return (await this.root.getByTestId("load-custom").count()) > 0;
  }

  // --- How a drawing or photo becomes its input --------------------------------------------

  /** An input setting's value: "side", "channels", "layout", … */
  async inputSetting(name) {
    return this.root.getByTestId(`spec-${name}`).inputValue();
  }

  /** Whether the drawing is inverted (white ink on black, like Quick Draw). */
  async inverted() {
    return this.root.getByTestId("spec-invert").isChecked();
  }

  /** Whether the page asks for a channel order (RGB/BGR). */
  async asksChannelOrder() {
    return (await this.root.getByTestId("spec-order").count()) > 0;
  }

  // --- Running it -------------------------------------------------------------------------

  /** Draws `strokes` with the mouse for the model. */
  async draw(strokes) {
    await this.canvas.draw(strokes);
  }

  /** Clears the drawing the model is given. */
  async clearDrawing() {
    await this.root.getByTestId("playground").getByTestId("clear").click();
  }

  /** How many guesses are shown now. */
  async guessCount() {
    return this.root.locator("[data-testid=guess]").count();
  }

  /** Gives the model a photo. */
  async runOnPhoto(file) {
    await this.root.getByTestId("custom-photo").setInputFiles(file);
  }

  /** The labels of the model's answer, best first, once one is shown (`settle` ms more for the
   *  answer to the last stroke to land). */
  async labels(settle = 500) {
    await this.root.locator("[data-testid=guess]").first().waitFor();
    if (settle) await this.page.waitForTimeout(settle);
    return this.root.locator("[data-testid=guess]").evaluateAll((els) => els.map((e) => e.dataset.label));
  }

  /** The seq of the answer shown, or null when there is none. */
  async shownSeq() {
    return this.page.$eval("[data-testid=guesses]", (e) => e.dataset.seq).catch(() => null);
  }

  /** Waits until an answer newer than `since` or an error is shown. */
  async waitForAnswerOrError(since) {
    await this.page.waitForFunction((s) => {
      const shown = document.querySelector("[data-testid=guesses]");
      return document.querySelector("[data-testid=playground-error]") || (shown && shown.dataset.seq !== s);
    }, since, { timeout: 30_000, polling: 100 });
  }

  async waitForScores(timeout = 30_000) {
    await this.root.getByTestId("custom-scores").waitFor({ timeout });
  }

  /** What the page says about the scores ("logits: softmax applied", …). */
  async scores() {
    return this.root.getByTestId("custom-scores").textContent();
  }

  /** Opens "Raw output (N values)"; `count` is the N it must say. */
  async openRawOutput(count) {
    await this.root.getByText(new RegExp(`Raw output \\(${count} values\\)`)).click();
  }

  /** The raw output, comma-separated. */
  async rawOutput() {
    return this.root.getByTestId("custom-raw").textContent();
  }

  /** The app's wasm memory in bytes (a test hook); waits for the hook. */
  async memory() {
    await this.page.waitForFunction(() => window.playgroundDebug?.memory);
    return this.page.evaluate(() => window.playgroundDebug.memory());
  }

  // --- Kept in this browser ---------------------------------------------------------------

  /** From the next load on, records which IndexedDB object stores the page reads (read with
   *  storageReads()): listing kept models must not touch their bytes. */
  async recordStorageReads() {
    await this.page.addInitScript(() => {
      window.__reads = [];
      for (const method of ["get", "getAll", "openCursor"]) {
        const original = IDBObjectStore.prototype[method];
        IDBObjectStore.prototype[method] = function (...args) {
          window.__reads.push(`${this.name}.${method}`);
          return original.apply(this, args);
        };
      }
    });
  }

  /** The reads recorded since recordStorageReads(), as "store.method". */
  async storageReads() {
    return this.page.evaluate(() => window.__reads);
  }

  /** Keeps the model in this browser (IndexedDB). */
  async keep() {
    await this.root.getByTestId("keep").click();
  }

  /** Waits until a kept model named `name` is listed. */
  async waitForKept(name) {
    await this.#kept(name).waitFor();
  }

  async keptCount() {
    return this.root.locator("[data-testid=kept-model]").count();
  }

  /** Opens the kept model named `name`. */
  async openKept(name) {
    await this.#kept(name).locator("[data-testid=kept-open]").click();
  }

  /** Removes the kept model (there must be one only). */
  async removeKept() {
    await this.root.getByTestId("kept-remove").click();
  }

  /** Waits until no kept model is listed. */
  async waitUntilNoneKept() {
    await this.root.locator("[data-testid=kept-model]").waitFor({ state: "detached" });
  }

  #kept(name) {
    return this.root.locator(`[data-testid=kept-model][data-name='${name}']`);
  }
}
