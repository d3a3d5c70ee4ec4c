// Module worker entry: instantiate the worker's wasm; its `main` installs the message handler.
import init from "./worker.js";
init();
