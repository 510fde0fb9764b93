import assert from "node:assert/strict";
import { test } from "node:test";
import { runRender } from "../../src/cli/commands/render.ts";

test("prints the typed result as JSON", () => {
  assert.deepEqual(runRender("{{ items | length }}", '{"items": [1, 2]}'), {
    stdout: "2\n",
    stderr: "",
    exitCode: 0,
  });
  assert.equal(runRender("{{ items }}", '{"items": ["a", 1.5]}').stdout, '["a",1.5]\n');
  assert.equal(runRender("n={{ n }}", '{"n": 1}').stdout, '"n=1"\n');
  assert.equal(runRender("{{ 1 + 1 }}").stdout, "2\n");
});

test("an undefined result prints nothing and succeeds", () => {
  assert.deepEqual(runRender("{{ missing }}", "{}"), { stdout: "", stderr: "", exitCode: 0 });
});

test("--expression evaluates a bare expression", () => {
  assert.equal(runRender("n > 1 and ok", '{"n": 2, "ok": true}', { expression: true }).stdout, "true\n");
});

test("template errors print 'error: <message>' and exit 1", () => {
  const out = runRender("{{ a | lenght }}", "{}");
  assert.equal(out.exitCode, 1);
  assert.equal(out.stdout, "");
  assert.equal(out.stderr, "error: unknown filter 'lenght' (did you mean 'length'?) at 7\n");
  assert.match(runRender("{{ x + 1 }}", "{}").stderr, /^error: 'x' is undefined \(used with '\+'\)/);
});

test("a context that is not a JSON object is an error", () => {
  assert.match(runRender("{{ 1 }}", "[1]").stderr, /^error: the context must be a JSON object/);
  assert.match(runRender("{{ 1 }}", "{oops").stderr, /^error: invalid context JSON: /);
});
