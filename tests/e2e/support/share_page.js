// Page object for the share page (#/share): the page's URL as a QR code and in large text, and,
// served at 127.0.0.1, the warning that phones cannot open it with the network addresses to use;
// under it, the speed test ("How fast is this device?").
import { AppPage } from "./app_page.js";

export class SharePage extends AppPage {
  /** Goes to the share page of the site at `url` and waits for nothing more. */
  async visit(url) {
    await this.goto(`${url}#/share`);
  }

  /** Goes to the share page and waits until the QR code is shown. */
  async open(url) {
    await this.visit(url);
    await this.root.getByTestId("qr").waitFor();
  }

  /** Waits for the QR code's drawing; its box on screen. */
  async qrBox() {
    const svg = this.root.locator("[data-testid=qr] svg");
    await svg.waitFor();
    return svg.boundingBox();
  }

  /** The URL the QR code encodes. */
  async qrUrl() {
    return this.root.getByTestId("qr").getAttribute("data-url");
  }

  /** The URL as written under the code. */
  async url() {
    return this.root.getByTestId("share-url").textContent();
  }

  async urlBox() {
    return this.root.getByTestId("share-url").boundingBox();
  }

  /** Waits for the warning that this address only works on this computer; what it says. */
  async loopbackWarning() {
    const warning = this.root.getByTestId("share-loopback");
    await warning.waitFor();
    return warning.textContent();
  }

  /** Waits until the page offers this machine's network addresses; how many. */
  async offeredAddresses() {
    const offered = this.root.getByTestId("share-lan");
    await offered.first().waitFor();
    return offered.count();
  }

  /** Picks the `i`th network address offered instead of 127.0.0.1. */
  async pickOfferedAddress(i) {
    await this.root.getByTestId("share-lan").nth(i).click();
  }

  /** Runs the speed test and waits until it has timed every model (or failed, which throws). */
  async runSpeedTest() {
    const speed = this.root.getByTestId("speed");
    await speed.scrollIntoViewIfNeeded();
    await this.root.getByTestId("speed-run").click();
    const line = this.root.getByTestId("speed-line");
    const failed = this.root.locator("[data-testid=speed-status].error");
    await line.or(failed).waitFor({ timeout: 120_000 });
    if (await failed.isVisible()) throw new Error(`speed test failed: ${await failed.textContent()}`);
  }

  /** The speed table: [{model, inference, answer, runs}] as shown. */
  async speedRows() {
    return this.root.locator("[data-testid=speed-table] tbody tr").evaluateAll((rows) =>
      rows.map((r) => {
        const [inference, answer, runs] = [...r.querySelectorAll("td")].map((td) => td.textContent);
        return { model: r.querySelector("th").textContent, inference, answer, runs: Number(runs) };
      }));
  }

  /** The line to copy. */
  async speedLine() {
    return this.root.getByTestId("speed-line").textContent();
  }

  async copySpeedLine() {
    await this.root.getByTestId("speed-copy").click();
  }
}
