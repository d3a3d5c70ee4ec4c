// What every page of the app has around its own content: the nav, the model's status bar, the
// worker's notices, the presenter and Embed buttons, the offer of a new build, the title and
// focus; and the ways a test looks at a page as a whole (its size, its controls' boxes). The
// page objects (sketch_page.js, game_page.js, photo_page.js, playground_page.js, share_page.js,
// embed_page.js) extend it. `root` is where the page's elements are: the page itself, or the
// iframe an embed lives in (a FrameLocator).
import path from "node:path";
import { ARTIFACTS } from "./env.js";

const READY = "[data-testid=model-status][data-state=ready]";

export class AppPage {
  constructor(page, root = page) {
    this.page = page;
    this.root = root;
  }

  /** Navigates to `url` and waits for nothing more. */
  async goto(url) {
    return this.page.goto(url);
  }

  async reload() {
    await this.page.reload();
  }

  async title() {
    return this.page.title();
  }

  /** Waits until the tab's title is no longer `title`. */
  async waitForTitleOtherThan(title, timeout = 5_000) {
    await this.page.waitForFunction((t) => document.title !== t, title, { timeout });
  }

  /** Waits until some page of the app is on screen: a model's status, the playground or the QR code. */
  async waitForAnyPage() {
    await this.page.waitForSelector("[data-testid=model-status], [data-testid=playground], [data-testid=qr]", { state: "attached" });
  }

  // --- The model's status bar -------------------------------------------------------------

  /** Waits until the page's model is ready. Attached, not visible: presenter mode hides the status bar. */
  async waitForModel(timeout = 30_000) {
    await this.root.locator(READY).first().waitFor({ state: "attached", timeout });
  }

  /** Waits until the status bar, on screen, says the model is ready. */
  async waitForModelShown(timeout = 30_000) {
    await this.root.locator(READY).first().waitFor({ timeout });
  }

  /** Waits until the model's download has failed; what the status bar says. */
  async modelFailure(timeout = 10_000) {
    const status = this.root.locator("[data-testid=model-status][data-state=failed]");
    await status.waitFor({ timeout });
    return status.textContent();
  }

  /** Clicks Retry after a failed download. */
  async retry() {
    await this.root.getByTestId("retry").click();
  }

  /** The status bar's ARIA role (a live region is "status"). */
  async modelStatusRole() {
    return this.root.getByTestId("model-status").getAttribute("role");
  }

  /** The test ids of every live region on the page. */
  async liveRegions() {
    return this.root.locator("[aria-live]").evaluateAll((els) => els.map((e) => e.dataset.testid));
  }

  // --- The inference worker ---------------------------------------------------------------

  /** Waits for the notice that the worker was restarted; what it says. */
  async workerNotice(timeout = 10_000) {
    const notice = this.root.getByTestId("worker-notice");
    await notice.waitFor({ timeout });
    return notice.textContent();
  }

  /** Whether a worker-restart notice is shown now. */
  async hasWorkerNotice() {
    return (await this.root.getByTestId("worker-notice").count()) > 0;
  }

  /** Breaks the worker through the harness's hook: "panic" or "hang". */
  async breakWorker(how) {
    await this.page.evaluate((how) => window.playgroundDebug.sabotage(how), how);
  }

  /** Keeps the worker busy for `ms` through the harness's hook: whatever is asked meanwhile
   *  is answered late, as by a slow model. */
  async stallWorker(ms) {
    await this.page.evaluate((ms) => window.playgroundDebug.sabotage("stall", ms), ms);
  }

  /** Whether the page has the harness's test hooks at all (window.playgroundDebug). */
  async hasTestHooks() {
    return this.page.evaluate(() => typeof window.playgroundDebug !== "undefined");
  }

  /** Whether the test hooks can break the worker. */
  async canBreakWorker() {
    return this.page.evaluate(() => typeof window.playgroundDebug?.sabotage === "function");
  }

  /** Sets the harness's flag that turns the test hooks on (from the next load). */
  async enableTestHooks() {
    await this.page.evaluate(() => localStorage.setItem("playground-debug", "1"));
  }

  // --- Chrome: nav, presenter, Embed, a new build -------------------------------------------

  /** Clicks a tab of the nav: "game", "photo", "playground" or "share". */
  async goToTab(name) {
    await this.root.getByTestId(`nav-${name}`).click();
  }

  /** Whether the site's header (and its nav) is on the page: an embed has none. */
  async hasSiteHeader() {
    return (await this.root.locator("header.top").count()) > 0;
  }

  async navBox() {
    return this.root.locator("nav.tabs").boundingBox();
  }

  /** On a phone, taps the "›" at the end of the row of tabs until no tab is hidden past it (at
   *  most `taps` times); how many taps that took. */
  async scrollTabsToEnd(taps = 6) {
    const more = this.root.getByTestId("tabs-more");
    for (let i = 0; i < taps; i++) {
      if ((await more.count()) === 0) return i;
      await more.click();
      await this.page.waitForTimeout(600); // the smooth scroll
    }
    throw new Error(`tabs still hidden after ${taps} taps`);
  }

  /** The box on screen of the tab with test id `testid` (e.g. "nav-share"). */
  async tabBox(testid) {
    return this.root.getByTestId(testid).boundingBox();
  }

  async togglePresenter() {
    await this.root.getByTestId("presenter").click();
  }

  /** Whether the page is laid out for a projector. */
  async inPresenterMode() {
    return this.page.evaluate(() => document.body.classList.contains("presenter"));
  }

  /** The presenter button's aria-pressed ("true" when on). */
  async presenterPressed() {
    return this.root.getByTestId("presenter").getAttribute("aria-pressed");
  }

  async presenterButtonColour() {
    return this.root.getByTestId("presenter").evaluate((e) => getComputedStyle(e).backgroundColor);
  }

  async presenterButtonShown() {
    return this.root.getByTestId("presenter").isVisible();
  }

  async openEmbedSnippets() {
    await this.root.getByTestId("embed-button").click();
  }

  async embedButtonBox() {
    return this.root.getByTestId("embed-button").boundingBox();
  }

  /** Whether snippet `i` (0: the script tag, 1: the iframe) is on screen. */
  async embedSnippetShown(i) {
    return this.root.getByTestId(`embed-snippet-${i}`).isVisible();
  }

  async embedSnippet(i) {
    return this.root.getByTestId(`embed-snippet-${i}`).inputValue();
  }

  /** Clicks Copy beside snippet `i` and waits until the page says it copied. */
  async copyEmbedSnippet(i) {
    await this.root.getByTestId(`embed-copy-${i}`).click();
    await this.root.getByText("Copied ✓").waitFor();
  }

  async clipboard() {
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  /** Whether the page offers a new build within `timeout`. */
  async newBuildOffered(timeout = 2_000) {
    return !!(await this.page.waitForSelector("[data-testid=update-ready]", { state: "attached", timeout }).catch(() => null));
  }

  async waitForNewBuildOffer(timeout = 5_000) {
    await this.root.getByTestId("update-ready").waitFor({ timeout });
  }

  /** Clicks "Reload" in the offer of a new build. */
  async reloadForNewBuild() {
    await this.root.getByTestId("update-ready").getByRole("button", { name: "Reload" }).click();
  }

  /** Waits until this build's service worker controls the page (after which it works offline). */
  async waitForServiceWorker() {
    await this.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
      }
    });
  }

  // --- The page as a whole ----------------------------------------------------------------

  /** The test id of the focused element (its tag name when it has none). */
  async focused() {
    return this.page.evaluate(() => document.activeElement?.dataset.testid ?? document.activeElement?.tagName);
  }

  /** Waits until the element with test id `testid` has the focus. */
  async waitForFocusOn(testid, timeout = 5_000) {
    await this.page.waitForFunction((id) => document.activeElement?.dataset.testid === id, testid, { timeout });
  }

  async scrollY() {
    return this.page.evaluate(() => window.scrollY);
  }

  /** How many px the page is wider than the viewport (≤ 0: nothing overflows). */
  async overflow() {
    return this.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  }

  /** The document's width in px. */
  async width() {
    return this.page.evaluate(() => document.documentElement.scrollWidth);
  }

  /** The viewport (vw, vh), the page's scrollWidth, and the box of each element of `testids`
   *  ({name: test id}) under its name: x, y, w, h, bottom, right (undefined if absent). */
  async measure(testids = {}) {
    return this.page.evaluate((testids) => {
      const out = { vw: innerWidth, vh: innerHeight, scrollWidth: document.scrollingElement.scrollWidth };
      for (const [name, id] of Object.entries(testids)) {
        const r = document.querySelector(`[data-testid=${id}]`)?.getBoundingClientRect();
        out[name] = r && { x: r.x, y: r.y, w: r.width, h: r.height, bottom: r.bottom, right: r.right };
      }
      return out;
    }, testids);
  }

  /** Every visible control (nav tabs and buttons) as [its text, its height in px]. */
  async controlHeights() {
    return this.page.evaluate(() =>
      [...document.querySelectorAll(".tabs a span, button")]
        .filter((e) => e.offsetParent !== null)
        .map((e) => [e.textContent.trim(), e.getBoundingClientRect().height]));
  }

  /** Saves tests/e2e/artifacts/NAME.png (the whole page unless `fullPage: false`). */
  async screenshot(name, { fullPage = true } = {}) {
    await this.page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
  }
}
