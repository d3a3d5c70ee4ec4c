// Page object for the sketch page (#/): draw, see the guesses, undo, clear, look up the classes
// it knows. Also the sketch demo inside an embed's iframe (embed_page.js).
import { AppPage } from "./app_page.js";
import { DrawingCanvas } from "./canvas.js";

const GUESS = "[data-testid=guess]";

export class SketchPage extends AppPage {
  /** `root`: the page, or the FrameLocator of an iframe the demo is embedded in. */
  constructor(page, root = page) {
    super(page, root);
    this.canvas = new DrawingCanvas(page, root);
  }

  /** Goes to `url` (the sketch page: the site's root, `#/`) and waits for the model. */
  async open(url) {
    await this.goto(url);
    await this.waitForModel();
  }

  /** Waits until answers can name every class: the wider model (345 classes) loaded after the
   *  first one, as the "What can I recognise?" count shows. */
  async waitForAllClasses(count = 345, timeout = 30_000) {
    await this.root.locator(`[data-testid=known-classes][data-count="${count}"]`).first().waitFor({ timeout });
  }

  // --- Drawing ----------------------------------------------------------------------------

  /** Draws `strokes` ([[xs], [ys], ...], Quick Draw's format) with the mouse; `stop` (optional,
   *  async) is asked before each stroke whether to stop. */
  async draw(strokes, stop = null) {
    await this.canvas.draw(strokes, stop);
  }

  /** Draws `strokes` with a finger (touch events). */
  async drawWithTouch(strokes) {
    await this.canvas.drawWithTouch(strokes);
  }

  /** Draws every point of `strokes` as one slow stroke; `whileDown` runs before the mouse lifts. */
  async drawOneStroke(strokes, whileDown) {
    await this.canvas.drawOneStroke(strokes, whileDown);
  }

  /** Where `strokes` land on screen: one [x, y] list per stroke. */
  async layout(strokes) {
    return this.canvas.layout(strokes);
  }

  async canvasBox() {
    return this.canvas.box();
  }

  async scrollToCanvas() {
    await this.canvas.scrollIntoView();
  }

  async undo() {
    await this.root.getByTestId("undo").click();
  }

  /** Presses Ctrl+Z. */
  async undoWithKeyboard() {
    await this.page.keyboard.press("Control+z");
  }

  async canUndo() {
    return !(await this.root.getByTestId("undo").isDisabled());
  }

  /** Waits until Undo is disabled: nothing left to undo. */
  async waitUntilNothingToUndo(timeout = 5_000) {
    await this.root.locator("[data-testid=undo]:disabled").first().waitFor({ timeout });
  }

  async clear() {
    await this.root.getByTestId("clear").click();
  }

  async canClear() {
    return this.root.getByTestId("clear").isEnabled();
  }

  // --- What the page sees -----------------------------------------------------------------

  /** Waits until the canvas is empty again: the prompt to draw is back in place of guesses. */
  async waitUntilEmpty() {
    await this.root.getByTestId("guess-placeholder").waitFor();
  }

  /** Waits until a guess is shown (live or final). */
  async waitForGuess(timeout = 30_000) {
    await this.root.locator(GUESS).first().waitFor({ timeout });
  }

  /** How many guesses are shown now. */
  async guessCount() {
    return this.root.locator(GUESS).count();
  }

  /** The guesses on screen as [label, probability], best first, once the guess for the finished
   *  drawing is shown. */
  async guesses(timeout = 10_000) {
    await this.waitForGuess(timeout);
    // Let the answer to the last stroke (the newest request) land.
    await this.page.waitForTimeout(400);
    return this.root.locator(GUESS).evaluateAll((els) =>
      els.map((e) => [e.dataset.label, parseFloat(e.querySelector(".pct").textContent) / 100]));
  }

  /** The labels of the guesses on screen, best first, as guesses() waits for them. */
  async guessLabels(timeout = 10_000) {
    return (await this.guesses(timeout)).map(([label]) => label);
  }

  /** Whether the guess list says "not sure". */
  async notSure() {
    return (await this.root.getByTestId("not-sure").count()) > 0;
  }

  /** Each guess's bar: [its track's width in px, the filled part of the track, its percentage / 100]. */
  async guessBars() {
    return this.root.locator(GUESS).evaluateAll((rows) => rows.map((r) => {
      const track = r.querySelector(".bar").getBoundingClientRect().width;
      return [track, r.querySelector(".bar span").getBoundingClientRect().width / track, parseFloat(r.querySelector(".pct").textContent) / 100];
    }));
  }

  /** How many of the 28×28 pixels the model is shown have ink. */
  async inkInModelInput() {
    return this.root.getByTestId("model-input").evaluate((c) => {
      const d = c.getContext("2d").getImageData(0, 0, 28, 28).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) n += d[i] > 0 ? 1 : 0;
      return n;
    });
  }

  /** From now on, records what the screen reader is told (the guess announcement) and how many
   *  answers are shown; read with announced() and answersShown(). */
  async listen() {
    await this.page.evaluate(() => {
      window.__said = [];
      window.__answers = 0;
      const el = document.querySelector("[data-testid=guess-announcement]");
      new MutationObserver(() => window.__said.push(el.textContent)).observe(el, { childList: true, subtree: true, characterData: true });
      new MutationObserver(() => window.__answers++)
        .observe(document.querySelector("[data-testid=guesses]"), { attributes: true, attributeFilter: ["data-seq"] });
    });
  }

  /** What the screen reader was told since listen(), empty announcements left out. */
  async announced() {
    return this.page.evaluate(() => window.__said.filter(Boolean));
  }

  /** How many answers were shown since listen(). */
  async answersShown() {
    return this.page.evaluate(() => window.__answers);
  }

  // --- "What can I recognise?" ------------------------------------------------------------

  /** Opens (or closes) the list of every class the page knows. */
  async toggleKnownClasses() {
    await this.root.getByTestId("known-classes").locator("summary").click();
  }

  async searchKnownClasses(text) {
    await this.root.getByTestId("known-search").fill(text);
  }

  /** The classes the list shows. */
  async knownClassesListed() {
    return this.root.locator("[data-testid=known-list] li").evaluateAll((l) => l.map((e) => e.textContent));
  }

  // --- Sizes ------------------------------------------------------------------------------

  /** The viewport, the page's width, and the boxes of the canvas, Undo, Clear and the guesses
   *  (see AppPage.measure). */
  async placement() {
    return this.measure({ canvas: "sketch-canvas", undo: "undo", clear: "clear", guesses: "guesses" });
  }
}
