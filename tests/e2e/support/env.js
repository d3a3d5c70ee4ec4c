// Where things are: the repository, the built site, the Quick Draw data (never committed;
// ../shared/data/quickdraw beside the clone, or QUICKDRAW_DATA), and the artifacts folder.
import path from "node:path";
import { fileURLToPath } from "node:url";
import fs from "node:fs";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DIST = path.join(REPO, "dist");
export const ARTIFACTS = path.join(REPO, "tests/e2e/artifacts");
export const QUICKDRAW = process.env.QUICKDRAW_DATA ?? path.resolve(REPO, "../shared/data/quickdraw");
fs.mkdirSync(ARTIFACTS, { recursive: true });

/** Real stroke drawings of one class from the exupery set (Google's raw format). */
export function drawingsOf(word) {
  const file = path.join(QUICKDRAW, "borismus__exupery", `${word}.ndjson`);
  if (!fs.existsSync(file)) throw new Error(`missing Quick Draw data: ${file} (set QUICKDRAW_DATA)`);
  return fs.readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

export function drawing(word, keyId) {
  const d = drawingsOf(word).find((x) => x.key_id === keyId);
  if (!d) throw new Error(`no ${word} drawing with key_id ${keyId}`);
  return d;
}
