// The playground as the specs drive it: open it, pick a person's model, load it.
import assert from "node:assert/strict";

/** Opens the playground at `url` and picks `file` (an .onnx path), which the page loads by
 *  itself once inspected; fails with the page's own message if it refuses the model. */
export async function loadPersonsModel(page, url, file) {
  await page.goto(`${url}#/playground`);
  await page.getByTestId("model-file").setInputFiles(file);
  await page.waitForSelector("[data-testid=playground]:not([data-phase=inspecting])", { timeout: 60_000 });
  const error = page.getByTestId("playground-error");
  if (await error.count()) assert.fail(await error.textContent());
  await page.waitForSelector("[data-testid=playground][data-phase=ready]", { timeout: 60_000 });
}
