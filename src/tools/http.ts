/**
 * `http`: one request per call through a shared keep-alive undici Agent (opened lazily, closed by `close()`).
 * Response `{status, status_code, headers, data, url, elapsed_ms}`; a non-2xx status is a failed call.
 * undici itself is loaded by the first call (~100 ms of module loading that `noetl run` of a playbook
 * without http steps need not pay).
 */
import type { Agent, Dispatcher } from "undici";
import type { JsonObject } from "../dsl/types.ts";
import { failure, ToolAbortedError, ToolError, ToolTimeoutError } from "./errors.ts";
import { SECOND, secondsToMs } from "./fields.ts";
import { networkError, safeUrl, statusError } from "./http/failures.ts";
import { type HttpRequestPlan, planRequest, validateHttpConfig } from "./http/request.ts";
import { DEFAULT_MAX_RESPONSE_BYTES, decodeData, jsonHeaders, readBody } from "./http/response.ts";
import type { Tool, ToolContext, ToolOutcome } from "./types.ts";

export interface HttpToolOptions {
  /** Body size cap when the config has no `max_response_bytes` (default 10 MiB). */
  maxResponseBytes?: number;
  /** Timeout when the config has no `timeout` (default 30 s). */
  defaultTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this long (default 4 s, below common 5 s server timeouts). */
  keepAliveTimeoutMs?: number;
}

const MAX_REDIRECTIONS = 5;

let undici: Promise<typeof import("undici")> | undefined;
const loadUndici = () => (undici ??= import("undici"));

/** Stable across retries of the same call (no attempt number), distinct for every call of a step run. */
export function idempotencyKey(ctx: ToolContext): string {
  return `${ctx.execution_id}/${ctx.step_run_id}/${ctx.call_index}`;
}

export function createHttpTool(opts: HttpToolOptions = {}): Tool {
  const maxResponseBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const defaultTimeoutMs = opts.defaultTimeoutMs ?? 30 * SECOND;
  let agent: Agent | undefined;
  let following: Dispatcher | undefined;

  async function dispatcher(followRedirects: boolean): Promise<Dispatcher> {
    const { Agent, interceptors } = await loadUndici();
    agent ??= new Agent({ keepAliveTimeout: opts.keepAliveTimeoutMs ?? 4 * SECOND });
    if (!followRedirects) return agent;
    following ??= agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTIONS }));
    return following;
  }

  async function send(plan: HttpRequestPlan, config: JsonObject, ctx: ToolContext): Promise<ToolOutcome> {
    const timeoutMs = secondsToMs(config.timeout, defaultTimeoutMs);
    const limit =
      typeof config.max_response_bytes === "number" ? config.max_response_bytes : maxResponseBytes;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = (): void => controller.abort();
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    const started = performance.now();
    try {
      const { request } = await loadUndici();
      const res = await request(plan.url, {
        method: plan.method as Dispatcher.HttpMethod,
        headers: plan.headers,
        body: plan.body,
        signal: controller.signal,
        dispatcher: await dispatcher(config.follow_redirects === true),
      });
      const raw = await readBody(res.body, res.headers, limit, plan.url);
      const headers = jsonHeaders(res.headers);
      const data = decodeData(raw, res.headers);
      const elapsed_ms = Math.round((performance.now() - started) * 100) / 100;
      if (res.statusCode >= 200 && res.statusCode < 300) {
        const response = {
          status: res.statusCode,
          status_code: res.statusCode,
          headers,
          data,
          url: plan.url,
          elapsed_ms,
        };
        return { ok: true, response };
      }
      return failure(statusError(plan.method, plan.url, res.statusCode, data, headers));
    } catch (err) {
      if (timedOut) {
        const message = `${plan.method} ${safeUrl(plan.url)} timed out after ${timeoutMs / SECOND}s`;
        return failure(new ToolTimeoutError(message, { url: safeUrl(plan.url) }));
      }
      if (ctx.signal.aborted) return failure(new ToolAbortedError());
      if (err instanceof ToolError) return failure(err); // the size limit
      return failure(networkError(plan.method, plan.url, err));
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
    }
  }

  return {
    kind: "http",
    validate: validateHttpConfig,
    async execute(config: JsonObject, _args: JsonObject, ctx: ToolContext): Promise<ToolOutcome> {
      return send(planRequest(config, idempotencyKey(ctx)), config, ctx);
    },
    async close(): Promise<void> {
      const closing = agent;
      agent = undefined;
      following = undefined;
      await closing?.close();
    },
  };
}
