/** Regenerates test/fixtures/replay/*.json from the scenarios (see replay-scenarios.ts). */
import { writeFileSync } from "node:fs";
import { fixturesDir, record, scenarios } from "./replay-scenarios.ts";

for (const scenario of scenarios) {
  const h = record(scenario);
  const log = {
    playbook: scenario.playbookFile,
    events: h.inputs,
    commands: h.issued,
    cancel_commands: h.cancelled,
    output_events: h.events,
    final_state: h.state,
  };
  writeFileSync(new URL(`${scenario.name}.json`, fixturesDir), `${JSON.stringify(log, null, 2)}\n`);
  console.log(`${scenario.name}: ${h.inputs.length} events, ${h.issued.length} commands, ${h.state?.status}`);
}
