/**
 * `noetl run <playbook.yaml>`: runs a playbook to its end in this process (embedded mode), shows each step
 * on stderr as it starts and ends, prints the result, and exits 0 when it completed, 1 otherwise.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadConfig } from "../../config.ts";
import { formatIssue, toolKinds, type ValidationIssue, validate } from "../../dsl/index.ts";
import type { JsonObject, Playbook } from "../../dsl/types.ts";
import { createLogger } from "../../logger.ts";
import type { RunOutcome } from "../../runtime/embedded.ts";
import type { Committed } from "../../server/orchestrator.ts";
import { collect, parsePayload } from "../payload.ts";

interface RunFlags {
  payload?: string;
  set?: string[];
  db?: string;
  dataDir?: string;
  json?: boolean;
  concurrency?: string;
  quiet?: boolean;
  register: string[];
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a playbook to its end in this process (embedded; PGlite unless --db is given)")
    .argument("<playbook>", "playbook YAML file")
    .option("--payload <json>", "execution payload (JSON object), merged over the workload")
    .option("--set <key=value>", "set one payload key (dotted keys nest; repeatable)", collect, [])
    .option("--db <url>", "run on a PostgreSQL server (postgres://...) instead of embedded PGlite")
    .option("--data-dir <dir>", "PGlite data directory", undefined)
    .option("--concurrency <n>", "commands run at once")
    .option("--json", "print {execution_id, status, result, error, steps} to stdout")
    .option("-q, --quiet", "do not show steps on stderr")
    .option(
      "--register <file>",
      "register another playbook first, e.g. a child that `playbook` steps run (repeatable)",
      collect,
      [],
    )
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags);
    });
}

interface ValidFile {
  file: string;
  yaml: string;
  playbook: Playbook;
}

/** The file's text and playbook when it is valid; otherwise its problems, each naming the file. */
async function readValid(file: string): Promise<ValidFile | ValidationIssue[]> {
  const yaml = await readFile(file, "utf8");
  const checked = validate(yaml, { file });
  return checked.playbook ? { file, yaml, playbook: checked.playbook } : checked.errors;
}

/**
 * An invalid playbook is not run: every problem on stderr as `file:line:col path: message`, and with
 * --json, `{status: "invalid", errors: [...]}` on stdout for scripts. Returns the exit code.
 */
function reportInvalid(issues: ValidationIssue[], json: boolean | undefined): number {
  process.stderr.write(`${issues.map(formatIssue).join("\n")}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ status: "invalid", errors: issues }, null, 2)}\n`);
  return 1;
}

export async function runCommand(file: string, flags: RunFlags): Promise<number> {
  const read = await Promise.all([file, ...(flags.register ?? [])].map(readValid));
  const invalid = read.flatMap((r) => (Array.isArray(r) ? r : []));
  if (invalid.length > 0) return reportInvalid(invalid, flags.json);
  const [main, ...others] = read as [ValidFile, ...ValidFile[]];
  const payload: JsonObject = parsePayload(flags.payload, flags.set);
  const config = loadConfig(process.env, {
    ...(flags.db !== undefined && { db: flags.db }),
    ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
    ...(flags.concurrency !== undefined && { concurrency: flags.concurrency }),
  });
  // The python interpreter (if a step needs one) starts while the database opens.
  const warm = [main, ...others].flatMap((f) => [...toolKinds(f.playbook)]);
  const log = createLogger({ level: "warn", name: "noetl" });
  // Loaded here rather than at the top: the CLI's other commands need not load the engine and the store.
  const { EmbeddedRuntime } = await import("../../runtime/embedded.ts");
  const runtime = await EmbeddedRuntime.start(config, log, { warm });
  let outcome: RunOutcome;
  try {
    for (const one of [...others, main]) {
      // Registration also checks what needs the database (stored credentials): report it like validation.
      const issues = await registrationIssues(() => runtime.orchestrator.catalog.register(one.yaml));
      if (issues !== undefined)
        return reportInvalid(
          issues.map((i) => ({ ...i, file: one.file })),
          flags.json,
        );
    }
    const executionId = randomUUID();
    if (!flags.quiet) runtime.orchestrator.onCommit((c) => showProgress(c, executionId));
    outcome = await runtime.run(main.yaml, payload, executionId);
  } finally {
    await runtime.close();
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
  } else {
    if (outcome.status === "completed") process.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
    const error = outcome.error as { message?: string } | null;
    process.stderr.write(
      `${outcome.status} (execution ${outcome.execution_id})${error?.message ? `: ${error.message}` : ""}\n`,
    );
  }
  return outcome.status === "completed" ? 0 : 1;
}

/** The issues of a registration refused as an invalid playbook; other errors are thrown. */
async function registrationIssues(register: () => Promise<unknown>): Promise<ValidationIssue[] | undefined> {
  try {
    await register();
    return undefined;
  } catch (err) {
    const issues = (err as { details?: { issues?: ValidationIssue[] } }).details?.issues;
    if (Array.isArray(issues) && issues.length > 0) return issues;
    throw err;
  }
}

/**
 * Steps of this run's execution as they start and end. Other executions' steps (a `playbook` step's child,
 * or commands an interrupted earlier run in this data dir left behind, which run again now) are shown
 * with their execution's id in front, so they are not mistaken for this run's.
 */
function showProgress(c: Committed, executionId: string): void {
  const who = c.execution_id === executionId ? "" : `[${c.execution_id.slice(0, 8)}] `;
  for (const e of c.events) {
    const p = e.payload as {
      status?: string;
      duration_ms?: number;
      error?: { message?: string };
      message?: string;
    };
    if (e.name === "step.start") process.stderr.write(`${who}▶ ${e.step}\n`);
    else if (e.name === "step.done") {
      const took = typeof p.duration_ms === "number" ? ` ${p.duration_ms.toFixed(0)} ms` : "";
      const why = p.error?.message ? `: ${p.error.message}` : "";
      const mark = p.status === "completed" ? "✔" : "✖";
      process.stderr.write(`${who}${mark} ${e.step} ${p.status}${took}${why}\n`);
    } else if (e.name === "warning") process.stderr.write(`${who}⚠ ${e.step ?? ""} ${p.message ?? ""}\n`);
  }
}
