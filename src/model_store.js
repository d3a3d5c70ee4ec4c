// Models a person chose to keep, in this browser only (IndexedDB); nothing is uploaded.
// A few lines of JS instead of web-sys bindings: IndexedDB's request/event API is verbose
// from Rust, and this is all the storage the playground needs (src/model_store.rs wraps it).
const DB = "playground-models";
const STORE = "models";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "name" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error("the browser refused to store it"));
    });
  } finally {
    db.close();
  }
}

/** Keeps `bytes` (Uint8Array) and the optional labels text under `name`, replacing any. */
export function saveModel(name, bytes, labels) {
  return run("readwrite", (s) => s.put({ name, bytes, labels: labels ?? null, size: bytes.length, saved: Date.now() }));
}

/** [{ name, size, saved }] for every kept model, newest first (no model bytes). */
export async function listModels() {
  const all = await run("readonly", (s) => s.getAll());
  return all.map(({ name, size, saved }) => ({ name, size, saved })).sort((a, b) => b.saved - a.saved);
}

/** { bytes: Uint8Array, labels: string | null }, or undefined. */
export function loadModel(name) {
  return run("readonly", (s) => s.get(name));
}

export function deleteModel(name) {
  return run("readwrite", (s) => s.delete(name));
}
