/**
 * The template and expression language: Jinja2 expression syntax over plain JSON data.
 * See docs/expressions.md for the user-facing reference.
 */
export { ExprError, type ExprErrorCode } from "./errors.ts";
export { LIMITS } from "./limits.ts";
export { references } from "./references.ts";
export { isTruthy, type Path, renderDeep } from "./render-deep.ts";
export type { Scope } from "./state.ts";
export { checkSyntax, compileTemplate, evaluate, render, type Template } from "./template.ts";
