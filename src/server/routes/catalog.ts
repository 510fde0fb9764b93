/** The playbook catalog: every registered version of every path. */
import type { FastifyInstance } from "fastify";
import { getPlaybook, listPlaybooks, listPlaybookVersions } from "../../store/index.ts";
import { notFound } from "../errors.ts";
import type { Orchestrator } from "../orchestrator.ts";

export function catalogRoutes(app: FastifyInstance, orchestrator: Orchestrator): void {
  app.post<{ Body: { playbook_yaml: string } }>(
    "/api/v2/catalog/register",
    {
      schema: {
        body: {
          type: "object",
          required: ["playbook_yaml"],
          additionalProperties: false,
          properties: { playbook_yaml: { type: "string", minLength: 1 } },
        },
      },
    },
    async (request, reply) => {
      const loaded = await orchestrator.catalog.register(request.body.playbook_yaml);
      return reply.status(loaded.created ? 201 : 200).send({ path: loaded.path, version: loaded.version });
    },
  );

  app.get("/api/v2/catalog", async () => ({ items: await listPlaybooks(orchestrator.db) }));

  // Paths contain slashes (examples/weather_report), hence the wildcard.
  app.get<{ Params: { "*": string }; Querystring: { version?: number } }>(
    "/api/v2/catalog/*",
    { schema: { querystring: { type: "object", properties: { version: { type: "integer", minimum: 1 } } } } },
    async (request) => {
      const path = request.params["*"];
      const { version } = request.query;
      const row = await getPlaybook(orchestrator.db, path, version);
      const versions = await listPlaybookVersions(orchestrator.db, path);
      if (!row) {
        // The path may well exist: say which of the two is missing (as /execute does for a version).
        throw notFound(
          version === undefined || versions.length === 0
            ? `no playbook registered at '${path}'`
            : `no version ${version} of '${path}'`,
        );
      }
      return {
        path: row.path,
        version: row.version,
        registered_at: row.registered_at,
        yaml: row.yaml,
        versions,
      };
    },
  );
}
