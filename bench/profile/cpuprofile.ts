/**
 * Summarises a V8 .cpuprofile (written by node --cpu-prof): self time by function and by origin (our
 * modules, each npm package, node internals, GC), and how busy the process was over the profile.
 */
import { readFile } from "node:fs/promises";
import type { JsonObject } from "../../src/dsl/types.ts";
import { round } from "../stats.ts";

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a function comes from: `noetl:<module>`, an npm package, `node`, or a V8 pseudo-frame. */
export function origin(url: string, name: string): string {
  if (url === "") return name.startsWith("(") ? name : "native";
  const ours = /\/src\/([^/]+)\//.exec(url);
  if (ours && !url.includes("node_modules")) return `noetl:${ours[1]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/g;
  let last: string | undefined;
  for (let m = pkg.exec(url); m; m = pkg.exec(url)) last = m[1];
  if (last !== undefined) return last;
  if (url.startsWith("node:")) return "node";
  return url;
}

function top(map: Map<string, number>, totalUs: number, limit: number): JsonObject {
  const out: JsonObject = {};
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    out[key] = { ms: round(us / 1000, 1), pct: round((100 * us) / totalUs, 1) };
  }
  return out;
}

/** Nodes under the profiler's own calls (cpu-window.ts, inspector posts): collecting is not the workload. */
function profilerFrames(nodes: readonly ProfileNode[]): Set<number> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Set<number>();
  const mark = (id: number) => {
    out.add(id);
    for (const child of byId.get(id)?.children ?? []) mark(child);
  };
  for (const n of nodes) {
    const { url, functionName } = n.callFrame;
    if (url.includes("cpu-window") || (url === "node:inspector" && functionName === "post")) mark(n.id);
  }
  return out;
}

export async function summariseProfile(file: string, limit = 20): Promise<JsonObject> {
  const profile = JSON.parse(await readFile(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const excluded = profilerFrames(profile.nodes);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (!excluded.has(id)) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    if (frame.functionName === "(idle)") {
      idle += us;
      continue;
    }
    const from = origin(frame.url, frame.functionName);
    const where =
      frame.url === ""
        ? ""
        : ` ${frame.url.replace(/^.*\/(node_modules|src)\//, "$1/")}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || "(anonymous)"}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byOrigin.set(from, (byOrigin.get(from) ?? 0) + us);
  }
  const busy = total - idle;
  return {
    wall_ms: round((profile.endTime - profile.startTime) / 1000),
    busy_ms: round(busy / 1000),
    busy_pct: round((100 * busy) / total, 1),
    by_origin: top(byOrigin, busy, 25),
    top_functions: top(byFunction, busy, limit),
  };
}
