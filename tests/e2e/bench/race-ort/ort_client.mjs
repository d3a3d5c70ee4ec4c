// Page side of ort_worker.mjs: a promise per request.
export function ortWorker() {
  const worker = new Worker(new URL("./ort_worker.mjs", import.meta.url), { type: "module" });
  const pending = new Map();
  let next = 0;
  worker.onmessage = ({ data }) => {
    const p = pending.get(data.id);
    pending.delete(data.id);
    data.ok ? p.resolve(data.result) : p.reject(new Error(data.error));
  };
  worker.onerror = (e) => {
    for (const p of pending.values()) p.reject(new Error(`ORT worker error: ${e.message}`));
    pending.clear();
  };
  return {
    worker,
    call(cmd, args = {}) {
      return new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, cmd, ...args });
      });
    },
    terminate: () => worker.terminate(),
  };
}
