// Page objects for embedding: EmbedPage is embed.html (one demo, no site around it), opened on
// its own or inside another site's iframe; HostPage is that other site's page (a blog post)
// with the iframe, which receives the demo's prediction messages.
import { AppPage } from "./app_page.js";
import { SketchPage } from "./sketch_page.js";

export class EmbedPage extends SketchPage {
  /** Goes to embed.html of the site at `url` for `demo` ("sketch", "photo", "game") and waits for nothing more. */
  async visit(url, demo) {
    await this.goto(`${url}embed.html?demo=${demo}`);
  }

  /** The link to the full playground. */
  async fullAppLink() {
    return this.root.getByTestId("embed-open").getAttribute("href");
  }

  /** The colour scheme the embed forces ("dark", "light"), from its <html>. */
  async theme() {
    return this.root.locator("html").getAttribute("data-theme");
  }

  /** What a misconfigured embed says is wrong. */
  async error() {
    return this.root.getByTestId("embed-error").textContent();
  }
}

export class HostPage {
  constructor(page) {
    this.page = page;
  }

  /** Goes to the host's page at `url`; it starts collecting the messages it receives. */
  async open(url) {
    await this.page.goto(url);
  }

  /** The demo in the iframe that `selector` picks. */
  embed(selector = "iframe") {
    return new EmbedPage(this.page, this.page.frameLocator(selector));
  }

  /** The full app in the iframe that `selector` picks (which the browser must refuse to show). */
  app(selector) {
    return new AppPage(this.page, this.page.frameLocator(selector));
  }

  /** What the iframe `selector` lets its page use (its allow attribute), e.g. "camera". */
  async iframeAllows(selector = "iframe") {
    return this.page.locator(selector).getAttribute("allow");
  }

  /** Every message the page has received, as {origin, data}. */
  async received() {
    return this.page.evaluate(() => window.received);
  }
}
