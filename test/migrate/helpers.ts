import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { validate } from "../../src/dsl/index.ts";
import type { Playbook, Step } from "../../src/dsl/types.ts";
import { migratePlaybook } from "../../src/migrate/index.ts";
import type { MigrationNote, MigrationResult } from "../../src/migrate/types.ts";

export const FIXTURES = fileURLToPath(new URL("../fixtures/v1/", import.meta.url));

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, "utf8");
}

export interface Migrated {
  result: MigrationResult;
  /** The output as plain data, exactly as written. */
  raw: { [key: string]: unknown };
  /** The v2 validator's verdict on the output. */
  valid: ReturnType<typeof validate>;
}

export function migrateText(text: string): Migrated {
  const result = migratePlaybook(text, { file: "test.yaml" });
  return { result, raw: parse(result.yaml) as { [key: string]: unknown }, valid: validate(result.yaml) };
}

export function migrateFixture(name: string): Migrated {
  return migrateText(fixture(name));
}

/** The validated v2 playbook; fails the test with the validator's messages when the output is not valid. */
export function playbookOf(migrated: Migrated): Playbook {
  if (!migrated.valid.playbook) {
    throw new Error(
      `not valid v2:\n${migrated.valid.errors.map((e) => `${e.path}: ${e.message}`).join("\n")}`,
    );
  }
  return migrated.valid.playbook;
}

export function stepOf(playbook: Playbook, name: string): Step {
  const step = playbook.workflow.find((s) => s.step === name);
  if (!step) throw new Error(`no step ${name}`);
  return step;
}

export function rawStep(migrated: Migrated, name: string): { [key: string]: unknown } {
  const workflow = migrated.raw.workflow as Array<{ [key: string]: unknown }>;
  const step = workflow.find((s) => s.step === name);
  if (!step) throw new Error(`no step ${name}`);
  return step;
}

export function noteAt(notes: MigrationNote[], path: string): MigrationNote {
  const note = notes.find((n) => n.path === path);
  if (!note)
    throw new Error(`no note at ${path}; notes:\n${notes.map((n) => `${n.path}: ${n.message}`).join("\n")}`);
  return note;
}
