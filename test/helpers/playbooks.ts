/** Playbooks several tests share. */

/** A chain of `noop` steps in the order given (the first is the entry step, `start`), each `next` to the one after. */
export function noopChain(name: string, steps: readonly string[]): string {
  const lines = steps.flatMap((step, i) => {
    const next = steps[i + 1];
    const own = [`  - step: ${step}`, "    tool: {kind: noop}"];
    return next === undefined ? own : [...own, `    next: [{step: ${next}}]`];
  });
  return `apiVersion: noetl.io/v2\nkind: Playbook\nmetadata: {name: ${name}}\nworkflow:\n${lines.join("\n")}\n`;
}
