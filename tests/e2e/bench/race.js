// Speed race (npm run race): our tract worker vs ONNX Runtime Web (wasm backend, SIMD, 1 and 2
// threads) in the same headless Chromium session, plus the native tract ceiling. Prints
// figures, asserts nothing; writes tests/e2e/artifacts/race.json.
//
// - The built site (dist/, from scripts/build.sh) is copied to a temp dir at the start, so a
//   rebuild meanwhile does not change what is measured; ORT's files (from node_modules, no CDN)
//   and bench-ort/ (a worker, a client and a cold-start page) go beside it. A small node server
//   (race_server.js) serves it on 127.0.0.1 with COOP/COEP (cross-origin isolation, needed for
//   ORT's threads; RACE_ISOLATE=0 serves without them and skips the 2-thread runs).
// - Inputs: ours gets its real input (a house drawing's strokes; cat.png's bytes) and times bare
//   inference on the tensor its worker prepares. bench-native prepares the same tensor with the
//   same core crate (byte-identical to wasm32, see crates/core/tests/parity.rs) and dumps it, so
//   ORT is fed exactly the values ours runs on. ORT is also timed on two pseudo-random tensors
//   to show latency does not depend on values.
// - Latency: per model, BLOCKS blocks of N runs after a warm-up, contenders rotated in each
//   block (ours, ORT-1, ORT-2, then ORT-1, ORT-2, ours, ...) so drift hits all equally; each
//   runtime in its own dedicated worker, timed in the worker with performance.now.
// - Ours runs as the app serves it: under COOP/COEP the photo model's worker is the threaded build
//   (static/worker_loader.js), so "ours1" is the same page from a second server without those
//   headers (what a host without them, or an embed, gets: one thread), in the same session.
// - Cold start (fresh profile each run): ours = navigation → model-status ready (+ the first
//   inference); ORT = navigation → InferenceSession.create + first run done.
//
// Env: BLOCKS (10), SKETCH_RUNS (30), PHOTO_RUNS (5), LOAD_RUNS (3), RACE_ISOLATE (1),
// NATIVE_SECONDS (3), BENCH_NATIVE (path of the bench-native binary; built if missing),
// RACE_WAIT_QUIET (seconds to wait for other processes to go idle first; 0).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync, spawnSync } from "node:child_process";
import { launch } from "../support/browser.js";
import { REPO, DIST, ARTIFACTS, drawing } from "../support/env.js";
import { serveStatic } from "./race_server.js";
import { watchForeignCpu } from "./race_monitor.js";

const BLOCKS = Number(process.env.BLOCKS ?? 10);
const RUNS = { sketch: Number(process.env.SKETCH_RUNS ?? 30), photo: Number(process.env.PHOTO_RUNS ?? 5) };
const WARMUP = { sketch: 50, photo: 5 };
const LOAD_RUNS = Number(process.env.LOAD_RUNS ?? 3);
const ISOLATE = process.env.RACE_ISOLATE !== "0";
const NATIVE_SECONDS = process.env.NATIVE_SECONDS ?? "3";
const ORT_DIST = path.join(REPO, "tests/e2e/node_modules/onnxruntime-web/dist");
// What the wasm-only ESM build needs: the JS API, the emscripten glue, the SIMD(+threads) wasm.
const ORT_FILES = ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"];
const HOUSE = ["house", "6253539749789696"];
const CAT = path.join(REPO, "crates/core/tests/photos/cat.png");

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor(xs.length / 2)];
const pct = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const stats = (xs) => (xs?.length ? { median: median(xs), p90: pct(xs, 0.9), min: Math.min(...xs), n: xs.length } : null);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error("[race]", ...a);

function nativeBinary() {
  const bin = process.env.BENCH_NATIVE ?? path.join(REPO, "target/helper-bench/release/bench-native");
  if (fs.existsSync(bin)) return bin;
  log(`building ${bin} (cargo, release)…`);
  const r = spawnSync("cargo", ["build", "--release", "-p", "playground-cli", "--bin", "bench-native"], {
    cwd: REPO, stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, CARGO_TARGET_DIR: process.env.BENCH_NATIVE ? path.dirname(path.dirname(bin)) : path.join(REPO, "target/helper-bench") },
  });
  if (r.status !== 0 || !fs.existsSync(bin)) throw new Error(`could not build ${bin}`);
  return bin;
}

/** The site to serve: a private copy of dist/ plus bench-ort/ (ORT's files, our worker/page). */
function makeSite(tmp) {
  if (!fs.existsSync(path.join(DIST, "index.html"))) {
    log("dist/ is missing: running scripts/build.sh");
    const r = spawnSync(path.join(REPO, "scripts/build.sh"), { cwd: REPO, stdio: ["ignore", "inherit", "inherit"] });
    if (r.status !== 0) throw new Error("scripts/build.sh failed");
  }
  const site = path.join(tmp, "site");
  fs.cpSync(DIST, site, { recursive: true });
  // ORT runs the .onnx files; dist/ has the sketch page's (our worker runs them too) and NNEF archives of the others.
  for (const id of fs.readdirSync(path.join(REPO, "models"))) {
    const onnx = path.join(REPO, "models", id, "model.onnx");
    if (fs.existsSync(onnx) && fs.existsSync(path.join(site, "models", id))) fs.copyFileSync(onnx, path.join(site, "models", id, "model.onnx"));
  }
  const ort = path.join(site, "bench-ort");
  fs.mkdirSync(path.join(ort, "inputs"), { recursive: true });
  for (const f of ORT_FILES) fs.copyFileSync(path.join(ORT_DIST, f), path.join(ort, f));
  const own = path.join(REPO, "tests/e2e/bench/race-ort");
  for (const f of fs.readdirSync(own)) fs.copyFileSync(path.join(own, f), path.join(ort, f));
  return site;
}

/** Our input for a model: strokes for a 1-channel (sketch) model, cat.png's bytes for an image model. */
function oursInput(shape) {
  if (shape[1] === 1) {
    const d = drawing(...HOUSE).drawing;
    return { kind: "strokes", value: d.map(([xs, ys]) => xs.map((x, i) => [x, ys[i]])) };
  }
  return { kind: "photo", value: [...fs.readFileSync(CAT)] };
}

const hashOf = (model) => (model === "sketch" ? "" : `#/${model}`);

/** Records when the model status turns ready (page clock), so waiting costs nothing. */
const READY_PROBE = () => {
  const seen = () => document.querySelector("[data-testid=model-status][data-state=ready]");
  new MutationObserver((_, obs) => {
    if (window.__readyAt === undefined && seen()) { window.__readyAt = performance.now(); obs.disconnect(); }
  }).observe(document, { subtree: true, childList: true, attributes: true });
};

async function oursBenchmark(page, model, input, runs) {
  return page.evaluate(([m, kind, value, n]) =>
    window.playgroundDebug.benchmark(m, kind === "photo" ? new Uint8Array(value) : value, n),
  [model, input.kind, input.value, runs]);
}

async function coldOurs(url, model, input) {
  const b = await launch();
  try {
    await b.context.addInitScript(READY_PROBE);
    await b.page.goto(`${url}${hashOf(model)}`);
    const status = await b.page.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 90_000 });
    const page_ms = await b.page.evaluate(() => window.__readyAt ?? performance.now());
    const text = await status.textContent();
    const worker_ms = Number(text.match(/loaded in (\d+) ms/)?.[1] ?? NaN);
    const first = await oursBenchmark(b.page, model, input, 1);
    const isolated = await b.page.evaluate(() => self.crossOriginIsolated);
    return { page_ms, worker_ms, first_infer_ms: first.infer_ms[0], first_classify_ms: first.classify_ms[0], isolated, errors: [...b.errors] };
  } finally {
    await b.close();
  }
}

async function coldOrt(url, model, shape, threads) {
  const b = await launch();
  try {
    await b.page.goto(`${url}bench-ort/?model=${model}&threads=${threads}&shape=${shape.join(",")}`);
    await b.page.waitForSelector("body:not([data-state=loading])", { timeout: 90_000, state: "attached" });
    const r = await b.page.evaluate(() => window.__cold);
    if (r.error) throw new Error(`ORT cold start ${model}/${threads}: ${r.error}`);
    return { ...r, errors: [...b.errors] };
  } finally {
    await b.close();
  }
}

/** The interleaved race for one model in one page of the shared browser session. */
async function raceModel(context, url, plainUrl, model, shape, input, contenders, nativeTop1) {
  const open = async (at) => {
    const p = await context.newPage();
    await p.goto(`${at}${hashOf(model)}`);
    await p.waitForSelector("[data-testid=model-status][data-state=ready]", { timeout: 90_000 });
    return p;
  };
  const page = await open(url);
  const plainPage = contenders.includes("ours1") ? await open(plainUrl) : null;
  const runs = RUNS[model] ?? RUNS.photo;
  const warm = WARMUP[model] ?? WARMUP.photo;
  const ortThreads = contenders.filter((c) => c.startsWith("ort")).map((c) => Number(c.slice(3)));
  const setup = await page.evaluate(async ([m, shp, threads]) => {
    const { ortWorker } = await import("./bench-ort/ort_client.mjs");
    window.__race = {};
    const out = {};
    for (const t of threads) {
      const w = ortWorker();
      window.__race[`ort${t}`] = w;
      out[`ort${t}`] = { init: await w.call("init", { threads: t }), load: await w.call("load", { model: m, shape: shp }) };
    }
    return out;
  }, [model, shape, ortThreads]);
  const ort = (name, args) => page.evaluate(([n, a]) => window.__race[n].call("bench", a), [name, args]);
  const one = async (name, n, which = "real") => {
    if (name === "ours") return oursBenchmark(page, model, input, n);
    if (name === "ours1") return oursBenchmark(plainPage, model, input, n);
    return ort(name, { model, runs: n, input: which });
  };

  // Warm-up: tier-up of both wasm engines' hot code, allocator pools, ORT's thread pool.
  const top1 = {};
  const threads = {};
  for (const c of contenders) {
    const r = await one(c, warm);
    if (c.startsWith("ort")) top1[c] = r.top1;
    else threads[c] = r.threads;
    await sleep(100);
  }
  const result = Object.fromEntries(contenders.map((c) => [c, { infer_ms: [], block_medians: [] }]));
  result.ours.classify_ms = [];
  for (let b = 0; b < BLOCKS; b++) {
    const order = contenders.map((_, i) => contenders[(i + b) % contenders.length]);
    for (const c of order) {
      const r = await one(c, runs);
      result[c].infer_ms.push(...r.infer_ms);
      result[c].block_medians.push(median(r.infer_ms));
      if (c === "ours") result.ours.classify_ms.push(...r.classify_ms);
      await sleep(100); // lets ORT's pool threads stop spinning before the next contender runs
    }
    log(`${model} block ${b + 1}/${BLOCKS}: ${order.map((c) => `${c} ${result[c].block_medians.at(-1).toFixed(2)}`).join(", ")}`);
  }
  // Value check: ORT on the real tensor and on two pseudo-random ones, interleaved.
  const values = {};
  for (const c of contenders.filter((x) => x.startsWith("ort"))) {
    values[c] = { real: [], random: [], random2: [] };
    for (let round = 0; round < 3; round++) {
      for (const which of ["real", "random", "random2"]) values[c][which].push(...(await one(c, runs, which)).infer_ms);
      await sleep(100);
    }
  }
  await page.evaluate(() => Object.values(window.__race).forEach((w) => w.terminate()));
  await page.close();
  await plainPage?.close();
  for (const [c, t] of Object.entries(top1)) {
    if (nativeTop1 !== undefined && t !== nativeTop1) log(`WARNING ${model}: ${c} top-1 ${t} ≠ native tract top-1 ${nativeTop1}`);
  }
  return { runs_per_block: runs, warmup: warm, setup, top1, threads, native_top1: nativeTop1, values, ...result };
}

/** RACE_WAIT_QUIET=S: wait up to S seconds for the rest of the machine to go quiet (others
 *  using < 0.15 core over 10 s), e.g. while a build is running next door. */
async function waitQuiet() {
  const limit = Number(process.env.RACE_WAIT_QUIET ?? 0);
  const until = Date.now() + limit * 1000;
  let quiet = 0;
  while (Date.now() < until) {
    const stop = watchForeignCpu(1000);
    await sleep(10_000);
    const { foreign_cores } = stop();
    quiet = foreign_cores < 0.15 ? quiet + 1 : 0;
    if (quiet >= 3) return;
    log(`waiting for a quiet machine (others use ${foreign_cores.toFixed(2)} cores)…`);
  }
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "playground-race-"));
  const results = {
    date: new Date().toISOString(),
    cpu: `${os.cpus()[0].model} × ${os.cpus().length}`,
    cpu_flags: (fs.readFileSync("/proc/cpuinfo", "utf8").match(/^flags\s*:(.*)$/m)?.[1] ?? "").split(" ").filter((f) => ["avx", "avx2", "fma", "avx512f", "avx512vnni", "avx_vnni"].includes(f)),
    isolated: ISOLATE,
    ort_version: JSON.parse(fs.readFileSync(path.join(ORT_DIST, "../package.json"), "utf8")).version,
    ort_files: ORT_FILES.map((f) => ({ file: f, bytes: fs.statSync(path.join(ORT_DIST, f)).size })),
    config: { BLOCKS, RUNS, WARMUP, LOAD_RUNS },
    // 1-minute load average at start and end: on a 2-core box anything else running (a cargo
    // build) skews every figure, ours and ORT's alike but not evenly.
    loadavg_start: os.loadavg()[0],
    models: {},
  };
  let server, plainServer, stopWatch;
  try {
    const site = makeSite(tmp);
    // Which build of ours ran: dist/ changes under us when scripts/build.sh runs again.
    results.dist = {
      version: fs.readFileSync(path.join(site, "sw.js"), "utf8").match(/VERSION = "([^"]+)"/)?.[1] ?? null,
      worker_bg_wasm_bytes: fs.statSync(path.join(site, "worker_bg.wasm")).size,
      worker_sketch_bg_wasm_bytes: fs.statSync(path.join(site, "worker_sketch_bg.wasm")).size,
      worker_mt_bg_wasm_bytes: fs.statSync(path.join(site, "worker_mt_bg.wasm")).size,
      worker_bg_wasm_built: fs.statSync(path.join(DIST, "worker_bg.wasm")).mtime.toISOString(),
    };

    await waitQuiet();
    stopWatch = watchForeignCpu();
    // Native ceiling first (nothing else running); it also writes the tensors ORT is fed.
    const strokesFile = path.join(tmp, "house.strokes.json");
    fs.writeFileSync(strokesFile, JSON.stringify(oursInput([1, 1]).value));
    const bin = nativeBinary();
    log(`native: ${bin}`);
    const native = execFileSync(bin, ["--models", path.join(REPO, "models"), "--strokes", strokesFile, "--photo", CAT,
      "--dump", path.join(site, "bench-ort/inputs"), "--seconds", NATIVE_SECONDS], { encoding: "utf8", maxBuffer: 1 << 24 })
      .split("\n").filter(Boolean).map((l) => JSON.parse(l));
    results.native = native;
    const models = [...new Set(native.map((n) => n.model))]
      .filter((m) => fs.existsSync(path.join(REPO, "models", m, "model.onnx")));

    server = await serveStatic(site, { isolate: ISOLATE });
    log(`serving ${site} on ${server.url} (COOP/COEP ${ISOLATE ? "on" : "off"})`);
    plainServer = ISOLATE ? await serveStatic(site, { isolate: false }) : null;
    const contenders = ["ours", ...(ISOLATE ? ["ours1"] : []), "ort1", ...(ISOLATE ? ["ort2"] : [])];

    // Cold starts: fresh profile each run, ours and ORT alternating.
    for (const model of models) {
      const shape = native.find((n) => n.model === model).input_shape;
      const input = oursInput(shape);
      const orts = contenders.filter((c) => c.startsWith("ort"));
      const cold = { ours: [], ...Object.fromEntries(orts.map((c) => [c, []])) };
      for (let i = 0; i < LOAD_RUNS; i++) {
        cold.ours.push(await coldOurs(server.url, model, input));
        for (const c of orts) cold[c].push(await coldOrt(server.url, model, shape, Number(c.slice(3))));
      }
      log(`${model} cold: ours ${cold.ours.map((r) => r.page_ms.toFixed(0)).join("/")} ms; ` +
        orts.map((c) => `${c} ${cold[c].map((r) => r.page_ms.toFixed(0)).join("/")} ms`).join("; "));
      results.models[model] = { shape, cold };
    }

    // The race: one browser session for all models.
    const b = await launch();
    try {
      // The user agent is reduced (156.0.0.0); the browser's own version string is not.
      const cdp = await b.context.newCDPSession(b.page);
      results.chromium = (await cdp.send("Browser.getVersion")).product;
      await cdp.detach();
      for (const model of models) {
        const { shape } = results.models[model];
        const real = native.find((n) => n.model === model && n.input === "real");
        results.models[model].race = await raceModel(b.context, server.url, plainServer?.url, model, shape, oursInput(shape), contenders, real?.top1);
      }
      results.race_page_errors = [...b.errors];
    } finally {
      await b.close();
    }
    results.server_404s = [...new Set(server.missing)];
  } finally {
    if (stopWatch) results.other_processes = stopWatch();
    await server?.stop();
    await plainServer?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  fs.writeFileSync(path.join(ARTIFACTS, "race.json"), JSON.stringify(results, null, 2));
  report(results);
}

function report(r) {
  const f = (s, d = 2) => (s ? `${s.median.toFixed(d)} / ${s.p90.toFixed(d)}` : "—");
  const out = [];
  out.push(`\n## Speed race ${r.date.slice(0, 10)}: ours (tract 0.23, wasm32 + simd128) vs ONNX Runtime Web ${r.ort_version} (wasm, SIMD)\n`);
  out.push("Ours is the worker the app runs for each model's page: sketch and doodlenet on our plain-CNN runner (crates/core/src/cnn.rs), from the same .onnx files ORT runs; photo with tract, as the NNEF archive scripts/build.sh converts from its .onnx, on the threaded worker build where the page is cross-origin isolated (\"ours\"; \"ours, not isolated\" is the same page from a server without COOP/COEP, as a host without them or an embed gets it).\n");
  out.push(`Headless Chromium ${r.chromium}; CPU: ${r.cpu} (${r.cpu_flags.join(", ")}); COOP/COEP ${r.isolated ? "on (cross-origin isolated)" : "off"}; ${r.config.BLOCKS} interleaved blocks per model.\n`);
  const others = r.other_processes;
  out.push(`Other processes on the machine during the runs (native + browser): ${others.foreign_cores.toFixed(2)} cores on average over ${others.seconds.toFixed(0)} s${others.top.length ? ` (${others.top.map((t) => `${t.comm} ${t.cpu_s.toFixed(0)} s`).join(", ")})` : ""}; 1-min load average before the start ${r.loadavg_start.toFixed(2)}.\n`);
  if (others.foreign_cores > 0.1) out.push(`**Warning: the machine was not quiet (others used ${others.foreign_cores.toFixed(2)} of ${os.cpus().length} cores): figures are skewed.**\n`);
  out.push("Latency per inference, in the worker, median / p90 (ms):\n");
  const multi = r.isolated;
  // Ours as served (isolated: the photo model on the threaded worker) and, when isolated, ours
  // on one thread (the same page without COOP/COEP); the threads each ran on are in the cells.
  out.push(`| model | runs | ours | ${multi ? "ours, not isolated | " : ""}ORT 1 thread | ${multi ? "ORT 2 threads | " : ""}ours / ORT-1 | ${multi ? "ours / ORT-2 | " : ""}native tract (1 thread) | ours / native |`);
  out.push(`|---|---|---|${multi ? "---|" : ""}---|${multi ? "---|" : ""}---|${multi ? "---|" : ""}---|---|`);
  for (const [model, m] of Object.entries(r.models)) {
    const race = m.race;
    const ours = stats(race.ours.infer_ms), o1 = stats(race.ort1.infer_ms), o2 = multi ? stats(race.ort2.infer_ms) : null;
    const single = multi ? stats(race.ours1.infer_ms) : null;
    const nat = r.native.find((n) => n.model === model && n.input === "real") ?? r.native.find((n) => n.model === model);
    const ratio = (a, b) => (a && b ? `${(a.median / b.median).toFixed(2)}×` : "—");
    const on = (c) => (race.threads?.[c] > 1 ? ` (${race.threads[c]} threads)` : "");
    out.push(`| ${model} ${JSON.stringify(m.shape)} | ${r.config.BLOCKS}×${race.runs_per_block} | ${f(ours)}${on("ours")} | ${multi ? `${f(single)}${on("ours1")} | ` : ""}${f(o1)} | ${multi ? `${f(o2)} | ` : ""}${ratio(ours, o1)} | ${multi ? `${ratio(ours, o2)} | ` : ""}${nat.median_ms.toFixed(2)} / ${nat.p90_ms.toFixed(2)} | ${ratio(ours, { median: nat.median_ms })} |`);
  }
  out.push("\nCold start, fresh profile, median of runs (ms). Ours: navigation → model ready, + first inference; worker: model fetch + parse + optimize (tract's wasm already started). ORT: navigation → session created and first inference done; worker: model fetch, InferenceSession.create (the first create also starts ORT's wasm), create again with the runtime up.\n");
  out.push("| model | runtime | nav → ready | first inference | nav → first answer | worker: fetch | worker: create / load | create, runtime up |");
  out.push("|---|---|---|---|---|---|---|---|");
  const med = (xs) => median(xs.filter((x) => Number.isFinite(x)));
  for (const [model, m] of Object.entries(r.models)) {
    const o = m.cold.ours;
    out.push(`| ${model} | ours | ${med(o.map((x) => x.page_ms)).toFixed(0)} | ${med(o.map((x) => x.first_infer_ms)).toFixed(1)} | ${med(o.map((x) => x.page_ms + x.first_infer_ms)).toFixed(0)} | (in load) | ${med(o.map((x) => x.worker_ms)).toFixed(0)} | — |`);
    for (const c of Object.keys(m.cold).filter((k) => k !== "ours")) {
      const x = m.cold[c];
      out.push(`| ${model} | ORT ${c.slice(3)}t | ${med(x.map((y) => y.page_ms - y.first_run_ms)).toFixed(0)} | ${med(x.map((y) => y.first_run_ms)).toFixed(1)} | ${med(x.map((y) => y.page_ms)).toFixed(0)} | ${med(x.map((y) => y.fetch_ms)).toFixed(0)} | ${med(x.map((y) => y.create_ms)).toFixed(0)} | ${med(x.map((y) => y.recreate_ms)).toFixed(0)} |`);
    }
  }
  out.push("\nValue independence (ORT medians on the real tensor / random / random2, ms; native likewise):\n");
  for (const [model, m] of Object.entries(r.models)) {
    const parts = Object.entries(m.race.values).map(([c, v]) => `${c} ${median(v.real).toFixed(2)} / ${median(v.random).toFixed(2)} / ${median(v.random2).toFixed(2)}`);
    const nat = ["real", "random", "random2"].map((i) => r.native.find((n) => n.model === model && n.input === i)?.median_ms.toFixed(2) ?? "—");
    out.push(`- ${model}: ${parts.join("; ")}; native ${nat.join(" / ")}; top-1 on the real input: native ${m.race.native_top1}, ${Object.entries(m.race.top1).map(([c, t]) => `${c} ${t}`).join(", ")}`);
  }
  for (const [model, m] of Object.entries(r.models)) {
    const o = stats(m.race.ours.classify_ms);
    out.push(`- ours ${model}: whole classification (preprocess + inference + top-5) ${f(o)} ms; block medians ours ${m.race.ours.block_medians.map((x) => x.toFixed(2)).join(" ")}${m.race.ours1 ? `; ours, not isolated ${m.race.ours1.block_medians.map((x) => x.toFixed(2)).join(" ")}` : ""}; ORT-2 ${m.race.ort2?.block_medians.map((x) => x.toFixed(2)).join(" ") ?? "—"}; ORT-1 ${m.race.ort1.block_medians.map((x) => x.toFixed(2)).join(" ")}`);
  }
  const iso = Object.values(r.models).flatMap((m) => m.cold.ours.map((x) => x.isolated));
  const errs = [...Object.values(r.models).flatMap((m) => Object.values(m.cold).flat().flatMap((x) => x.errors)), ...(r.race_page_errors ?? [])];
  out.push(`\nOur page under COOP/COEP: crossOriginIsolated = ${[...new Set(iso)].join("/")}, model ready in every run; console/page errors: ${errs.length ? errs.join(" | ") : "none"}; 404s: ${r.server_404s?.length ? r.server_404s.join(", ") : "none"}.`);
  const threads = Object.values(r.models).flatMap((m) => Object.entries(m.race.setup).map(([c, x]) => `${c}: ${x.load.threads}`));
  out.push(`ORT numThreads in effect (after session create): ${[...new Set(threads)].join(", ")}.`);
  out.push(`ORT files served: ${r.ort_files.map((x) => `${x.file} ${(x.bytes / 1024).toFixed(0)} KiB`).join(", ")}; ours: worker_sketch_bg.wasm ${(r.dist.worker_sketch_bg_wasm_bytes / 1024).toFixed(0)} KiB (the sketch page's), worker_bg.wasm ${(r.dist.worker_bg_wasm_bytes / 1024).toFixed(0)} KiB (the photo page's, one thread), worker_mt_bg.wasm ${(r.dist.worker_mt_bg_wasm_bytes / 1024).toFixed(0)} KiB (the photo page's where it is cross-origin isolated) (dist build ${r.dist.version}, built ${r.dist.worker_bg_wasm_built}).`);
  console.log(`${out.join("\n")}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
