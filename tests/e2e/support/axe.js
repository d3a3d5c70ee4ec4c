// axe-core (npm, MPL-2.0) run inside a page: its violations, one line each.
import fs from "node:fs";
import path from "node:path";
import { REPO } from "./env.js";

const AXE = fs.readFileSync(path.join(REPO, "tests/e2e/node_modules/axe-core/axe.min.js"), "utf8");

/** Every axe violation on the page as "rule (impact): selector — message". Injected by
 *  evaluation, which the page's Content-Security-Policy does not block (a <script> would be). */
export async function axeViolations(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ["violations"] });
    return violations.flatMap((v) =>
      v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} — ${n.failureSummary.replace(/\s+/g, " ")}`));
  });
}
