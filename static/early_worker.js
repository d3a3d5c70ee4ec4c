// Starts the inference worker at once, beside the app's own wasm instead of after it (on a slow
// connection that is several round trips sooner; locally, the app's wasm start). The app adopts
// this worker when it starts (src/client.rs, `WorkerClient::spawn`) and replays what it said in
// the meantime. index.html and embed.html load it as an async module, so it runs as soon as it is
// in; boot.js and embed_boot.js import it first, so it has run before the app starts.
// The page it opens on decides the build (src/client.rs `Build`), here only: the app starts with
// the build this worker is of, and replaces it when a model needs a bigger one.
const embedded = new URLSearchParams(location.search).get("demo");
const page = embedded ?? location.hash.replace(/^#\/?/, "").split(/[/?]/)[0];
// The sketch page ("" or "sketch" when embedded) and the game run plain CNNs only.
const build = page === "playground" ? "onnx" : ["", "sketch", "game"].includes(page) ? "sketch" : "demos";
try {
  const worker = new Worker(`./worker_loader.js?build=${build}`, { type: "module" });
  const said = [];
  worker.onmessage = (event) => said.push(event);
  worker.onerror = (event) => {
    event.preventDefault();
    said.push(event);
  };
  globalThis.playgroundEarlyWorker = { worker, said, build };
} catch {
  // The app starts its own.
}
