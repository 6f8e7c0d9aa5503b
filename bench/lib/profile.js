// Summaries of a V8 .cpuprofile (node --cpu-prof): self time by function and by area.
import { readFileSync } from "node:fs";
import { relative } from "node:path";

/** Where a frame's code lives, for the by-area table. */
function area(url, functionName, root) {
  if (!url) {
    if (functionName === "(garbage collector)") return "GC";
    if (functionName === "(idle)") return "idle (waiting for I/O)";
    if (functionName === "(program)") return "V8/native outside JS (program)";
    return `native: ${functionName || "(anonymous)"}`;
  }
  if (url.startsWith("node:")) {
    const m = /^node:(?:internal\/)?([^/]+(?:\/[^/]+)?)/.exec(url);
    return `node:${m ? m[1].replace(/\.js$/, "") : url}`;
  }
  const path = url.replace(/^file:\/\//, "");
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return `npm: ${nm[1]}`;
  const rel = relative(root, path);
  const d = /^dist\/(.+?)\/[^/]+$/.exec(rel) ?? /^dist\/([^/]+)\.js$/.exec(rel);
  return d ? `mfa-sts: ${d[1]}` : rel;
}

/** `path:line` of a frame, relative to the repository (npm packages from their node_modules). */
const whereOf = ({ url, lineNumber }, root) =>
  url ? `${relative(root, url.replace(/^file:\/\//, "")).replace(/^\.\.\/.*node_modules\//, "node_modules/")}:${lineNumber + 1}` : "";

/**
 * { totalMs, busyMs, functions, inclusive, areas } of one profile: self time by function (time in
 * the function's own code, not in what it calls) and by area, and the inclusive time of the
 * project's own functions; `pct` is of the whole profile, idle included.
 */
export function summarizeProfile(file, root, top = 20) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map();
  const areas = new Map();
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url } = byId.get(id).callFrame;
    const where = whereOf(byId.get(id).callFrame, root);
    const key = `${functionName}\0${where}`;
    const f = functions.get(key) ?? { name: functionName || "(anonymous)", where, us: 0 };
    f.us += us;
    functions.set(key, f);
    const a = area(url, functionName, root);
    areas.set(a, (areas.get(a) ?? 0) + us);
    total += us;
  }
  // Inclusive ("total") time of the project's own functions (dist/): a function and everything it
  // calls, counted once per sample even when it recurses.
  const inclusive = new Map();
  const children = new Map(profile.nodes.map((n) => [n.id, n.children ?? []]));
  const keyOf = (node) => {
    const { functionName, url } = node.callFrame;
    if (!url.includes("/dist/")) return undefined;
    return `${functionName || "(anonymous)"}\0${whereOf(node.callFrame, root)}`;
  };
  const walk = (id, onStack) => {
    const node = byId.get(id);
    const key = keyOf(node);
    const fresh = key !== undefined && !onStack.has(key);
    if (fresh) onStack.add(key);
    let sum = self.get(id) ?? 0;
    for (const child of children.get(id)) sum += walk(child, onStack);
    if (fresh) {
      inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
      onStack.delete(key);
    }
    return sum;
  };
  walk(profile.nodes[0].id, new Set());
  const busy = total - (areas.get("idle (waiting for I/O)") ?? 0);
  const pct = (us) => Math.round((1000 * us) / total) / 10;
  return {
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    functions: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, ms: Math.round(f.us / 1000), pct: pct(f.us) })),
    inclusive: [...inclusive.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => {
        const [name, where] = key.split("\0");
        return { name, where, ms: Math.round(us / 1000), pct: pct(us) };
      }),
    areas: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ area: name, ms: Math.round(us / 1000), pct: pct(us) })),
  };
}
