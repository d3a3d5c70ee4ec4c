// Page object for the write page (#/write): a prompt continued by the Shakespeare model, a few
// characters per request, with a temperature, a length and Stop.
import { AppPage } from "./app_page.js";

export class WritePage extends AppPage {
  /** Goes to the write page of the site at `url` and waits until its model is ready. */
  async open(url) {
    await this.goto(`${url}#/write`);
    await this.waitForModelShown(60_000);
  }

  async setPrompt(text) {
    await this.root.getByTestId("write-prompt").fill(text);
  }

  async setTemperature(value) {
    await this.root.getByTestId("write-temperature").fill(String(value));
  }

  async setLength(chars) {
    await this.root.getByTestId("write-length").selectOption(String(chars));
  }

  async start() {
    await this.root.getByTestId("write-start").click();
  }

  async stop() {
    await this.root.getByTestId("write-stop").click();
  }

  /** Whether it is writing now (Stop is offered). */
  async writing() {
    return (await this.root.getByTestId("write-stop").count()) > 0;
  }

  /** What the model has written so far (without the prompt). */
  async written() {
    const text = this.root.getByTestId("write-text");
    return (await text.count()) ? text.textContent() : "";
  }

  /** Waits until at least `n` characters are written; returns them. */
  async waitForChars(n, timeout = 60_000) {
    await this.page.waitForFunction(
      (n) => [...(document.querySelector("[data-testid=write-text]")?.textContent ?? "")].length >= n,
      n, { timeout });
    return this.written();
  }

  /** Waits until the writing ends (done, stopped or failed). */
  async waitDone(timeout = 90_000) {
    await this.root.getByTestId("write-start").waitFor({ timeout });
  }

  /** The speed line: its text, characters and milliseconds. */
  async speed() {
    const line = this.root.getByTestId("write-speed");
    return { text: await line.textContent(), chars: Number(await line.getAttribute("data-chars")), ms: Number(await line.getAttribute("data-ms")) };
  }

  /** The hint naming characters outside the model's alphabet, or null. */
  async unknownHint() {
    const hint = this.root.getByTestId("write-unknown");
    return (await hint.count()) ? hint.textContent() : null;
  }

  async error() {
    const e = this.root.getByTestId("write-error");
    return (await e.count()) ? e.textContent() : null;
  }
}
