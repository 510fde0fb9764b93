/**
 * Credentials: store (encrypted with the server's key), list, show, delete. No route ever returns a value:
 * only names, types and timestamps leave the server.
 */
import type { FastifyInstance } from "fastify";
import {
  CredentialError,
  credentialSummary,
  deleteCredential,
  listCredentials,
  type SecretKey,
  storeCredential,
} from "../../credentials/index.ts";
import type { Db } from "../../store/index.ts";
import { ApiError, notFound } from "../errors.ts";

export interface CredentialRouteOptions {
  db: Db;
  /** The key new credentials are encrypted with; workers must hold the same key to use them. */
  key: SecretKey;
}

const NAME_PARAM = { type: "object", properties: { name: { type: "string", minLength: 1 } } } as const;

export function credentialRoutes(app: FastifyInstance, opts: CredentialRouteOptions): void {
  const { db, key } = opts;

  app.post<{ Body: { name: string; type: string; data: object } }>(
    "/api/v2/credentials",
    {
      schema: {
        body: {
          type: "object",
          required: ["name", "type", "data"],
          properties: { name: { type: "string" }, type: { type: "string" }, data: { type: "object" } },
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      try {
        const { created, credential } = await storeCredential(db, key, request.body);
        return reply.status(created ? 201 : 200).send(credential);
      } catch (err) {
        if (err instanceof CredentialError && err.code === "E_CREDENTIAL_INVALID") {
          throw new ApiError(400, err.code, err.message);
        }
        throw err;
      }
    },
  );

  app.get("/api/v2/credentials", async () => ({ items: await listCredentials(db) }));

  app.get<{ Params: { name: string } }>(
    "/api/v2/credentials/:name",
    { schema: { params: NAME_PARAM } },
    async (request) => {
      const credential = await credentialSummary(db, request.params.name);
      if (credential === undefined) throw notFound(`no credential named '${request.params.name}'`);
      return credential;
    },
  );

  app.delete<{ Params: { name: string } }>(
    "/api/v2/credentials/:name",
    { schema: { params: NAME_PARAM } },
    async (request) => {
      if (!(await deleteCredential(db, request.params.name))) {
        throw notFound(`no credential named '${request.params.name}'`);
      }
      return { name: request.params.name, deleted: true };
    },
  );
}
