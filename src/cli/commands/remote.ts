/** Commands that talk to a running server: register, execute, status, events, cancel. */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadConfig } from "../../config.ts";
import { formatIssue, type ValidationIssue } from "../../dsl/index.ts";
import { ApiClient, ApiRequestError } from "../client.ts";
import { collect, parsePayload, UsageError } from "../payload.ts";

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

function clientFor(flags: { serverUrl?: string }): ApiClient {
  return new ApiClient(loadConfig(process.env, flags).serverUrl);
}

/**
 * Shows a refused request the way the user can act on it: playbook issues one per line, prefixed with
 * the file they are in when there is one (`file:line:col path: message`, like `noetl validate`).
 */
async function reportErrors(action: () => Promise<void>, file?: string): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof ApiRequestError)) throw err;
    const issues = (err.details as { issues?: ValidationIssue[] } | undefined)?.issues;
    // The message of an invalid playbook lists its issues too: they are printed once, below, with the file.
    const message = issues ? err.message.split("\n")[0] : err.message;
    process.stderr.write(`error: ${message} (${err.status} ${err.code})\n`);
    if (issues) process.stderr.write(`${issues.map((i) => formatIssue({ ...i, file })).join("\n")}\n`);
    process.exitCode = 1;
  }
}

function catalogVersion(text: string): number {
  const version = Number(text);
  if (!Number.isInteger(version) || version < 1) {
    throw new UsageError(`--version must be a catalog version (1, 2, ...), got '${text}'`);
  }
  return version;
}

export function registerRemote(program: Command): void {
  const serverUrl = [
    "--server-url <url>",
    "server (default http://localhost:8000, or NOETL_SERVER_URL)",
  ] as const;

  program
    .command("register")
    .description("register a playbook in the server's catalog (a new version per registration)")
    .argument("<file>", "playbook YAML file")
    .option(...serverUrl)
    .action((file: string, flags: { serverUrl?: string }) =>
      reportErrors(async () => {
        const yaml = await readFile(file, "utf8");
        print(await clientFor(flags).post("/api/v2/catalog/register", { playbook_yaml: yaml }));
      }, file),
    );

  program
    .command("execute")
    .description("start an execution of a registered playbook; prints its execution_id")
    .argument("<path>", "catalog path of the playbook")
    .option("--version <n>", "catalog version (default: latest)")
    .option("--payload <json>", "execution payload (JSON object)")
    .option("--set <key=value>", "set one payload key (repeatable)", collect, [])
    .option("--wait", "wait for the execution to end and print it; exit 1 unless it completed")
    .option(...serverUrl)
    .action(
      (
        path: string,
        flags: { version?: string; payload?: string; set: string[]; wait?: boolean; serverUrl?: string },
      ) =>
        reportErrors(async () => {
          const client = clientFor(flags);
          const body = {
            path,
            payload: parsePayload(flags.payload, flags.set),
            ...(flags.version !== undefined && { version: catalogVersion(flags.version) }),
          };
          const started = await client.post<{ execution_id: string }>("/api/v2/execute", body);
          if (!flags.wait) {
            print(started);
            return;
          }
          for (;;) {
            const execution = await client.get<{ status: string }>(
              `/api/v2/executions/${started.execution_id}`,
            );
            if (execution.status !== "running") {
              print(execution);
              if (execution.status !== "completed") process.exitCode = 1;
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
        }),
    );

  program
    .command("status")
    .description("show an execution: status, result, error and its step runs with timings")
    .argument("<execution_id>")
    .option(...serverUrl)
    .action((id: string, flags: { serverUrl?: string }) =>
      reportErrors(async () =>
        print(await clientFor(flags).get(`/api/v2/executions/${encodeURIComponent(id)}`)),
      ),
    );

  program
    .command("events")
    .description("list an execution's events in order")
    .argument("<execution_id>")
    .option("--after <id>", "only events after this event id")
    .option(...serverUrl)
    .action((id: string, flags: { serverUrl?: string; after?: string }) =>
      reportErrors(async () => {
        // The server answers a page at a time: follow `after` until a page comes back empty.
        const client = clientFor(flags);
        const all: Array<{ id: number }> = [];
        for (let after = flags.after; ; ) {
          const query = after === undefined ? "" : `?after=${encodeURIComponent(after)}`;
          const page = await client.get<{ items: Array<{ id: number }> }>(
            `/api/v2/executions/${encodeURIComponent(id)}/events${query}`,
          );
          if (page.items.length === 0) break;
          all.push(...page.items);
          after = String(page.items.at(-1)!.id);
        }
        print(all);
      }),
    );

  program
    .command("cancel")
    .description("cancel a running execution")
    .argument("<execution_id>")
    .option(...serverUrl)
    .action((id: string, flags: { serverUrl?: string }) =>
      reportErrors(async () =>
        print(await clientFor(flags).post(`/api/v2/executions/${encodeURIComponent(id)}/cancel`)),
      ),
    );
}
