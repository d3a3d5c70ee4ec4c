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
// The wasm downloads beside its glue instead of after it (one round trip sooner).
const wasm = fetch(`./${name}_bg.wasm`);
const { default: init } = await import(`./${name}.js`);
await init({ module_or_path: wasm });
