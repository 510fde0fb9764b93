/**
 * The benchmark playbooks, generated. JSON is valid YAML, so each generator builds the document as an
 * object and the catalog parses it like any other playbook.
 */

interface StepSpec {
  step: string;
  tool: Record<string, unknown>;
  loop?: Record<string, unknown>;
  next?: string;
}

function playbook(name: string, steps: StepSpec[]): string {
  return JSON.stringify({
    apiVersion: "noetl.io/v2",
    kind: "Playbook",
    metadata: { name, path: `bench/${name}` },
    workflow: steps,
  });
}

/** `length` noop steps, each naming the next with `next`: start → s1 → … → s<length-1>. */
export function chainPlaybook(length: number, name = `chain${length}`): string {
  const names = Array.from({ length }, (_, i) => (i === 0 ? "start" : `s${i}`));
  return playbook(
    name,
    names.map((step, i) => {
      const next = names[i + 1];
      return next === undefined ? { step, tool: { kind: "noop" } } : { step, tool: { kind: "noop" }, next };
    }),
  );
}

export const FIBO_CODE = `def main(n):
    def fib(k):
        return k if k < 2 else fib(k - 1) + fib(k - 2)
    return fib(n)
`;

/** A sequential loop over `items` items, each a python step computing naive recursive fib(n). */
export function fiboPlaybook(items: number, n = 10): string {
  return playbook(`fibo${items}`, [
    {
      step: "start",
      loop: { in: `{{ range(${items}) }}`, iterator: "i", mode: "sequential" },
      tool: { kind: "python", code: FIBO_CODE, args: { n } },
    },
  ]);
}

/** One parallel loop of `items` noop items with `maxInFlight` at once. */
export function fanoutPlaybook(items: number, maxInFlight: number): string {
  return playbook(`fanout${items}`, [
    {
      step: "start",
      loop: { in: `{{ range(${items}) }}`, iterator: "i", mode: "parallel", max_in_flight: maxInFlight },
      tool: { kind: "noop" },
    },
  ]);
}
