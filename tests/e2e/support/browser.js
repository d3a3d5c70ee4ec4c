// Debian's Chromium through playwright-core, headless, with a fresh profile per context.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Chromium's fake camera (a moving 640×480 test pattern) instead of no camera at all. */
export const FAKE_CAMERA = { args: [...CHROMIUM_ARGS, "--use-fake-device-for-media-stream"] };

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

/** A persistent context on a new profile; `errors` collects console errors and page errors.
 *  `debugHooks: false` leaves out the page's test hooks (window.playgroundDebug), as a
 *  visitor's browser has them. */
export async function launch({ debugHooks = true, ...options } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "playground-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1200, height: 900 },
    ...options,
  });
  const errors = [];
  // Every Content-Security-Policy violation fails the test that caused it (see close()).
  const violations = [];
  await context.exposeBinding("__cspViolation", (_source, text) => violations.push(text));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__cspViolation?.(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} in ${e.documentURI}`));
  });
  if (debugHooks) {
    await context.addInitScript(() => {
      try {
        localStorage.setItem("playground-debug", "1");
      } catch {}
    });
  }
  const watch = (page) => {
    page.on("console", (m) => m.type() === "error" && errors.push(`console: ${m.text()}`));
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on("page", watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    errors,
    violations,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
      if (violations.length) throw new Error(`Content-Security-Policy violations:\n${violations.join("\n")}`);
    },
  };
}
