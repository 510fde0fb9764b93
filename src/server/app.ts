/**
 * The HTTP API (fastify): every body validated, every error a JSON `{error: {code, message, details?}}`.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from "fastify";
import type { SecretKey } from "../credentials/index.ts";
import type { Logger } from "../logger.ts";
import type { Db } from "../store/index.ts";
import { formatSchemaErrors, installErrorHandler } from "./errors.ts";
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
    // No coercion: fastify's default turned `{"path": 5}` into the path "5" (a 404 instead of a 400 for the
    // wrong type). One Ajv instance validates every part of a request, so query numbers are converted by
    // numbersInQuery instead.
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false } },
    schemaErrorFormatter: formatSchemaErrors,
  });
  installErrorHandler(app);
  // Every body is JSON: without this, fastify parses text/plain into a string and the schema refuses it with a
  // 400 "body must be object", where the documented answer is a 415.
  app.removeContentTypeParser("text/plain");
  // Only routes with a querystring schema get the hook: the hot path (workers' POST /events) has none.
  app.addHook("onRoute", (route) => {
    if (route.schema?.querystring === undefined) return;
    const own = route.preValidation === undefined ? [] : [route.preValidation].flat();
    route.preValidation = [numbersInQuery, ...own];
  });
  eventRoutes(app, orchestrator);
  catalogRoutes(app, orchestrator);
  executionRoutes(app, orchestrator);
  healthRoutes(app, orchestrator);
  if (opts.credentialKey) credentialRoutes(app, { db: opts.db, key: opts.credentialKey });
  return { app, orchestrator };
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * A query string is all text: a property the route's querystring schema declares an integer or number is
 * converted when it is written as one (`?limit=10`), so the schema then checks it as a number. Anything else
 * stays text and the schema refuses it (`?limit=ten` is a 400).
 */
async function numbersInQuery(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema?.querystring as
    | { properties?: Record<string, { type?: unknown }> }
    | undefined;
  const query = request.query as Record<string, unknown>;
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const value = query[name];
    if ((property.type === "integer" || property.type === "number") && typeof value === "string") {
      if (NUMBER.test(value)) query[name] = Number(value);
    }
  }
}
