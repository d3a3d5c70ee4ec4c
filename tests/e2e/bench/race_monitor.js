// Watches the CPU time used by processes that are not ours (race.js and its children: Chromium,
// the native benchmark) while the race runs. On a 2-core machine a cargo build next door skews
// every figure, so race.js reports how busy the rest of the machine was.
import fs from "node:fs";

const HZ = 100; // USER_HZ on Linux

function snapshot() {
  const procs = new Map();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const f = stat.slice(close + 2).split(" ");
      procs.set(Number(name), { comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {}
  }
  return procs;
}

function isOurs(pid, procs, root) {
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    if (p === root) return true;
    p = procs.get(p)?.ppid ?? 0;
  }
  return false;
}

/** Starts sampling; `stop()` returns {foreign_cpu: average cores used by others, top: [...]}. */
export function watchForeignCpu(intervalMs = 1000) {
  const root = process.pid;
  let last = snapshot(), lastAt = Date.now();
  let foreignTicks = 0, elapsed = 0;
  const byComm = new Map();
  const timer = setInterval(() => {
    const now = snapshot(), at = Date.now();
    for (const [pid, p] of now) {
      if (isOurs(pid, now, root)) continue;
      const d = p.ticks - (last.get(pid)?.ticks ?? p.ticks);
      if (d > 0) { foreignTicks += d; byComm.set(p.comm, (byComm.get(p.comm) ?? 0) + d); }
    }
    elapsed += (at - lastAt) / 1000;
    last = now; lastAt = at;
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    const top = [...byComm].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([comm, t]) => ({ comm, cpu_s: t / HZ }));
    return { seconds: elapsed, foreign_cores: elapsed ? foreignTicks / HZ / elapsed : 0, top };
  };
}
