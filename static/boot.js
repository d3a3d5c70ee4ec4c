// The app page's start (a file, not an inline script, so the Content-Security-Policy can
// forbid inline scripts).
import "./early_worker.js";
import init from "./app.js";

init().catch((e) => {
  document.body.textContent = "This browser could not start the app (WebAssembly with SIMD is required): " + e;
});

// Offline after the first visit: the service worker keeps this build's files (see sw.js).
// It is registered once a model is ready, so that on a slow first visit its precaching
// does not compete with the downloads the page is waiting for. A page without a model
// (the share view) registers it 10 s after load.
if ("serviceWorker" in navigator) {
  const register = async () => {
    try {
      const registration = await navigator.serviceWorker.register("./sw.js");
      // A meetup page stays open for hours: look for a new build now and then, and when the
      // page comes back to the foreground.
      setInterval(() => registration.update().catch(() => {}), 15 * 60 * 1000);
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "visible") registration.update().catch(() => {});
      });
    } catch {}
  };
  addEventListener("playground-model-ready", register, { once: true });
  addEventListener("load", () => setTimeout(() => {
    if (!document.querySelector("[data-testid=model-status]")) register();
  }, 10000));
  // A new build took over while this page is open. The page keeps running on its own build
  // (the service worker serves it from that build's cache); the new one is offered, never forced.
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", () => {
    if (hadController) offerReload();
  });
}

function offerReload() {
  if (document.querySelector("[data-testid=update-ready]")) return;
  const bar = document.createElement("div");
  bar.className = "update-ready";
  bar.setAttribute("role", "status");
  bar.dataset.testid = "update-ready";
  const text = document.createElement("span");
  text.textContent = "A new version is ready.";
  const reload = document.createElement("button");
  reload.textContent = "Reload";
  reload.addEventListener("click", () => location.reload());
  const later = document.createElement("button");
  later.textContent = "Later";
  later.className = "secondary";
  later.addEventListener("click", () => bar.remove());
  bar.append(text, reload, later);
  document.body.append(bar);
}
