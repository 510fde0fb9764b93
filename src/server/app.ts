/**
 * The HTTP API (fastify): every body validated, every error a JSON `{error: {code, message, details}}`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import type { SecretKey } from "../credentials/index.ts";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/index.ts";
import { installErrorHandler } from "./errors.ts";
import { Orchestrator } from "./orchestrator.ts";
import { PlaybookCatalog } from "./playbooks.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { credentialRoutes } from "./routes/credentials.ts";
import { eventRoutes } from "./routes/events.ts";
import { executionRoutes } from "./routes/executions.ts";
import { healthRoutes } from "./routes/health.ts";

/** Request bodies carry step results; 16 MiB leaves room for large ones and refuses the absurd (413). */
export const DEFAULT_BODY_LIMIT = 16 * 1024 * 1024;

export interface ServerOptions {
  db: Db;
  log: Logger;
  bodyLimit?: number;
  /** Enables the credential API; without a key the server cannot store credentials. */
  credentialKey?: SecretKey;
}

export function buildServer(opts: ServerOptions): { app: FastifyInstance; orchestrator: Orchestrator } {
  const orchestrator = new Orchestrator(opts.db, new PlaybookCatalog(opts.db), opts.log);
  const app: FastifyInstance = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps fastify's instance type the default one.
    loggerInstance: opts.log as FastifyBaseLogger,
    // Per-request lines would double the log volume of the hot path (workers post one request per command).
    // fastify 5.12 deprecates the top-level `disableRequestLogging` (warning FSTDEP023) for this controller.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? DEFAULT_BODY_LIMIT,
    ajv: { customOptions: { allErrors: true, coerceTypes: "array", removeAdditional: false } },
  });
  installErrorHandler(app);
  eventRoutes(app, orchestrator);
  catalogRoutes(app, orchestrator);
  executionRoutes(app, orchestrator);
  healthRoutes(app, orchestrator);
  if (opts.credentialKey) credentialRoutes(app, { db: opts.db, key: opts.credentialKey });
  return { app, orchestrator };
}
