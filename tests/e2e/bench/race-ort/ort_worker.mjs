// ONNX Runtime Web in a dedicated module worker, the way our app runs tract: the page never runs
// a model. Copied by race.js into <site>/bench-ort/ beside ORT's own files (same origin, no CDN).
// One worker = one ORT runtime: numThreads is fixed when ORT's wasm starts, so the race makes one
// worker per thread count. Messages: {id, cmd, ...args} → {id, ok, result | error}.
import * as ort from "./ort.wasm.min.mjs";

const here = new URL("./", import.meta.url).href;
const sessions = new Map();
const tensors = new Map();

async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function tensorOf(model, input) {
  const key = `${model}.${input}`;
  if (!tensors.has(key)) tensors.set(key, new Float32Array((await bytes(`${here}inputs/${key}.f32`)).buffer));
  return tensors.get(key);
}

function feeds(s, data) {
  const meta = s.inputMetadata?.[0];
  const shape = s.shape;
  return { [meta?.name ?? s.inputNames[0]]: new ort.Tensor("float32", data, shape) };
}

const argmax = (a) => a.reduce((best, v, i) => (v > a[best] ? i : best), 0);

const commands = {
  /** Sets ORT's wasm flags; must come before the first session. */
  async init({ threads }) {
    ort.env.wasm.wasmPaths = here;
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false; // we are already off the main thread
    return { crossOriginIsolated: self.crossOriginIsolated, version: ort.env.versions?.web ?? null };
  },
  /** Fetch + InferenceSession.create, timed apart. The first create also starts ORT's wasm. */
  async load({ model, shape }) {
    const t0 = performance.now();
    const onnx = await bytes(`${here}../models/${model}/model.onnx`);
    const t1 = performance.now();
    const session = await ort.InferenceSession.create(onnx, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
    const t2 = performance.now();
    const meta = session.inputMetadata?.[0];
    // Read the input's shape from the session; a symbolic dimension takes the registry's value.
    session.shape = (meta?.shape?.length ? meta.shape : shape).map((d, i) => (typeof d === "number" ? d : shape[i]));
    sessions.set(model, session);
    // ORT drops numThreads to 1 (with a console warning) where the page is not cross-origin isolated.
    return { fetch_ms: t1 - t0, create_ms: t2 - t1, input: meta ?? session.inputNames[0], shape: session.shape, threads: ort.env.wasm.numThreads };
  },
  /** `runs` timed inferences on a fixed tensor (inputs/<model>.<input>.f32). */
  async bench({ model, input = "real", runs }) {
    const s = sessions.get(model);
    const data = await tensorOf(model, input);
    const need = s.shape.reduce((a, b) => a * b, 1);
    if (data.length !== need) throw new Error(`${model}.${input}: ${data.length} values, the session wants ${need}`);
    const infer_ms = [];
    let out;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const result = await s.run(feeds(s, data));
      infer_ms.push(performance.now() - t);
      out = result[s.outputNames[0]].data;
    }
    return { infer_ms, top1: argmax(out), output_head: Array.from(out.slice(0, 5)) };
  },
  /** Cold start as a user sees it: load + first inference, then a second create (ORT's wasm
   *  already up) to split runtime start from model create. */
  async cold({ model, shape, threads }) {
    await commands.init({ threads });
    const input = tensorOf(model, "real"); // fetched alongside, as an app would have its input ready
    const load = await commands.load({ model, shape });
    await input;
    const first = await commands.bench({ model, runs: 1 });
    const onnx = await bytes(`${here}../models/${model}/model.onnx`);
    const t = performance.now();
    const again = await ort.InferenceSession.create(onnx, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
    const recreate_ms = performance.now() - t;
    await again.release();
    return { ...load, first_run_ms: first.infer_ms[0], top1: first.top1, recreate_ms };
  },
};

self.onmessage = async ({ data: { id, cmd, ...args } }) => {
  try {
    self.postMessage({ id, ok: true, result: await commands[cmd](args) });
  } catch (e) {
    self.postMessage({ id, ok: false, error: String(e?.stack ?? e) });
  }
};
