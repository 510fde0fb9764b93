/**
 * Credential names in playbooks: found wherever a tool config may use one, checked at registration against
 * `keychain:` and the credential table (with line/column), listed by `noetl validate --explain`.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runValidate } from "../../src/cli/commands/validate.ts";
import { checkAuthNames, parseSecretKey, storeCredential } from "../../src/credentials/index.ts";
import { locateAuthNames, parsePlaybook, playbookAuthNames, validate } from "../../src/dsl/index.ts";
import { type Db, migrate } from "../../src/store/index.ts";
import { forEachDatabase } from "../helpers/db.ts";

const PLAYBOOK = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: creds}
keychain:
  - name: declared_pg
workbook:
  - name: load
    tool: {kind: postgres, auth: wb_pg, command: "select 1"}
workflow:
  - step: start
    tool:
      kind: http
      endpoint: http://x
      auth: api_token
    case:
      - when: "{{ event.name == 'call.done' }}"
        then:
          sink: {tool: {kind: postgres, auth: declared_pg, command: "insert"}}
          call: {auth: other_api}
    next: end
  - step: end
    tool: {kind: http, endpoint: http://y, auth: "{{ workload.cred }}"}
    case:
      - when: "true"
        then:
          - sink: {tool: {kind: postgres, auth: stored_pg, command: "insert"}}
`;

describe("credentials: auth names in playbooks", () => {
  test("playbookAuthNames lists every literal name once, in order of first use; templates are left out", () => {
    assert.deepEqual(playbookAuthNames(parsePlaybook(PLAYBOOK)), [
      "wb_pg",
      "api_token",
      "declared_pg",
      "other_api",
      "stored_pg",
    ]);
  });

  test("locateAuthNames gives line, column, step, and whether keychain declares the name", () => {
    const sites = locateAuthNames(PLAYBOOK).map((s) => [
      s.name,
      s.line,
      s.column,
      s.step,
      s.declared,
      s.template,
    ]);
    assert.deepEqual(sites, [
      ["wb_pg", 8, 34, undefined, false, false],
      ["api_token", 14, 13, "start", false, false],
      ["declared_pg", 18, 47, "start", true, false],
      ["other_api", 19, 24, "start", false, false],
      ["{{ workload.cred }}", 22, 50, "end", false, true],
      ["stored_pg", 26, 49, "end", false, false],
    ]);
  });

  test("the validator: an undeclared name is fine; duplicate keychain entries and a non-name auth are errors", () => {
    assert.equal(validate(PLAYBOOK).ok, true);
    const bad = `apiVersion: noetl.io/v2
kind: Playbook
metadata: {name: bad}
keychain: [{name: a}, {name: a}]
workflow:
  - step: start
    tool: {kind: http, endpoint: http://x, auth: [a]}
`;
    const { errors } = validate(bad);
    assert.deepEqual(
      errors.map((e) => [e.line, e.path, e.message]),
      [
        [4, "keychain[1].name", "duplicate keychain entry 'a'"],
        [
          7,
          "workflow[0].tool.auth",
          "Step 'start': 'auth' must be a credential name (or a mapping of the credential's fields)",
        ],
      ],
    );
  });
});

await forEachDatabase("credentials: registration check", (database) => {
  let db: Db;
  before(async () => {
    db = await database.open();
    await migrate(db);
    await storeCredential(db, parseSecretKey("77".repeat(32), "k"), {
      name: "stored_pg",
      type: "postgres",
      data: { password: "x" },
    });
  });

  test("each undeclared, unstored name is an issue with its position; declared or stored names pass", async () => {
    const issues = await checkAuthNames(db, parsePlaybook(PLAYBOOK), { yaml: PLAYBOOK, file: "creds.yaml" });
    assert.deepEqual(
      issues.map((i) => [i.file, i.line, i.column, i.path]),
      [
        ["creds.yaml", 8, 34, "workbook[0].tool.auth"],
        ["creds.yaml", 14, 13, "workflow[0].tool.auth"],
        ["creds.yaml", 19, 24, "workflow[0].case[0].then.call.auth"],
      ],
    );
    assert.match(
      issues[1]?.message ?? "",
      /^Step 'start': credential 'api_token' is neither stored nor declared/,
    );
  });

  test("without the YAML text, issues carry the normalised path and no position", async () => {
    const issues = await checkAuthNames(db, parsePlaybook(PLAYBOOK));
    assert.deepEqual(
      issues.map((i) => [i.line, i.column, i.path]),
      [
        [0, 0, "workbook[0].tool.auth"],
        [0, 0, "workflow[0].tool.auth"],
        [0, 0, "workflow[0].case[0].then[0].call.auth"],
      ],
    );
  });

  test("a playbook whose names are all declared or stored has no issue", async () => {
    const yaml = PLAYBOOK.replace("auth: wb_pg", "auth: stored_pg")
      .replace("auth: api_token", "auth: declared_pg")
      .replace("call: {auth: other_api}", "call: {params: {page: 2}}");
    assert.deepEqual(await checkAuthNames(db, parsePlaybook(yaml), { yaml }), []);
  });
});

describe("noetl validate --explain", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "noetl-explain-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("lists keychain entries and auth names per file, in text and JSON", async () => {
    const file = join(dir, "creds.yaml");
    await writeFile(file, PLAYBOOK);
    const text = await runValidate([file], { explain: true });
    assert.equal(text.exitCode, 0);
    assert.equal(
      text.stdout,
      [
        `ok ${file}`,
        "  keychain: declared_pg",
        "  auth wb_pg at 8:34 (not declared: must be stored before the server accepts the playbook)",
        "  auth api_token at 14:13 in step 'start' (not declared: must be stored before the server accepts the playbook)",
        "  auth declared_pg at 18:47 in step 'start' (declared in keychain)",
        "  auth other_api at 19:24 in step 'start' (not declared: must be stored before the server accepts the playbook)",
        "  auth {{ workload.cred }} at 22:50 in step 'end' (templated: resolved at run time)",
        "  auth stored_pg at 26:49 in step 'end' (not declared: must be stored before the server accepts the playbook)",
        "",
      ].join("\n"),
    );
    const json = JSON.parse((await runValidate([file], { explain: true, json: true })).stdout);
    assert.deepEqual(json.files[0].keychain, ["declared_pg"]);
    assert.equal(json.files[0].auth.length, 6);
    assert.equal((await runValidate([file])).stdout, `ok ${file}\n`, "without --explain: unchanged");
  });
});
