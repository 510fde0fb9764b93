/** Results go to stdout, one JSON line per (workload, mode); progress goes to stderr. */
import type { JsonObject } from "../src/dsl/types.ts";

export function emit(line: JsonObject): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function progress(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
