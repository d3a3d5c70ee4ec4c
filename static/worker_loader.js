// Module worker entry: instantiate the worker's wasm; its `main` installs the message handler.
// `?build=onnx` (the playground) loads the build that also reads ONNX files; the demos' build
// runs the registry models as NNEF and is 0.4 MB gzip smaller.
const onnx = new URL(self.location.href).searchParams.get("build") === "onnx";
const { default: init } = await import(onnx ? "./worker_onnx.js" : "./worker.js");
await init();
