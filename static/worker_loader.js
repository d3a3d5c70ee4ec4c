// Module worker entry: instantiate the worker's wasm; its `main` installs the message handler.
// `?build=` names the build (src/client.rs `Build`): `sketch`, the sketch page's models only
// (no tract: a quarter of the bytes, what a first visit waits for); `onnx`, the playground's,
// which also reads ONNX files; anything else, the demos' build (every registry model).
const build = new URL(self.location.href).searchParams.get("build");
// The sketch build serves the sketch page and the game, whose first model is ours: its files
// (registry `labels_path` and `served_path`) are fetched now, beside the wasm, instead of after
// it; the worker takes these requests instead of making its own (runtime.rs `request`).
const first = { sketch: ["models/sketch/labels.txt", "models/sketch/model.onnx"] }[build] ?? [];
self.playgroundPrefetched = new Map(first.map((path) => [path, fetch(path)]));
// A request nobody takes (a worker replaced at once) must not fail loudly.
for (const started of self.playgroundPrefetched.values()) started.catch(() => {});
const name = { sketch: "worker_sketch", onnx: "worker_onnx" }[build] ?? "worker";
// The demos' build also comes with threads (`worker_mt`: tract's matrix products on a pool of
// web workers sharing its memory), which only a cross-origin isolated page may run; everywhere
// else (an embed in another site's iframe, a host without COOP/COEP) the one-thread build runs,
// and so it does if the threaded one fails to load; if only its pool fails, it runs on one thread.
// Not the denoiser's partner (`?role=partner`, cleaning.rs): it exists to put a second core to
// work, and a pool of its own would only fight the main worker's for the same cores.
const threads = Math.min(4, navigator.hardwareConcurrency || 1);
const partner = new URL(self.location.href).searchParams.get("role") === "partner";
const threaded = name === "worker" && !partner && self.crossOriginIsolated && threads > 1;
async function start(name) {
  // The wasm downloads beside its glue instead of after it (one round trip sooner).
  const wasm = fetch(`./${name}_bg.wasm`);
  const glue = await import(`./${name}.js`);
  await glue.default({ module_or_path: wasm });
  return glue;
}
let glue = null;
if (threaded) {
  try {
    glue = await start("worker_mt");
  } catch (error) {
    console.warn(`no threads (${error}): the one-thread build runs`);
  }
}
if (!glue) {
  await start(name);
} else {
  // Requests that come in meanwhile run on one thread: the build is the same code.
  try {
    await glue.initThreadPool(threads);
    glue.useThreadPool();
  } catch (error) {
    console.warn(`no thread pool (${error}): one thread`);
  }
}
