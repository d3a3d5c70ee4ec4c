// Service worker: after the first visit the page loads and predicts with no network.
// scripts/build.sh fills in VERSION (a hash of every file it built) and FILES (all of them),
// so each build gets its own cache and the previous one is deleted when the new one activates.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = `playground-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("playground-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Cache first for this origin's files (they are versioned by the cache name); pages fall back
// to the cached index.html. Nothing else is ever fetched: the app makes no third-party request.
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const hit = await cache.match(event.request, { ignoreSearch: true });
      if (hit) return hit;
      if (event.request.mode === "navigate") {
        const index = await cache.match("./index.html");
        if (index) return index;
      }
      return fetch(event.request);
    }),
  );
});
