/**
 * The store's public API: the Db adapter, migrations, and one function per SQL statement.
 * Rows are snake_case like the database and the engine's types; option objects are camelCase.
 */
export {
  getPlaybook,
  listPlaybooks,
  listPlaybookVersions,
  type PlaybookRow,
  type PlaybookSummary,
  registerPlaybookVersion,
} from "./catalog.ts";
export { dbNow } from "./clock.ts";
export {
  type CommandRow,
  type CommandStatus,
  cancelCommands,
  DEFAULT_MAX_CLAIMS,
  getCommand,
  type InsertLease,
  insertCommands,
  QUEUE_CHANNEL,
  type QueueOptions,
  type QueueStats,
  queueStats,
  vacuumQueue,
} from "./commands.ts";
export {
  type CredentialRow,
  type CredentialSummary,
  deleteCredential,
  getCredential,
  listCredentials,
  putCredential,
} from "./credentials.ts";
export { type Db, DEFAULT_DATA_DIR, DEFAULT_POOL_SIZE, type OpenDbOptions, openDb, pgliteDir } from "./db.ts";
export { connectionLost, SQLSTATE, StoreError, type StoreErrorCode, sqlState } from "./errors.ts";
export {
  appendEvents,
  type EventRow,
  eventsByIdempotencyKey,
  journalEvents,
  listEvents,
  type NewEvent,
} from "./events.ts";
export {
  countExecutionsByStatus,
  type ExecutionRow,
  type ExecutionStatus,
  type ExecutionSummary,
  type ExecutionUpdate,
  executionStatus,
  getExecution,
  insertExecution,
  insertLockedExecutions,
  type ListExecutionsOptions,
  type LockedExecution,
  listExecutions,
  lockExecution,
  lockExecutions,
  type NewExecution,
  readCheckpoint,
  runningChildren,
  saveExecution,
} from "./executions.ts";
export {
  type ClaimedCommand,
  type ClaimOptions,
  claimCommands,
  completeCommands,
  extendLeases,
  type HeldLease,
  leaseKey,
  releaseCommands,
} from "./leases.ts";
export { loadMigrations, type Migration, migrate, migrationsDir } from "./migrate.ts";
export { executionsWithExhaustedCommands, requeueExpiredLeases, takeExhaustedCommands } from "./reaper.ts";
export { CLOCK_TOLERANCE, commitTransitions, type Transition } from "./transitions.ts";
