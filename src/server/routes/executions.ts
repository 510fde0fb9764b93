/** Starting, listing, inspecting and cancelling executions. */
import type { FastifyInstance } from "fastify";
import type { ExecutionState } from "../../engine/index.ts";
import {
  type ExecutionStatus,
  executionStatus,
  getExecution,
  listEvents,
  listExecutions,
} from "../../store/index.ts";
import { listStepRuns } from "../../store/step-runs.ts";
import { badRequest, notFound } from "../errors.ts";
import type { ExecuteRequest, Orchestrator } from "../orchestrator.ts";

const STATUSES: ExecutionStatus[] = ["pending", "running", "completed", "failed", "cancelled"];

export function executionRoutes(app: FastifyInstance, orchestrator: Orchestrator): void {
  const db = orchestrator.db;

  app.post<{ Body: ExecuteRequest }>(
    "/api/v2/execute",
    {
      schema: {
        body: {
          type: "object",
          additionalProperties: false,
          properties: {
            path: { type: "string", minLength: 1 },
            version: { type: "integer", minimum: 1 },
            playbook_yaml: { type: "string", minLength: 1 },
            payload: { type: "object" },
            execution_id: { type: "string", minLength: 1, maxLength: 200 },
            parent_execution_id: { type: "string", minLength: 1, maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => reply.status(201).send(await orchestrator.execute(request.body)),
  );

  app.get<{
    Querystring: {
      status?: ExecutionStatus;
      playbook?: string;
      limit?: number;
      offset?: number;
      cursor?: string;
    };
  }>(
    "/api/v2/executions",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            status: { type: "string", enum: STATUSES },
            playbook: { type: "string" },
            limit: { type: "integer", minimum: 1, maximum: 1000 },
            offset: { type: "integer", minimum: 0 },
            cursor: { type: "string" },
          },
        },
      },
    },
    async (request) => {
      const { status, playbook, limit, offset, cursor } = request.query;
      const page = await listExecutions(db, {
        ...(status && { status }),
        ...(playbook && { playbook }),
        ...(limit && { limit }),
        ...(offset && { offset }),
        ...(cursor && { cursor }),
      });
      // A cursor is the id of the last execution of the previous page. An id that names no execution matches
      // no row, so only an empty page needs the check: garbage must not look like the end of the list.
      if (cursor && page.items.length === 0 && (await executionStatus(db, cursor)) === undefined) {
        throw badRequest(`invalid cursor '${cursor}': use the next_cursor of a previous page`);
      }
      return { items: page.items, next_cursor: page.nextCursor ?? null };
    },
  );

  app.get<{ Params: { id: string } }>("/api/v2/executions/:id", async (request) => {
    const row = await getExecution<ExecutionState>(db, request.params.id);
    if (!row) throw notFound(`no execution ${request.params.id}`);
    const {
      state: _checkpoint,
      state_event_id: _from,
      head_event_id: _head,
      journal_events: _n,
      ...rest
    } = row;
    const state = await orchestrator.currentState(row);
    // The row keeps the playbook's default workload; once started, show the one the execution runs with
    // (the payload merged over it), not a workload it never used.
    const workload = state?.workload ?? rest.workload;
    return { ...rest, workload, ctx: state?.ctx ?? {}, steps: await listStepRuns(db, row.id) };
  });

  app.get<{ Params: { id: string }; Querystring: { after?: number; limit?: number } }>(
    "/api/v2/executions/:id/events",
    {
      schema: {
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            after: { type: "integer", minimum: 0 },
            limit: { type: "integer", minimum: 1, maximum: 10000 },
          },
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await getExecution(db, id))) throw notFound(`no execution ${id}`);
      const { after, limit } = request.query;
      const items = await listEvents(db, id, {
        ...(after !== undefined && { afterId: after }),
        ...(limit && { limit }),
      });
      return { items };
    },
  );

  app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(
    "/api/v2/executions/:id/cancel",
    {
      schema: {
        // fastify validates a request without a body as null: `curl -X POST .../cancel` stays valid.
        body: {
          type: ["object", "null"],
          additionalProperties: false,
          properties: { reason: { type: "string" } },
        },
      },
    },
    async (request) => await orchestrator.cancel(request.params.id, request.body?.reason),
  );
}
