import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { registerSchema, schemaText } from "../../src/cli/commands/schema.ts";
import { registerValidate, runValidate } from "../../src/cli/commands/validate.ts";
import { playbookSchema } from "../../src/dsl/index.ts";

const path = (name: string) => fileURLToPath(new URL(`../fixtures/playbooks/${name}`, import.meta.url));
const valid = path("valid/http_pagination.yaml");
const invalid = path("invalid/v1_type.yaml");

describe("noetl validate", () => {
  test("prints ok per valid file and exits 0", async () => {
    const out = await runValidate([valid, path("valid/loops_and_sinks.yaml")]);
    assert.equal(out.exitCode, 0);
    assert.equal(out.stdout, `ok ${valid}\nok ${path("valid/loops_and_sinks.yaml")}\n`);
    assert.equal(out.stderr, "");
  });

  test("prints every error formatted with file:line:col and exits 1", async () => {
    const out = await runValidate([valid, invalid, path("invalid/case_missing_when_then.yaml")]);
    assert.equal(out.exitCode, 1);
    assert.equal(out.stdout, `ok ${valid}\n`);
    assert.match(
      out.stderr,
      new RegExp(
        `^${invalid.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:6:5 workflow\\[0\\]\\.type: Step 'start': 'type' field`,
      ),
    );
    assert.match(out.stderr, /case_missing_when_then\.yaml:8:9 .*case\[0\] missing 'when' field/);
    assert.match(out.stderr, /case_missing_when_then\.yaml:9:9 .*case\[1\] missing 'then' field/);
    assert.match(out.stderr, /3 errors in 2 of 3 files\n$/);
  });

  test("--json prints one document with every file's issues", async () => {
    const out = await runValidate([valid, invalid], { json: true });
    assert.equal(out.exitCode, 1);
    const report = JSON.parse(out.stdout);
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.files.map((f: { ok: boolean }) => f.ok),
      [true, false],
    );
    assert.equal(report.files[1].errors[0].line, 6);
    assert.equal(report.files[1].errors[0].file, invalid);
  });

  test("a missing file is an error, not a crash", async () => {
    const out = await runValidate(["/nonexistent/playbook.yaml"]);
    assert.equal(out.exitCode, 1);
    assert.match(out.stderr, /\/nonexistent\/playbook\.yaml:0:0 cannot read file \(ENOENT\)/);
  });

  test("registers validate and schema on a commander program", () => {
    const program = new Command();
    registerValidate(program);
    registerSchema(program);
    assert.deepEqual(
      program.commands.map((c) => c.name()),
      ["validate", "schema"],
    );
  });

  test("wired into a program, sets the exit code", () => {
    const script = `
      import { Command } from "commander";
      import { registerSchema } from "./src/cli/commands/schema.ts";
      import { registerValidate } from "./src/cli/commands/validate.ts";
      const program = new Command("noetl");
      registerValidate(program);
      registerSchema(program);
      // With -e, argv is [node, ...args].
      await program.parseAsync(process.argv.slice(1), { from: "user" });`;
    const cwd = fileURLToPath(new URL("../../", import.meta.url));
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, ...args], {
        cwd,
        encoding: "utf8",
      });
    const bad = run("validate", invalid);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /'type' field is not allowed in v2/);
  });

  test("noetl schema prints the schema as pretty JSON", () => {
    assert.deepEqual(JSON.parse(schemaText()), playbookSchema());
    assert.ok(schemaText().startsWith('{\n  "$schema"'));
  });
});
