// node scripts/wasi_run.mjs PROGRAM.wasm [ARGS...]: runs a wasm32-wasip1 program (a test binary,
// op-profile) under Node's WASI, in the V8 that Chromium runs. The whole file system is opened
// to it (these are our own test and profiling binaries, reading the repository and ../shared),
// every environment variable is passed on, and its exit status is ours.
// scripts/test.sh sets it as cargo's runner: CARGO_TARGET_WASM32_WASIP1_RUNNER.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [program, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: [program, ...args],
  env: process.env,
  preopens: { '/': '/' },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
