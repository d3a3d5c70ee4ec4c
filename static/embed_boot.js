// The embedded demo's start (a file, not an inline script, for the Content-Security-Policy).
// No service worker here: a blog's readers should not get the whole build cached.
import "./early_worker.js";
import init from "./app.js";

init().catch((e) => {
  document.body.textContent = "This browser could not start the demo (WebAssembly with SIMD is required): " + e;
});
