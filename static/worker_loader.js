// Module worker entry: picks the worker build this browser runs fastest (relaxed SIMD fuses
// tract's multiply-adds; plain SIMD is the fallback) and instantiates it. Its `main` installs
// the message handler and says Ready, naming the features it was built with.
import "./wasm_features.js";

const build = self.workerBuild(new URL(self.location.href).searchParams.get("wasm"));
const { default: init } = await import(build === "relaxed-simd" ? "./worker_relaxed.js" : "./worker.js");
await init();
