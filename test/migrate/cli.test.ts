import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parse } from "yaml";
import { runMigrate } from "../../src/cli/commands/migrate.ts";
import { FIXTURES, fixture } from "./helpers.ts";

const dir = await mkdtemp(join(tmpdir(), "noetl-migrate-"));
after(() => rm(dir, { recursive: true, force: true }));

describe("noetl migrate", () => {
  test("prints the v2 YAML, reports each change at its v1 line:column, exits 0 when valid", async () => {
    const file = `${FIXTURES}http_branching.yaml`;
    const outcome = await runMigrate([file]);
    assert.equal(outcome.exitCode, 0);
    assert.equal((parse(outcome.stdout) as { apiVersion: string }).apiVersion, "noetl.io/v2");
    assert.ok(
      outcome.stderr.includes(`${file}:2:1 changed apiVersion: apiVersion: noetl.io/v1 → noetl.io/v2`),
    );
    assert.ok(outcome.stderr.includes(`${file}:16:5 changed workflow[1].tool: 'type: http'`));
    assert.match(outcome.stderr, /http_branching\.yaml: \d+ change\(s\), 0 left as written; valid v2/);
  });

  test("reports what it could not convert and the validator's errors, exits 1", async () => {
    const file = `${FIXTURES}leftovers.yaml`;
    const outcome = await runMigrate([file]);
    assert.equal(outcome.exitCode, 1);
    assert.ok(
      outcome.stderr.includes(`${file}:12:5 not converted workflow[1].retry: 'retry' has no v2 form`),
    );
    assert.ok(outcome.stderr.includes(`${file} (v2 output):14:5 workflow[1].retry:`));
    assert.match(
      outcome.stderr,
      /leftovers\.yaml: \d+ change\(s\), 4 left as written; not valid v2 \(4 error\(s\)\)/,
    );
  });

  test("--check prints no YAML and writes nothing", async () => {
    const outcome = await runMigrate([`${FIXTURES}no_start.yaml`], { check: true });
    assert.equal(outcome.stdout, "");
    assert.equal(outcome.exitCode, 0);
    assert.match(outcome.stderr, /no 'start' step/);
  });

  test("-o writes one file; with several inputs -o is a directory", async () => {
    const out = join(dir, "one.yaml");
    const single = await runMigrate([`${FIXTURES}no_start.yaml`], { output: out });
    assert.equal(single.stdout, "");
    assert.equal(single.exitCode, 0);
    assert.equal((parse(await readFile(out, "utf8")) as { apiVersion: string }).apiVersion, "noetl.io/v2");
    const several = await runMigrate([`${FIXTURES}no_start.yaml`, `${FIXTURES}iterator.yaml`], {
      output: dir,
    });
    assert.equal(several.exitCode, 0);
    assert.match(await readFile(join(dir, "iterator.yaml"), "utf8"), /loop:/);
  });

  test("--write converts in place; a second run changes nothing", async () => {
    const file = join(dir, "in-place.yaml");
    await writeFile(file, fixture("python_routes.yaml"));
    assert.equal((await runMigrate([file], { write: true })).exitCode, 0);
    const converted = await readFile(file, "utf8");
    assert.match(converted, /apiVersion: noetl\.io\/v2/);
    const again = await runMigrate([file], { write: true });
    assert.equal(again.exitCode, 0);
    assert.match(again.stderr, /nothing to change; valid v2/);
    assert.equal(await readFile(file, "utf8"), converted);
  });

  test("one unreadable file or conflicting options give exit 1", async () => {
    const missing = await runMigrate([join(dir, "nope.yaml")]);
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, /cannot read/);
    const conflict = await runMigrate([`${FIXTURES}no_start.yaml`], { write: true, output: dir });
    assert.equal(conflict.exitCode, 1);
    assert.match(conflict.stderr, /only one of -o, --write, --check/);
  });
});
