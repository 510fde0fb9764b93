/**
 * Structured logging (pino) to stderr, so stdout stays free for command output such as `noetl run --json`.
 */
import { pino } from "pino";

export type Logger = pino.Logger;

export function createLogger(opts: { level?: string; name?: string } = {}): Logger {
  return pino({ level: opts.level ?? "info", name: opts.name, base: undefined }, pino.destination(2));
}

/** A logger that drops everything: for tests and embedded runs that print their own progress. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
