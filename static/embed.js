// One-line embed for a blog post (documented in the README):
//   <script src="https://HOST/PATH/embed.js" data-demo="sketch" async></script>
// Inserts an iframe of embed.html right after this script tag, and passes this page's origin
// so that the demo posts its predictions to this page and nowhere else. Options:
// data-demo (sketch | photo | game | write), data-theme (light | dark), data-height (CSS length).
(() => {
  const script = document.currentScript;
  if (!script) return;
  const { demo = "sketch", theme, height = "600px" } = script.dataset;
  const query = new URLSearchParams({ demo, origin: location.origin });
  if (theme) query.set("theme", theme);
  const frame = document.createElement("iframe");
  frame.src = new URL(`embed.html?${query}`, script.src).href;
  frame.title = `In-browser ${demo} demo`;
  if (demo === "photo") frame.allow = "camera"; // its webcam snapshot; no other demo asks for it
  frame.style.cssText = `display:block;width:100%;max-width:720px;height:${height};border:0;border-radius:12px`;
  script.after(frame);
})();
