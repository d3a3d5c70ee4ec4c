// Service worker: after the first visit the page loads and predicts with no network, and a page
// that is open when a new build is deployed keeps running on the build it started with.
//
// - Each build has its own cache (VERSION), filled from the network past the HTTP cache and
//   checked file by file against the SHA-256 that scripts/precache.py wrote into FILES: a
//   stale or foreign response (a captive portal's HTML) fails the install, nothing is kept.
// - Every page and worker is served from the cache it started with: the cache each client
//   was loaded from is recorded (OWNERS), and a build's cache is deleted only when no open
//   client uses it. A reload gets the newest build; an open page is told one is ready.
// - Only the app's own pages fall back to the cache; any other URL in scope goes to the
//   network. Caches are named by scope, so two deployments on one origin never touch each
//   other's.
// - Some files are not precached but kept the first time a page fetches them (ON_DEMAND: the
//   models of the pages beyond the first demos), checked by hash the same way; a new build
//   takes them over from the old one when they did not change.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const ON_DEMAND = __ON_DEMAND__;
const SCOPE = self.registration.scope;
const PREFIX = `playground ${new URL(SCOPE).pathname} `;
const CACHE = PREFIX + VERSION;
const OWNERS = `playground-clients ${new URL(SCOPE).pathname}`;
const APP_PAGES = new Set(["./", "./index.html", "./embed.html"].map((p) => new URL(p, SCOPE).href));
const ON_DEMAND_HASH = new Map(Object.entries(ON_DEMAND).map(([p, hash]) => [new URL(p, SCOPE).href, hash]));

async function sha256(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Puts `response`'s bytes into `cache` under `url` if they are the build's file (`hash`). */
async function keep(cache, url, response, hash) {
  const bytes = await response.arrayBuffer();
  if (!response.ok || response.redirected || (await sha256(bytes)) !== hash) {
    throw new Error(`${url}: the server sent something else than this build's file (HTTP ${response.status})`);
  }
  // The host's headers stay (content type, frame-ancestors…), less the transfer's own.
  const headers = new Headers(response.headers);
  ["Content-Encoding", "Transfer-Encoding", "Vary"].forEach((h) => headers.delete(h));
  headers.set("Content-Length", `${bytes.byteLength}`);
  await cache.put(url, new Response(bytes, { headers }));
}

async function precache() {
  // Born before its first file: an older build's worker cleaning up meanwhile (cleanUp) takes a
  // cache with no birth for an old one and deleted this one mid-install, so the new build
  // activated on a cache nobody could open (and updates.spec's takeover test failed, now and then).
  const store = await caches.open(OWNERS);
  await store.put(bornKey(CACHE), new Response(`${Date.now()}`));
  const cache = await caches.open(CACHE);
  try {
    await Promise.all(Object.entries(FILES).map(async ([path, hash]) => {
      const url = new URL(path, SCOPE).href;
      await keep(cache, url, await fetch(url, { cache: "reload" }), hash);
    }));
  } catch (e) {
    await caches.delete(CACHE); // never half a build
    await store.delete(bornKey(CACHE));
    throw e;
  }
  // On-demand files an earlier build of this scope kept, if this build has the same bytes.
  for (const name of (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE)) {
    const old = await caches.open(name);
    for (const [url, hash] of ON_DEMAND_HASH) {
      const hit = await old.match(url);
      if (hit && !(await cache.match(url))) await keep(cache, url, hit, hash).catch(() => {});
    }
  }
}

// client id → the cache its page (or worker) was loaded from; in memory, and in a cache so
// that it outlives this worker being stopped while idle.
const owners = new Map();
const ownerKey = (id) => new URL(`./__client__/${encodeURIComponent(id)}`, SCOPE).href;

async function remember(id, cacheName) {
  if (!id) return;
  owners.set(id, cacheName);
  await (await caches.open(OWNERS)).put(ownerKey(id), new Response(cacheName));
}

async function cacheOf(id) {
  if (id && !owners.has(id)) {
    const stored = await (await caches.open(OWNERS)).match(ownerKey(id));
    if (stored) owners.set(id, await stored.text());
  }
  const name = owners.get(id);
  return name && (await caches.has(name)) ? name : CACHE;
}

let lastCleanUp = 0;

// When each build's install began, so that the worker of an older build, still serving its pages
// while a newer one installs, never deletes the newer one's cache.
const bornKey = (name) => new URL(`./__build__/${encodeURIComponent(name)}`, SCOPE).href;
async function bornAt(store, name) {
  const stored = await store.match(bornKey(name));
  return stored ? Number(await stored.text()) : 0;
}

// Deletes this scope's caches of builds older than this one that no open client uses.
async function cleanUp() {
  const open = new Set((await self.clients.matchAll({ includeUncontrolled: true, type: "all" })).map((c) => c.id));
  const store = await caches.open(OWNERS);
  const used = new Set([CACHE]);
  for (const key of await store.keys()) {
    if (key.url.includes("/__build__/")) continue;
    const id = decodeURIComponent(key.url.split("/").pop());
    if (open.has(id)) used.add(await (await store.match(key)).text());
    else {
      owners.delete(id);
      await store.delete(key);
    }
  }
  const mine = await bornAt(store, CACHE);
  for (const name of await caches.keys()) {
    const stale = name.startsWith(PREFIX) && !used.has(name) && (await bornAt(store, name)) <= mine;
    // Also the caches of builds before caches were named by scope ("playground-" + 16 hex).
    if (stale || /^playground-[0-9a-f]{16}$/.test(name)) {
      await caches.delete(name);
      await store.delete(bornKey(name));
    }
  }
}

self.addEventListener("install", (event) => {
  // Activating at once is safe: open pages keep their own build's cache (see cacheOf).
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    // Pages (and their workers) opened before this worker existed were loaded from the
    // network, i.e. from this build: they are recorded as such, then served from now on
    // (offline from the first visit). Clients an earlier build recorded keep theirs.
    const store = await caches.open(OWNERS);
    for (const client of await self.clients.matchAll({ includeUncontrolled: true, type: "all" })) {
      if (!(await store.match(ownerKey(client.id)))) await remember(client.id, CACHE);
    }
    await self.clients.claim();
    await cleanUp();
  })());
});

async function fromCache(event, cacheName, key) {
  const hit = await (await caches.open(cacheName)).match(key);
  if (!hit && cacheName === CACHE && ON_DEMAND_HASH.has(key)) {
    // Streamed to the page as it arrives (its progress bar moves), kept once all of it is checked.
    const response = await fetch(event.request);
    const copy = response.clone();
    event.waitUntil(caches.open(CACHE).then((cache) => keep(cache, key, copy, ON_DEMAND_HASH.get(key))).catch(() => {}));
    return response;
  }
  if (!hit) return fetch(event.request);
  // A new page, or a worker started by one, runs on the build it was served from.
  if (event.resultingClientId) event.waitUntil(remember(event.resultingClientId, cacheName));
  return hit;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  const url = new URL(request.url);
  if (request.mode === "navigate") {
    // The app's pages (whatever their query) from the newest build; other pages from the network.
    const page = url.origin + url.pathname;
    if (!APP_PAGES.has(page)) return;
    event.respondWith(fromCache(event, CACHE, page));
    // The page this one replaces (a reload onto the new build) and its workers are gone a
    // moment later: look for caches to drop then.
    event.waitUntil(new Promise((r) => setTimeout(r, 5000)).then(cleanUp));
    return;
  }
  // And now and then on other requests (a page closed without a successor).
  if (Date.now() - lastCleanUp > 5000) {
    lastCleanUp = Date.now();
    event.waitUntil(cleanUp());
  }
  // Everything else by its exact URL (the query included) in the asking client's build.
  event.respondWith(cacheOf(event.clientId).then((name) => fromCache(event, name, request.url)));
});
