import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createPythonTool, ToolRegistry } from "../../src/tools/index.ts";
import { command, context, responseOf } from "./helpers.ts";

test("playbook code does not see NoETL's own settings (secret key, database url), only the rest", async () => {
  process.env.NOETL_SECRET_KEY = "not-for-playbooks";
  process.env.PLAIN_SETTING = "visible";
  const registry = new ToolRegistry().register(createPythonTool({ poolSize: 1 }));
  after(() => registry.close());
  const code =
    "import os\ndef main():\n    return {k: os.environ.get(k) for k in ['NOETL_SECRET_KEY', 'PLAIN_SETTING']}";
  const outcome = await registry.run(command({ kind: "python", code }, {}), context());
  assert.deepEqual(responseOf(outcome), { NOETL_SECRET_KEY: null, PLAIN_SETTING: "visible" });
});
