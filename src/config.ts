/**
 * All options, compiled once into one frozen object (CONVENTIONS 6): the only place that reads process.env.
 * Precedence: command-line flags > environment > defaults.
 */
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;

export interface Config {
  /** postgres://… for a PostgreSQL server; undefined means embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  serverUrl: string;
  port: number;
  host: string;
  workerId: string | undefined;
  concurrency: number;
  /** How long a claimed command stays leased without a heartbeat. */
  leaseMs: number;
  /** Poll interval of workers and the reaper; NOTIFY normally wakes workers sooner. */
  pollMs: number;
  /** How long a stopping worker lets running commands finish before releasing the rest. */
  shutdownGraceMs: number;
  pythonPath: string | undefined;
  secretKey: string | undefined;
  logLevel: string;
}

export interface ConfigFlags {
  db?: string;
  dataDir?: string;
  serverUrl?: string;
  port?: number | string;
  host?: string;
  id?: string;
  concurrency?: number | string;
}

/** A setting (flag or environment variable) with a value it cannot take: the CLI exits 2, a usage error. */
export class ConfigError extends Error {
  readonly code = "E_CONFIG";
}

function toInt(value: string | number | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`${name} must be a positive integer, got '${value}'`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: ConfigFlags = {}): Readonly<Config> {
  return Object.freeze({
    databaseUrl: flags.db ?? (env.NOETL_DATABASE_URL || undefined),
    dataDir: flags.dataDir ?? env.NOETL_DATA_DIR ?? ".noetl",
    serverUrl: (flags.serverUrl ?? env.NOETL_SERVER_URL ?? "http://localhost:8000").replace(/\/+$/, ""),
    port: toInt(flags.port ?? env.NOETL_PORT, 8000, "port"),
    host: flags.host ?? env.NOETL_HOST ?? "0.0.0.0",
    workerId: flags.id ?? (env.NOETL_WORKER_ID || undefined),
    concurrency: toInt(flags.concurrency ?? env.NOETL_WORKER_CONCURRENCY, 8, "concurrency"),
    leaseMs: toInt(env.NOETL_LEASE_MS, 30 * SECOND, "NOETL_LEASE_MS"),
    pollMs: toInt(env.NOETL_POLL_MS, 1 * SECOND, "NOETL_POLL_MS"),
    shutdownGraceMs: toInt(env.NOETL_SHUTDOWN_GRACE_MS, 30 * SECOND, "NOETL_SHUTDOWN_GRACE_MS"),
    pythonPath: env.NOETL_PYTHON || undefined,
    secretKey: env.NOETL_SECRET_KEY || undefined,
    logLevel: env.NOETL_LOG_LEVEL ?? "info",
  });
}
