/**
 * The scenarios whose event logs are committed under test/fixtures/replay/. `npx tsx test/engine/record-replay.ts`
 * regenerates them (only when the engine's behaviour is meant to change: review the diff), then
 * `npx biome check --write test/fixtures/replay` formats them.
 */
import { readFileSync } from "node:fs";
import { parsePlaybook } from "../../src/dsl/index.ts";
import type { Playbook } from "../../src/dsl/types.ts";
import { failure, Harness, ok, type Responder } from "./driver.ts";
import { pagedApi } from "./paged-api.ts";

export interface Scenario {
  name: string;
  playbookFile: string;
  payload: { [key: string]: never } | Record<string, unknown>;
  responder: () => Responder;
}

export const fixturesDir = new URL("../fixtures/replay/", import.meta.url);

export function loadPlaybook(file: string): Playbook {
  return parsePlaybook(readFileSync(new URL(file, fixturesDir), "utf8"));
}

export const scenarios: Scenario[] = [
  { name: "http_pagination", playbookFile: "http_pagination.yaml", payload: {}, responder: pagedApi },
  {
    name: "city_report",
    playbookFile: "city_report.yaml",
    payload: {},
    responder: () => (command) => {
      if (command.kind === "python") {
        const city = String(command.args.city);
        return city === "Atlantis" ? failure("no such city") : ok({ city, temp: city.length * 3 });
      }
      return ok(command.kind === "postgres" ? { row_count: 1 } : command.args);
    },
  },
];

export function record(scenario: Scenario): Harness {
  const h = new Harness(loadPlaybook(scenario.playbookFile), { executionId: `replay-${scenario.name}` });
  h.start(scenario.payload as never);
  h.runAll(scenario.responder());
  return h;
}
