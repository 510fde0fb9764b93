import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { LruCache } from "../../src/dsl/cache.ts";
import {
  clearParseCache,
  formatIssue,
  PlaybookInvalidError,
  parseCount,
  parsePlaybook,
  parsePlaybookFile,
  validate,
} from "../../src/dsl/index.ts";
import { closest, editDistance } from "../../src/dsl/suggest.ts";

const issues = (text: string) => validate(text).errors.map(formatIssue);
const minimal = (name: string) =>
  `apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: ${name}}\nworkflow:\n  - step: start\n    tool: {kind: noop}\n`;

describe("issue format", () => {
  test("file:line:col path: message, without file, and at the root", () => {
    assert.equal(
      formatIssue({ file: "w.yaml", line: 14, column: 9, path: "workflow[1].next", message: "m" }),
      "w.yaml:14:9 workflow[1].next: m",
    );
    assert.equal(formatIssue({ line: 3, column: 1, path: "kind", message: "m" }), "3:1 kind: m");
    assert.equal(formatIssue({ line: 0, column: 0, path: "", message: "m" }), "0:0 m");
  });

  test("validate attaches the file name to every issue", () => {
    const result = validate("kind: Playbook\n", { file: "p.yaml" });
    assert.ok(result.errors.length > 0);
    assert.ok(result.errors.every((issue) => issue.file === "p.yaml"));
  });

  test("documents that are empty, not a mapping, or explode through aliases are reported, not thrown", () => {
    assert.deepEqual(issues(""), ["0:0 the document is empty; expected a playbook"]);
    assert.deepEqual(issues("- a\n- b\n"), [
      "1:1 a playbook must be a YAML mapping (apiVersion, kind, metadata, workflow)",
    ]);
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const bomb = issues(`${levels.join("\n")}\n`);
    assert.equal(bomb.length, 1);
    assert.match(bomb[0] ?? "", /too many values/);
  });

  test("a second YAML document is reported where it starts, without the yaml library's advice", () => {
    const expected = (line: number) =>
      `${line}:1 a playbook file holds one YAML document, but a second document starts here (put each playbook in a file of its own, or remove the extra '---')`;
    assert.deepEqual(issues(`${minimal("x")}---\nfoo: 1\n`), [expected(7)]);
    assert.deepEqual(issues(`---\n${minimal("x")}---\n`), [expected(8)]);
    assert.deepEqual(issues(`${minimal("x")}...\nfoo: 1\n`), [expected(8)]);
    assert.ok(
      !issues(`${minimal("x")}---\n`)
        .join("\n")
        .includes("parseAllDocuments"),
    );
  });

  test("unknown top-level keys and metadata problems", () => {
    const text = minimal("x").replace("workflow:", "workfow: []\nworkflow:");
    assert.deepEqual(issues(text), [
      "4:1 workfow: unknown playbook key 'workfow' (did you mean 'workflow'?)",
    ]);
  });

  test("a loop's 'in' must be a template or a list", () => {
    const text = minimal("x").replace(
      "    tool:",
      "    loop: {in: workload.items, iterator: item}\n    tool:",
    );
    assert.deepEqual(issues(text), [
      `6:16 workflow[0].loop.in: Step 'start': loop 'in' must be a template ("{{ ... }}") rendering to a list, or a list`,
    ]);
  });

  test("'call' with 'retry', and 'fail' with 'skip', cannot fire together", () => {
    const text = `${minimal("x")}    case:\n      - when: true\n        then: {call: {args: {}}, retry: {}, fail: x, skip: true}\n`;
    assert.deepEqual(issues(text), [
      "9:34 workflow[0].case[0].then.retry: Step 'start': 'call' and 'retry' cannot fire together",
      "9:54 workflow[0].case[0].then.skip: Step 'start': 'fail' and 'skip' cannot fire together",
    ]);
  });
});

describe("call", () => {
  const text = (tool: string, call: string) =>
    `${minimal("x").replace("{kind: noop}", tool)}    case:\n      - when: true\n        then: {call: ${call}}\n  - step: end\n    tool: {kind: noop}\n`;
  const http = '{kind: http, endpoint: "http://x"}';

  test("{step, args} takes no other key: a misspelt 'args' is not silently dropped", () => {
    assert.deepEqual(issues(text(http, "{step: end, argz: {a: 1}}")), [
      "9:34 workflow[0].case[0].then.call.argz: Step 'start': unknown call key 'argz' (did you mean 'args'?); a call with 'step' takes only 'step' and 'args'",
    ]);
  });

  test("overrides must be fields of the step's tool kind", () => {
    assert.deepEqual(issues(text(http, "{params: {page: 2}, headers: {}, timeout: 1, args: {}}")), []);
    assert.deepEqual(issues(text(http, "{parms: {page: 2}}")), [
      "9:23 workflow[0].case[0].then.call.parms: Step 'start': unknown call key 'parms' (did you mean 'params'?)",
    ]);
    assert.deepEqual(issues(text("{kind: python, code: x}", "{code: y, timeout: 2, command: z}")), [
      "9:44 workflow[0].case[0].then.call.command: Step 'start': unknown call key 'command': not a field of this step's python tool ('code', 'timeout', 'args') nor 'step'",
    ]);
  });
});

describe("NUL characters", () => {
  const why =
    "contains a NUL character (U+0000); a playbook cannot hold it (PostgreSQL cannot store it in text or JSON); remove it";

  test("written raw in a plain scalar, a block scalar, a key or a comment", () => {
    const text = `${minimal("x")}workload:\n  a: x\u0000y\n  b: |\n    line\n    \u0000\n  "c\u0000": 1\n# note \u0000\n`;
    assert.deepEqual(issues(text), [
      `8:7 workload.a: the string ${why}`,
      `11:5 workload.b: the string ${why}`,
      `12:5 workload.c\\0: the key ${why}`,
      `13:8 the file ${why}`,
    ]);
  });

  test("an anchor is reported once, where it is written, however often it is used", () => {
    const text = `${minimal("x")}workload:\n  a: &nul "\\0"\n  b: [*nul, *nul]\n`;
    assert.deepEqual(issues(text), [`8:12 workload.a: the string ${why}`]);
  });

  test("an escaped backslash before a zero is not a NUL", () => {
    assert.deepEqual(issues(`${minimal("x")}workload: {a: "\\\\0", b: '\\0', c: \\x00}\n`), []);
  });
});

describe("set", () => {
  const rule = (then: string) => `${minimal("x")}    case:\n      - when: true\n        then: ${then}\n`;

  test("'set.ctx' and 'set.vars' must be mappings, not variables named ctx or vars", () => {
    assert.deepEqual(issues(rule("{set: {ctx: 5}}")), [
      "9:27 workflow[0].case[0].then.set.ctx: Step 'start': 'set.ctx' must be a mapping of names to values (set: {ctx: {name: value}}); 'ctx' is not a variable name",
    ]);
    assert.deepEqual(issues(rule("{set: {a: 1, vars: [1]}}")), [
      "9:34 workflow[0].case[0].then.set.vars: Step 'start': 'set.vars' must be a mapping of names to values (set: {vars: {name: value}}); 'vars' is not a variable name",
    ]);
    assert.deepEqual(issues(rule("\n          set:\n            ctx:\n")), [
      "11:13 workflow[0].case[0].then.set.ctx: Step 'start': 'set.ctx' must be a mapping of names to values (set: {ctx: {name: value}}); 'ctx' is not a variable name",
    ]);
  });

  test("the documented forms stay valid", () => {
    for (const set of ["{ctx: {a: 1}}", "{vars: {a: 1}}", "{a: 1}", "{ctx: {}, b: 2}"]) {
      assert.deepEqual(issues(rule(`{set: ${set}}`)), [], set);
    }
  });
});

describe("a misspelt required key is reported as the typo, not as missing", () => {
  test("top level: only the unknown key with its suggestion", () => {
    const text = minimal("x");
    assert.deepEqual(issues(text.replace("workflow:", "workfow:")), [
      "4:1 workfow: unknown playbook key 'workfow' (did you mean 'workflow'?)",
    ]);
    assert.deepEqual(issues(text.replace("metadata:", "metdata:")), [
      "3:1 metdata: unknown playbook key 'metdata' (did you mean 'metadata'?)",
    ]);
    assert.deepEqual(issues(text.replace("apiVersion:", "apiversion:").replace("kind:", "knd:")), [
      "1:1 apiversion: unknown playbook key 'apiversion' (did you mean 'apiVersion'?)",
      "2:1 knd: unknown playbook key 'knd' (did you mean 'kind'?)",
    ]);
  });

  test("a key that is really missing, or an unrelated unknown key, still reports the missing key", () => {
    const text = minimal("x").replace("workflow:", "steps:");
    assert.deepEqual(issues(text), [
      "1:1 workflow: Workflow cannot be empty",
      "4:1 steps: unknown playbook key 'steps'",
    ]);
  });

  test("steps, rules and sinks: the typo only", () => {
    const text = `${minimal("x").replace("    tool: {kind: noop}", "    tol: {kind: noop}")}    case:
      - whn: true
        then: {sink: {tol: {kind: noop}}}
  - stp: start
    tool: {kind: noop}
`;
    assert.deepEqual(issues(text), [
      "6:5 workflow[0].tol: Step 'start': unknown step key 'tol' (did you mean 'tool'?)",
      "8:9 workflow[0].case[0].whn: Step 'start': unknown case rule key 'whn' (did you mean 'when'?)",
      "9:23 workflow[0].case[0].then.sink.tol: Step 'start': unknown sink key 'tol' (did you mean 'tool'?)",
      "10:5 workflow[1].stp: Step 'workflow[1]': unknown step key 'stp' (did you mean 'step'?)",
    ]);
  });

  test("in an action's mapping", () => {
    const text = `${minimal("x")}    case:\n      - when: true\n        then: {fail: {mesage: no}, collect: {frm: x, into: y}}\n`;
    assert.deepEqual(issues(text), [
      "9:23 workflow[0].case[0].then.fail.mesage: Step 'start': unknown fail key 'mesage' (did you mean 'message'?)",
      "9:46 workflow[0].case[0].then.collect.frm: Step 'start': unknown collect key 'frm' (did you mean 'from'?)",
    ]);
  });
});

describe("did you mean", () => {
  test("counts a swap of adjacent letters as one edit", () => {
    assert.equal(editDistance("fecth", "fetch"), 1);
    assert.equal(editDistance("sumarize", "summarize"), 1);
    assert.equal(editDistance("", "abc"), 3);
  });

  test("suggests only plausible typos", () => {
    assert.equal(closest("sumarize", ["start", "summarize", "end"]), "summarize");
    assert.equal(closest("foo", ["start", "end"]), undefined);
    assert.equal(closest("Nxt", ["next"]), "next");
  });
});

describe("cache", () => {
  test("an LRU evicts the least recently used entry", () => {
    const lru = new LruCache<number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.get("a");
    lru.set("c", 3);
    assert.equal(lru.get("b"), undefined);
    assert.equal(lru.get("a"), 1);
    assert.equal(lru.size, 2);
  });

  test("the parse cache is bounded: an old text is parsed again after 256 others", () => {
    clearParseCache();
    const first = minimal("first");
    parsePlaybook(first);
    for (let i = 0; i < 256; i++) parsePlaybook(minimal(`p${i}`));
    const before = parseCount();
    parsePlaybook(first);
    assert.equal(parseCount(), before + 1);
  });

  test("invalid texts are cached too, and each call gets its own issue list with its file", () => {
    const text = "kind: nope\n";
    const before = parseCount();
    const a = validate(text, { file: "a.yaml" });
    const b = validate(text, { file: "b.yaml" });
    assert.ok(parseCount() <= before + 1);
    assert.equal(a.errors[0]?.file, "a.yaml");
    assert.equal(b.errors[0]?.file, "b.yaml");
  });
});

describe("parsePlaybookFile", () => {
  test("reads a file and names it in errors", async () => {
    const valid = fileURLToPath(new URL("../fixtures/playbooks/valid/http_pagination.yaml", import.meta.url));
    assert.equal((await parsePlaybookFile(valid)).metadata.name, "http_pagination");
    const invalid = fileURLToPath(new URL("../fixtures/playbooks/invalid/no_start.yaml", import.meta.url));
    await assert.rejects(parsePlaybookFile(invalid), (error: unknown) => {
      assert.ok(error instanceof PlaybookInvalidError);
      assert.equal(error.issues[0]?.file, invalid);
      assert.ok(error.message.startsWith(`${invalid}:5:3 workflow: Workflow must have a step named 'start'`));
      return true;
    });
  });
});
