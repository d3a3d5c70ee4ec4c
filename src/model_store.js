// Models a person chose to keep, in this browser only (IndexedDB); nothing is uploaded.
// A few lines of JS instead of web-sys bindings: IndexedDB's request/event API is verbose
// from Rust, and this is all the storage the playground needs (src/model_store.rs wraps it).
//
// Two stores: "models" holds the bytes, "meta" the name, size and date, so that listing the
// kept models reads no model (a few hundred MB on a phone).
const DB = "playground-models";

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 2);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) db.createObjectStore("models", { keyPath: "name" });
      const meta = db.createObjectStore("meta", { keyPath: "name" });
      // Models kept by version 1 get their entry (their bytes are read this once).
      if (event.oldVersion >= 1) {
        request.transaction.objectStore("models").openCursor().onsuccess = (e) => {
          const cursor = e.target.result;
          if (!cursor) return;
          const { name, size, saved } = cursor.value;
          meta.put({ name, size, saved });
          cursor.continue();
        };
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(stores, mode, action) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(stores, mode);
      let result;
      Promise.resolve(action(tx, (value) => (result = value))).catch(reject);
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error("the browser refused to store it"));
    });
  } finally {
    db.close();
  }
}

const request = (r) => new Promise((resolve, reject) => {
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
});

/** Keeps `file` (a File or Blob: stored as is, never read here) and the optional labels
 *  text; resolves to the name it is kept under: `name`, or "name (2)"… when that name is
 *  taken (nothing kept is replaced). */
export function saveModel(name, file, labels) {
  return run(["models", "meta"], "readwrite", async (tx, done) => {
    const meta = tx.objectStore("meta");
    const taken = new Set(await request(meta.getAllKeys()));
    const dot = name.lastIndexOf(".");
    const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    let kept = name;
    for (let i = 2; taken.has(kept); i++) kept = `${stem} (${i})${ext}`;
    const entry = { name: kept, size: file.size, saved: Date.now() };
    meta.put(entry);
    tx.objectStore("models").put({ ...entry, file: new Blob([file]), labels: labels ?? null });
    done(kept);
  });
}

/** [{ name, size, saved }] for every kept model, newest first (no model bytes are read). */
export function listModels() {
  return run(["meta"], "readonly", async (tx, done) => {
    const all = await request(tx.objectStore("meta").getAll());
    done(all.sort((a, b) => b.saved - a.saved));
  });
}

/** { file: Blob, labels: string | null }, or undefined. */
export function loadModel(name) {
  return run(["models"], "readonly", async (tx, done) => {
    const kept = await request(tx.objectStore("models").get(name));
    // Models kept by version 1 hold their bytes (a Uint8Array) instead of a Blob.
    if (kept && !kept.file) kept.file = new Blob([kept.bytes]);
    done(kept);
  });
}

export function deleteModel(name) {
  return run(["models", "meta"], "readwrite", (tx) => {
    tx.objectStore("models").delete(name);
    tx.objectStore("meta").delete(name);
  });
}
