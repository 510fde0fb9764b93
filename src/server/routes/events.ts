/** The original design's event API: register a playbook (optionally for an execution id) and post events. */
import type { FastifyInstance } from "fastify";
import { badRequest, knownError } from "../errors.ts";
import type { EventAck, IncomingEvent, Orchestrator, PushOffer } from "../orchestrator.ts";
import type { ReportOutcome } from "../report-batcher.ts";

const EVENT_NAMES = ["workflow.start", "step.enter", "call.done", "step.exit", "workflow.cancel"];

const eventSchema = {
  type: "object",
  required: ["execution_id", "name"],
  additionalProperties: false,
  properties: {
    execution_id: { type: "string", minLength: 1, maxLength: 200 },
    name: { type: "string", enum: EVENT_NAMES },
    payload: { type: "object" },
    step: { type: "string" },
    step_run_id: { type: "string" },
    command_id: { type: "string" },
    attempt: { type: "integer", minimum: 1 },
    worker_id: { type: "string" },
    lease_token: { type: "string" },
    idempotency_key: { type: "string", maxLength: 500 },
  },
  // A start's `payload.payload` is merged over the workload, as /execute's `payload` is: a list or a string
  // was accepted and silently ignored.
  if: { type: "object", required: ["name"], properties: { name: { const: "workflow.start" } } },
  // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword
  then: {
    type: "object",
    properties: { payload: { type: "object", properties: { payload: { type: "object" } } } },
  },
} as const;

const batchSchema = {
  type: "object",
  required: ["events"],
  additionalProperties: false,
  properties: {
    events: { type: "array", minItems: 1, maxItems: 1000, items: eventSchema },
    // Slots the posting worker offers for the commands these reports make runnable.
    offer: {
      type: "object",
      required: ["worker_id", "slots", "lease_ms"],
      additionalProperties: false,
      properties: {
        worker_id: { type: "string", minLength: 1, maxLength: 200 },
        slots: { type: "integer", minimum: 1, maximum: 1000 },
        lease_ms: { type: "integer", minimum: 1000, maximum: 86_400_000 },
      },
    },
  },
} as const;

export function eventRoutes(app: FastifyInstance, orchestrator: Orchestrator): void {
  app.post<{ Body: { playbook_yaml: string; execution_id?: string } }>(
    "/api/v2/playbooks/register",
    {
      schema: {
        body: {
          type: "object",
          required: ["playbook_yaml"],
          additionalProperties: false,
          properties: {
            playbook_yaml: { type: "string", minLength: 1 },
            execution_id: { type: "string", minLength: 1, maxLength: 200 },
          },
        },
      },
    },
    async (request) => {
      const loaded = await orchestrator.catalog.register(request.body.playbook_yaml);
      const { execution_id } = request.body;
      if (execution_id !== undefined) await orchestrator.prepare(execution_id, loaded);
      return {
        path: loaded.path,
        version: loaded.version,
        ...(execution_id === undefined ? {} : { execution_id }),
      };
    },
  );

  app.post<{
    Body: IncomingEvent | { events: IncomingEvent[]; offer?: Omit<PushOffer, "pushed"> };
  }>(
    "/api/v2/events",
    {
      schema: {
        // A body with `events` is a batch, any other one event. Not a `oneOf`: its errors were those of every
        // branch ("must NOT have additional properties" four times), whichever the client meant.
        body: {
          type: "object",
          if: { type: "object", required: ["events"] },
          // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword
          then: batchSchema,
          else: eventSchema,
        },
      },
    },
    async (request) => {
      const body = request.body;
      if ("events" in body) {
        // Commands are pushed to the offering worker on the strength of its reports: another worker's id
        // would lease them to a worker that is not waiting for them (they would sit until the lease expired).
        const foreign = body.events.find(
          (e) => e.worker_id !== undefined && e.worker_id !== body.offer?.worker_id,
        );
        if (body.offer && foreign) {
          throw badRequest(
            `offer.worker_id '${body.offer.worker_id}' is not the worker of these reports ('${foreign.worker_id}')`,
          );
        }
        const offer: PushOffer | undefined = body.offer && { ...body.offer, pushed: [] };
        const outcomes = await orchestrator.acceptEach(body.events, offer);
        for (const o of outcomes) {
          if ("error" in o && knownError(o.error) === undefined)
            request.log.error({ err: o.error }, "event group failed");
        }
        // One group: its refusal is the answer's status (409 for a lost lease, ...). Several: each group is
        // answered on its own inside a 200, a refused one as {status: "refused", error}.
        if (outcomes.length === 1 && "error" in outcomes[0]!) throw outcomes[0].error;
        return { acks: outcomes.map(ackOrRefusal), ...(offer && { commands: offer.pushed }) };
      }
      const [ack] = await orchestrator.accept([body]);
      return ack;
    },
  );
}

function ackOrRefusal(outcome: ReportOutcome): EventAck | RefusedAck {
  if ("ack" in outcome) return outcome.ack;
  const err = knownError(outcome.error);
  const httpStatus = err?.statusCode ?? 500;
  const code = err?.code ?? "E_INTERNAL";
  const message = err?.message ?? "internal error; see the server log";
  const details = err?.details as { command_id?: string } | undefined;
  return {
    status: "refused",
    ...(details?.command_id !== undefined && { command_id: details.command_id }),
    error: { code, message, http_status: httpStatus },
  };
}

/** A group of a multi-group batch that was not applied. */
export interface RefusedAck {
  status: "refused";
  command_id?: string;
  error: { code: string; message: string; http_status: number };
}
