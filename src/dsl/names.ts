/**
 * Names the template context defines (DSL §5). A step name, loop iterator or collect target must not
 * shadow them, and a template reading `<name>.x` with one of these roots is never a step reference.
 */
export const CONTEXT_NAMES: readonly string[] = Object.freeze([
  "workload",
  "ctx",
  "vars",
  "args",
  "event",
  "response",
  "error",
  "result",
  "loop",
  "execution_id",
]);

/** Literals and globals an expression may read that are neither context names nor steps. */
export const EXPRESSION_GLOBALS: readonly string[] = Object.freeze([
  "true",
  "false",
  "none",
  "True",
  "False",
  "None",
  "null",
  "range",
  "dict",
  "lipsum",
  "cycler",
  "joiner",
  "namespace",
]);

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

export function isContextName(name: string): boolean {
  return CONTEXT_NAMES.includes(name);
}
