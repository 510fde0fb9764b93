/**
 * API errors: typed, with stable codes, rendered as `{error: {code, message, details}}` (never a bare 500 for bad input).
 */
import type { FastifyError, FastifyInstance } from "fastify";
import { sqlState } from "../store/index.ts";

/**
 * SQLSTATEs PostgreSQL raises for text it cannot store: a NUL byte in text (22021) or \u0000 in jsonb
 * (22P05). They come from the client's input (ids, payloads), so they are a 400, not a 500.
 */
const UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

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

/** Maps every error fastify can raise (validation, body parsing, size limits, ours) to the JSON error body. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      return reply.status(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (UNSTORABLE_TEXT.has(sqlState(err) ?? "")) {
      const message = "the request contains a NUL (\\u0000) character, which cannot be stored";
      return reply.status(400).send(errorBody("E_BAD_REQUEST", message));
    }
    if (err.validation) {
      return reply.status(400).send(errorBody("E_BAD_REQUEST", err.message, err.validation));
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
