/**
 * Embedded mode: the orchestrator and a worker in one process on one database (PGlite by default), with
 * events passed by function call. The same SQL, engine and tools as server mode; no logic of its own.
 */
import { randomUUID } from "node:crypto";
import type { Config } from "../config.ts";
import { createCredentialResolver, openCredentialKey } from "../credentials/index.ts";
import type { JsonObject, JsonValue } from "../dsl/types.ts";
import { type Logger, silentLogger } from "../logger.ts";
import { type Committed, Orchestrator } from "../server/orchestrator.ts";
import { PlaybookCatalog } from "../server/playbooks.ts";
import { Reaper } from "../server/reaper.ts";
import { type Db, executionStatus, getExecution, migrate, openDb } from "../store/index.ts";
import { listStepRuns, type StepRunRow } from "../store/step-runs.ts";
import { defaultTools, type ToolRegistry } from "../tools/index.ts";
import { Worker } from "../worker/worker.ts";
import { LocalReporter } from "./local-reporter.ts";

export type RuntimeConfig = Pick<
  Config,
  "databaseUrl" | "dataDir" | "concurrency" | "leaseMs" | "pollMs" | "shutdownGraceMs" | "pythonPath"
> & { memory?: boolean; secretKey?: string | undefined };

export interface RunOutcome {
  execution_id: string;
  status: string;
  result: JsonValue | null;
  error: JsonValue | null;
  steps: StepRunRow[];
}

export class EmbeddedRuntime {
  private readonly waiters = new Map<string, Array<(status: string) => void>>();
  private endPoll: NodeJS.Timeout | undefined;

  private constructor(
    readonly db: Db,
    readonly orchestrator: Orchestrator,
    readonly worker: Worker,
    readonly tools: ToolRegistry,
    private readonly reaper: Reaper,
  ) {
    orchestrator.onCommit((c) => this.committed(c));
  }

  /**
   * Opens the database and starts the worker. `warm` names tool kinds the caller is about to run (a
   * playbook's, from `toolKinds`): their interpreters start while the database opens, not at the first call.
   */
  static async start(
    config: RuntimeConfig,
    log: Logger = silentLogger(),
    options: { warm?: Iterable<string> } = {},
  ): Promise<EmbeddedRuntime> {
    const tools = defaultTools(config.pythonPath ? { pythonPath: config.pythonPath } : {});
    tools.warm(options.warm ?? []);
    let db: Db | undefined;
    try {
      db = await openDb(
        config.databaseUrl !== undefined
          ? { url: config.databaseUrl }
          : config.memory
            ? { memory: true }
            : { dataDir: config.dataDir },
      );
      return await EmbeddedRuntime.wire(db, config, log, tools);
    } catch (err) {
      // Whatever was opened is closed again: a python runner warming up, the database.
      await db?.close();
      await tools.close();
      throw err;
    }
  }

  private static async wire(
    db: Db,
    config: RuntimeConfig,
    log: Logger,
    tools: ToolRegistry,
  ): Promise<EmbeddedRuntime> {
    await migrate(db);
    const orchestrator = new Orchestrator(db, new PlaybookCatalog(db), log);
    const worker = new Worker({
      db,
      tools,
      // Credentials stored in this data dir (`noetl credential add`) are usable by this run's tools.
      credentials: createCredentialResolver(
        db,
        await openCredentialKey({ ...config, secretKey: config.secretKey }, { create: false }),
      ),
      reporter: new LocalReporter(orchestrator),
      id: `embedded-${process.pid}`,
      concurrency: config.concurrency,
      leaseMs: config.leaseMs,
      pollMs: config.pollMs,
      shutdownGraceMs: config.shutdownGraceMs,
      log,
      listen: false,
    });
    const reaper = new Reaper(orchestrator, config.pollMs, log);
    const runtime = new EmbeddedRuntime(db, orchestrator, worker, tools, reaper);
    await worker.start();
    reaper.start();
    runtime.pollEnds(config.pollMs);
    return runtime;
  }

  /** Runs a playbook (YAML text) to its end and returns the outcome; `executionId` defaults to a new UUID. */
  async run(yaml: string, payload: JsonObject = {}, executionId: string = randomUUID()): Promise<RunOutcome> {
    const done = this.waitFor(executionId);
    try {
      await this.orchestrator.execute({ playbook_yaml: yaml, payload, execution_id: executionId });
    } catch (err) {
      this.waiters.delete(executionId); // never started: nothing will resolve it
      throw err;
    }
    await done;
    return this.outcome(executionId);
  }

  /**
   * Resolves with the final status once the execution ends (at once if it has ended). Any number of
   * callers may wait for one execution: a second waiter used to replace the first, which then never resolved.
   */
  waitFor(executionId: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiters.set(executionId, [...(this.waiters.get(executionId) ?? []), resolve]);
      // Registered first, then asked: an end committed in between is seen by one path or the other.
      void this.settleIfEnded(executionId);
    });
  }

  private async settleIfEnded(executionId: string): Promise<void> {
    const status = await executionStatus(this.db, executionId).catch(() => undefined); // closed meanwhile
    if (status !== undefined && status !== "running" && status !== "pending")
      this.settle(executionId, status);
  }

  /**
   * Asks the database every `pollMs` whether an awaited execution ended. An end is normally seen at once,
   * from this process's own commit; with `--db`, a `noetl worker` of a server on the same database may run
   * the last step, and that server's commit is not heard here (`noetl run` used to wait forever).
   */
  private pollEnds(pollMs: number): void {
    this.endPoll = setInterval(() => {
      for (const executionId of this.waiters.keys()) void this.settleIfEnded(executionId);
    }, pollMs);
    this.endPoll.unref();
  }

  async outcome(executionId: string): Promise<RunOutcome> {
    const row = await getExecution(this.db, executionId);
    if (!row) throw new Error(`no execution ${executionId}`);
    return {
      execution_id: row.id,
      status: row.status,
      result: row.result,
      error: row.error,
      steps: await listStepRuns(this.db, executionId),
    };
  }

  async close(): Promise<void> {
    clearInterval(this.endPoll);
    await this.reaper.stop();
    await this.worker.stop();
    await this.tools.close();
    await this.orchestrator.idle();
    await this.db.close();
  }

  private committed(c: Committed): void {
    // Same process: wake the worker directly instead of waiting for NOTIFY to travel through the database.
    if (c.wake !== undefined) this.worker.notified(c.wake);
    // Ends nobody waits for are not remembered (child executions would pile up): waitFor asks the database.
    if (c.ended !== undefined) this.settle(c.execution_id, c.ended);
  }

  private settle(executionId: string, status: string): void {
    const waiting = this.waiters.get(executionId);
    this.waiters.delete(executionId);
    for (const resolve of waiting ?? []) resolve(status);
  }
}
