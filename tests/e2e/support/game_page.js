// Page object for the game (#/game): Start, a prompt to draw against the countdown, what the
// model says while you draw, Clear and Skip, then the score and the gallery.
import { AppPage } from "./app_page.js";
import { DrawingCanvas } from "./canvas.js";

export class GamePage extends AppPage {
  constructor(page, root = page) {
    super(page, root);
    this.canvas = new DrawingCanvas(page, root);
  }

  /** Goes to the game of the site at `url` (`prompts`: the words to draw, in order; otherwise
   *  the game picks them) and waits for nothing more. */
  async visit(url, prompts = null) {
    await this.goto(`${url}#/game${prompts ? `?prompts=${prompts.join(",")}` : ""}`);
  }

  /** Goes to the game and waits until its status bar says the model is ready. */
  async open(url, prompts = null) {
    await this.visit(url, prompts);
    await this.waitForModelShown();
  }

  async start() {
    await this.root.getByTestId("start").click();
  }

  /** Focuses Start and presses Enter. */
  async startWithKeyboard() {
    await this.root.getByTestId("start").focus();
    await this.page.keyboard.press("Enter");
  }

  async waitForStartButton() {
    await this.root.getByTestId("start").waitFor();
  }

  // --- A round ----------------------------------------------------------------------------

  /** Waits until the round asks for `word` (any word when null). */
  async waitForPrompt(word = null, timeout = 30_000) {
    const selector = word === null ? "[data-testid=prompt]" : `[data-testid=prompt][data-label="${word}"]`;
    await this.root.locator(selector).first().waitFor({ timeout });
  }

  /** The word the round asks for. */
  async prompt() {
    return this.root.getByTestId("prompt").getAttribute("data-label");
  }

  /** The prompt as written ("Draw a clock"). */
  async promptText() {
    return this.root.getByTestId("prompt").textContent();
  }

  /** The seconds left in the round. */
  async countdown() {
    return Number(await this.root.getByTestId("countdown").textContent());
  }

  /** Draws `strokes` with the mouse; `stop` (optional, async) is asked before each stroke. */
  async draw(strokes, stop = null) {
    await this.canvas.draw(strokes, stop);
  }

  /** Focuses Skip and presses Enter. */
  async skipWithKeyboard() {
    await this.root.getByTestId("skip").focus();
    await this.page.keyboard.press("Enter");
  }

  /** What the model says now ("Oh, I know — it's a clock!" once the round is won). */
  async says() {
    return this.root.getByTestId("game-guess").textContent();
  }

  /** Waits until the round is over (won, missed or skipped). */
  async waitUntilRoundOver(timeout = 10_000) {
    await this.page.waitForFunction(() => document.querySelector("[data-testid=game-guess]")?.classList.contains("over"), null, { timeout });
  }

  /** From now on, records the round's verdict the moment it shows (read with roundOver() and
   *  verdict()): a round ends as soon as the model guesses right, often before the drawing is
   *  finished, and the next one starts 2 s later. */
  async watchForVerdict() {
    await this.page.evaluate(() => {
      window.__verdicts = [];
      const el = document.querySelector("[data-testid=game-guess]");
      new MutationObserver(() => el.classList.contains("over") && window.__verdicts.push(el.textContent))
        .observe(el, { attributes: true, childList: true, subtree: true, characterData: true });
    });
  }

  /** Whether the round watched since watchForVerdict() is over. */
  async roundOver() {
    return this.page.evaluate(() => window.__verdicts.length > 0);
  }

  /** Waits for the watched round to end; what the model said as it ended. */
  async verdict(timeout = 10_000) {
    await this.page.waitForFunction(() => window.__verdicts.length > 0, null, { timeout });
    return this.page.evaluate(() => window.__verdicts[0]);
  }

  /** The boxes of everything a round shows, by name (see AppPage.measure). */
  async roundPlacement() {
    return this.measure({ prompt: "prompt", countdown: "countdown", says: "game-guess", canvas: "sketch-canvas",
      clear: "game-clear", skip: "skip", sound: "sound" });
  }

  // --- The end ----------------------------------------------------------------------------

  async waitForScore(timeout = 10_000) {
    await this.root.getByTestId("score").waitFor({ timeout });
  }

  /** Waits for the end's score; what it says. */
  async score(timeout = 10_000) {
    await this.waitForScore(timeout);
    return this.root.getByTestId("score").textContent();
  }

  /** How many of the player's drawings the end shows. */
  async resultCount() {
    return this.root.locator("[data-testid=result]").count();
  }

  /** The first drawing's download link. */
  async firstDownloadHref() {
    return this.root.locator("[data-testid=download]").first().getAttribute("href");
  }

  /** Waits until "how others drew it" shows its first drawings. */
  async waitForOthersDrawings(timeout = 10_000) {
    await this.root.getByTestId("others").first().waitFor({ timeout });
  }

  async canPlayAgain() {
    return this.root.getByTestId("play-again").isVisible();
  }
}
