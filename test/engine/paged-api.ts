import type { Command } from "../../src/engine/types.ts";
import { failure, ok, type Responder } from "./driver.ts";

/** A paged API for DSL.md §9: 3 pages of 2 items; page 2 answers 503 once before succeeding. */
export function pagedApi(): Responder {
  let flaked = false;
  return (command: Command) => {
    if (command.kind !== "http") return ok(command.args);
    const page = Number((command.tool.params as { page: number }).page);
    if (page === 2 && !flaked) {
      flaked = true;
      return failure("Service Unavailable", { status: 503 });
    }
    const items = [`item${page * 2 - 1}`, `item${page * 2}`];
    return ok({ status: 200, data: { items, paging: { page, hasMore: page < 3 } } });
  };
}
