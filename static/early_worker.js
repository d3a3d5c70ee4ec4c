// Starts the inference worker at once, beside the app's own wasm instead of after it (on a slow
// connection that is several round trips sooner; locally, the app's wasm start). The app adopts
// this worker when it starts (src/client.rs, `WorkerClient::spawn`) and replays what it said in
// the meantime. Imported first by boot.js and embed_boot.js.
// Not on the playground, which starts the build that also reads ONNX: the same test as the
// app's `opened_on_playground` (src/inference.rs).
if (!location.hash.startsWith("#/playground")) {
  try {
    const worker = new Worker("./worker_loader.js", { type: "module" });
    const said = [];
    worker.onmessage = (event) => said.push(event);
    worker.onerror = (event) => {
      event.preventDefault();
      said.push(event);
    };
    globalThis.playgroundEarlyWorker = { worker, said };
  } catch {
    // The app starts its own.
  }
}
