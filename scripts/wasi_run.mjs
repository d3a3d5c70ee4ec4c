// node scripts/wasi_run.mjs PROGRAM.wasm [ARGS...]: runs a wasm32-wasip1 program (a test binary,
// op-profile) under Node's WASI, in the V8 that Chromium runs. The whole file system is opened
// to it (these are our own test and profiling binaries, reading the repository and ../shared),
// every environment variable is passed on, and its exit status is ours.
// scripts/test.sh sets it as cargo's runner: CARGO_TARGET_WASM32_WASIP1_RUNNER.
//
// Node 20's V8 often crashes as a large wasm program ends (SIGSEGV, or "Check failed:
// maybe_code.has_value()"), after it has printed everything: in 3 runs of 3 of core's model
// tests (all nine), and in 3 of 3 with --no-liftoff. So the program runs in a child process that reports the status
// it asks to exit with (`proc_exit`) on a pipe; that status is ours, whatever the child's
// teardown does. A child that ends without reporting (a trap, a crash while running) fails.
import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { WASI } from 'node:wasi';
import { fileURLToPath } from 'node:url';

const [program, ...args] = process.argv.slice(2);

if (process.env.WASI_RUN_CHILD) {
  const wasi = new WASI({
    version: 'preview1',
    args: [program, ...args],
    env: process.env,
    preopens: { '/': '/' },
    returnOnExit: true,
  });
  // The status is reported when the program asks to exit, before anything is torn down.
  const imports = wasi.getImportObject();
  const preview1 = imports.wasi_snapshot_preview1;
  const procExit = preview1.proc_exit;
  preview1.proc_exit = (status) => {
    writeSync(3, `${status}\n`);
    return procExit(status);
  };
  const module = await WebAssembly.compile(await readFile(program));
  const instance = await WebAssembly.instantiate(module, imports);
  const status = wasi.start(instance) ?? 0;
  writeSync(3, `${status}\n`);
  process.exit(status);
} else {
  // V8 also crashes now and then while such a program runs (a fatal error in its garbage
  // collector as the wasm memory grew, in 1 run of 6 of core's model tests): a child killed
  // by a signal before it reported is run again, up to ATTEMPTS times. A status, even a failing
  // one, is final.
  const ATTEMPTS = 4;
  const attempt = (n) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), program, ...args], {
      stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
      env: { ...process.env, WASI_RUN_CHILD: '1' },
    });
    let reported = '';
    child.stdio[3].on('data', (chunk) => (reported += chunk));
    child.on('close', (code, signal) => {
      const status = reported.match(/^(\d+)\n/);
      if (status) process.exit(Number(status[1]));
      console.error(`wasi_run: ${program} ended without an exit status (${signal ?? `status ${code}`})`);
      if (signal && n < ATTEMPTS) {
        console.error(`wasi_run: V8 crashed; running it again (attempt ${n + 1} of ${ATTEMPTS})`);
        attempt(n + 1);
      } else {
        process.exit(code || 1);
      }
    });
  };
  attempt(1);
}
