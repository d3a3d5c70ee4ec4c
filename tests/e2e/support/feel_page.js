// Page object for the feel page (#/feel): a sentence typed, the verdict as you type, each word's
// part (the change with the word left out) and the first layer's attention.
import { AppPage } from "./app_page.js";

export class FeelPage extends AppPage {
  /** Goes to the feel page of the site at `url` and waits until its model is ready. */
  async open(url) {
    await this.goto(`${url}#/feel`);
    await this.waitForModelShown(120_000);
  }

  /** Replaces the sentence, as typing would (one input event). */
  async type(text) {
    await this.root.getByTestId("feel-text").fill(text);
  }

  /** Types `text` key by key, `delay` ms apart. */
  async typeSlowly(text, delay = 40) {
    await this.root.getByTestId("feel-text").fill("");
    await this.root.getByTestId("feel-text").pressSequentially(text, { delay });
  }

  /** Waits until the verdict is about `text`'s words (the parts shown are its words); the verdict. */
  async verdictFor(words, timeout = 30_000) {
    await this.page.waitForFunction((words) => {
      const parts = [...document.querySelectorAll("[data-testid=feel-words] .part")].map((e) => e.dataset.word);
      return JSON.stringify(parts) === JSON.stringify(words) && document.querySelector("[data-testid=feel-verdict]");
    }, words, { timeout });
    return this.verdict();
  }

  async verdict() {
    const v = this.root.getByTestId("feel-verdict");
    return { text: await v.textContent(), positive: Number(await v.getAttribute("data-positive")) };
  }

  /** Waits until every word's part is worked out; [word, part] pairs. */
  async parts(timeout = 30_000) {
    await this.page.waitForFunction(() => {
      const parts = [...document.querySelectorAll("[data-testid=feel-words] .part")];
      return parts.length && parts.every((p) => p.dataset.part !== "");
    }, null, { timeout });
    return this.page.$$eval("[data-testid=feel-words] .part", (els) => els.map((e) => [e.dataset.word, Number(e.dataset.part)]));
  }

  /** The timing line: milliseconds in the worker and word pieces read. */
  async timing() {
    const t = this.root.getByTestId("feel-timing");
    return { text: await t.textContent(), ms: Number(await t.getAttribute("data-ms")), tokens: Number(await t.getAttribute("data-tokens")) };
  }

  async truncatedNote() {
    const n = this.root.getByTestId("feel-truncated");
    return (await n.count()) ? n.textContent() : null;
  }

  async error() {
    const e = this.root.getByTestId("feel-error");
    return (await e.count()) ? e.textContent() : null;
  }

  /** Opens the attention view, picks word piece `index` and head (`"all"` or 0-based); each
   *  piece's text and weight relative to the strongest. */
  async attention(index, head = "all") {
    const details = this.root.getByTestId("feel-attention");
    if (!(await details.evaluate((d) => d.open))) await details.locator("summary").click();
    await this.root.getByTestId("feel-head").selectOption(String(head));
    await this.root.getByTestId("feel-token").nth(index).click();
    return this.page.$$eval("[data-testid=feel-token]", (els) => els.map((e) => [e.textContent, Number(e.dataset.weight), e.getAttribute("aria-pressed")]));
  }
}
