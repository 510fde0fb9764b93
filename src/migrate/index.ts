export { migratePlaybook } from "./playbook.ts";
export type { MigrateOptions, MigrationNote, MigrationResult } from "./types.ts";
