/**
 * API errors: typed, with stable codes, rendered as `{error: {code, message, details?}}` (never a bare 500 for
 * bad input).
 */
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from "fastify";
import { connectionLost, sqlState } from "../store/index.ts";

/**
 * SQLSTATEs PostgreSQL raises for client input it cannot store: a NUL byte in text (22021), \u0000 in jsonb
 * (22P05), malformed text such as a lone UTF-16 surrogate in JSON (22P02), a number out of range for its
 * column (22003). They come from the request (ids, payloads, versions), so they are a 400, not a 500.
 */
const UNSTORABLE_INPUT = new Map([
  ["22021", "the request contains a NUL (\\u0000) character, which cannot be stored"],
  ["22P05", "the request contains a NUL (\\u0000) character, which cannot be stored"],
  ["22P02", "the request contains text that cannot be stored (e.g. a lone UTF-16 surrogate)"],
  ["22003", "a number in the request is out of range"],
]);

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, details?: unknown) =>
  new ApiError(400, "E_BAD_REQUEST", message, details);
export const notFound = (message: string) => new ApiError(404, "E_NOT_FOUND", message);
export const conflict = (code: string, message: string, details?: unknown) =>
  new ApiError(409, code, message, details);

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * Schema errors a client can act on. Ajv reports the branch it took through an `if`/`then`/`else` as one more
 * error ('must match "else" schema') that says nothing the branch's own errors do not; those are dropped.
 */
function usefulErrors(errors: readonly FastifySchemaValidationError[]): FastifySchemaValidationError[] {
  return errors.filter((e) => e.keyword !== "if");
}

/** One line per problem, naming the field: Ajv's own "must NOT have additional properties" does not. */
function describe(e: FastifySchemaValidationError, dataVar: string): string {
  const where = `${dataVar}${e.instancePath}`;
  switch (e.keyword) {
    case "additionalProperties":
      return `${where} has an unknown field '${String(e.params.additionalProperty)}'`;
    case "enum":
      return `${where} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return `${where} ${e.message ?? "is invalid"}`;
  }
}

/** fastify's `schemaErrorFormatter`: the 400's message, each problem once. */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const useful = usefulErrors(errors);
  const lines = [...new Set((useful.length > 0 ? useful : errors).map((e) => describe(e, dataVar)))];
  return new Error(lines.join(", "));
}

/**
 * Errors from below the API that still have a meaning for the client: input the database cannot store
 * (400), and a database connection that went away mid-request (503: nothing was wrong with the request,
 * and the same request may succeed in a moment; a worker's report is retried, an execute may be).
 */
export function knownError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const unstorable = UNSTORABLE_INPUT.get(sqlState(err) ?? "");
  if (unstorable !== undefined) return badRequest(unstorable);
  if (connectionLost(err)) {
    return new ApiError(503, "E_DATABASE_UNAVAILABLE", "the database connection was lost; retry the request");
  }
  return undefined;
}

/** Maps every error fastify can raise (validation, body parsing, size limits, ours) to the JSON error body. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const known = knownError(error);
    if (known !== undefined) {
      if (known.statusCode === 503) {
        request.log.warn({ err: error }, "database connection lost; answered 503");
        reply.header("retry-after", "1");
      }
      return reply.status(known.statusCode).send(errorBody(known.code, known.message, known.details));
    }
    const err = error as FastifyError; // every ApiError is a known one
    if (err.validation) {
      const useful = usefulErrors(err.validation);
      return reply
        .status(400)
        .send(errorBody("E_BAD_REQUEST", err.message, useful.length > 0 ? useful : err.validation));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // fastify's own client errors: malformed JSON (FST_ERR_CTP_INVALID_JSON_BODY), 413 body too large, 415, ...
      return reply.status(status).send(errorBody(err.code ?? "E_BAD_REQUEST", err.message));
    }
    request.log.error({ err }, "request failed");
    return reply.status(500).send(errorBody("E_INTERNAL", "internal error; see the server log"));
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody("E_NOT_FOUND", `no route ${request.method} ${request.url}`));
  });
}
