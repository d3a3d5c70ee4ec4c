// node run_wasi.mjs WASM MODEL [RUNS]: runs the op-profile wasm under Node's WASI.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import path from 'node:path';
const [wasmPath, model, runs = '500', ...rest] = process.argv.slice(2);
const dir = path.dirname(path.resolve(model));
const wasi = new WASI({ version: 'preview1', args: ['op-profile', '/m/' + path.basename(model), runs, ...rest], preopens: { '/m': dir }, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TRACT_'))) });
const mod = await WebAssembly.compile(await readFile(wasmPath));
const inst = await WebAssembly.instantiate(mod, wasi.getImportObject());
wasi.start(inst);
