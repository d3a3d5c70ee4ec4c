// Feature detection shared by worker_loader.js (imported as a module) and sw.js (importScripts),
// so both pick the same worker build. A classic script on purpose: no import or export.
// The probe is a one-function module using i8x16.relaxed_swizzle (the wasm-feature-detect probe).
self.relaxedSimdSupported = () =>
  WebAssembly.validate(new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0,
    65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11,
  ]));

// Which worker build to run: `forced` ("relaxed-simd" or "simd128", from the page's ?wasm=)
// wins; otherwise relaxed SIMD where the browser validates it.
self.workerBuild = (forced) =>
  forced === "relaxed-simd" || forced === "simd128" ? forced : self.relaxedSimdSupported() ? "relaxed-simd" : "simd128";
