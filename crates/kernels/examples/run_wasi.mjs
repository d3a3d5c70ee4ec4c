// node run_wasi.mjs WASM [ARGS...]: runs a wasm32-wasip1 example under Node's WASI.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
const [wasmPath, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: ['bench', ...args], env: process.env });
const mod = await WebAssembly.compile(await readFile(wasmPath));
wasi.start(await WebAssembly.instantiate(mod, wasi.getImportObject()));
