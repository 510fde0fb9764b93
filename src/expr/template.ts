import type { Node } from "./ast.ts";
import { compileNode, countNodes, type Evaluator } from "./compile.ts";
import { budgetError, ExprError, evalError, syntaxError } from "./errors.ts";
import { compileStatements } from "./exec.ts";
import { lex } from "./lexer.ts";
import { LIMITS } from "./limits.ts";
import { Parser } from "./parser.ts";
import { charge, type EvalState, newState, type Scope } from "./state.ts";
import { looksLikeTemplate, parseTemplate } from "./template-parser.ts";
import { boxCount, unbox } from "./values.ts";

export interface Template {
  readonly source: string;
  /** False for plain text without `{{`, `{%` or `{#`: it renders to itself. */
  readonly isTemplate: boolean;
  /** A single `{{ expr }}` renders to the typed value; anything else to a string. */
  render(scope: Scope): unknown;
}

/** Anything thrown while evaluating becomes an ExprError (a JS stack overflow on deep data is a budget error). */
export function asExprError(e: unknown): ExprError {
  if (e instanceof ExprError) return e;
  if (e instanceof RangeError && /call stack|Invalid (string|array) length/i.test(e.message)) {
    return budgetError(`evaluation too deep or too large: ${e.message}`);
  }
  return evalError(e instanceof Error ? e.message : String(e));
}

function checkSourceLength(source: string): void {
  if (source.length > LIMITS.maxSourceLength) {
    throw budgetError(`source of ${source.length} characters exceeds the limit of ${LIMITS.maxSourceLength}`);
  }
}

/** Runs one compiled expression with a fresh state and returns the typed value with floats unboxed. */
function runTyped(evaluator: Evaluator, cost: number, scope: Scope): unknown {
  const before = boxCount();
  try {
    const st = newState(scope);
    charge(st, cost);
    const value = evaluator(st);
    return boxCount() === before ? value : unbox(value);
  } catch (e) {
    throw asExprError(e);
  }
}

class PlainText implements Template {
  readonly isTemplate = false;
  constructor(readonly source: string) {}
  render(): unknown {
    return this.source;
  }
}

class TypedTemplate implements Template {
  readonly isTemplate = true;
  constructor(
    readonly source: string,
    private readonly evaluator: Evaluator,
    private readonly cost: number,
  ) {}
  render(scope: Scope): unknown {
    return runTyped(this.evaluator, this.cost, scope);
  }
}

class TextTemplate implements Template {
  readonly isTemplate = true;
  constructor(
    readonly source: string,
    private readonly run: (st: EvalState) => string,
  ) {}
  render(scope: Scope): string {
    try {
      return this.run(newState(scope));
    } catch (e) {
      throw asExprError(e);
    }
  }
}

function buildTemplate(source: string): Template {
  checkSourceLength(source);
  if (!looksLikeTemplate(source)) return new PlainText(source);
  const stmts = parseTemplate(source);
  const outputs = stmts.filter((p) => p.kind === "output");
  const onlyOneOutput =
    outputs.length === 1 &&
    stmts.every((p) => p.kind === "output" || (p.kind === "text" && p.text.trim() === ""));
  if (onlyOneOutput && outputs[0]!.kind === "output") {
    const node = outputs[0]!.node;
    return new TypedTemplate(source, compileNode(node), countNodes(node));
  }
  return new TextTemplate(source, compileStatements(stmts));
}

/** A bounded cache: on overflow the oldest entry goes. Hits cost one Map lookup (no LRU bookkeeping). */
class BoundedCache<V> {
  private readonly map = new Map<string, V>();
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    if (key.length > LIMITS.maxCachedSourceLength) return;
    if (this.map.size >= LIMITS.cacheSize) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }
}

const templates = new BoundedCache<Template>();

/** Compiles (or fetches from the cache) a template. Throws ExprError E_EXPR_SYNTAX / E_EXPR_BUDGET. */
export function compileTemplate(source: string): Template {
  // Plain text is not cached: it costs nothing to wrap and would only push real templates out.
  if (!looksLikeTemplate(source) && source.length <= LIMITS.maxSourceLength) return new PlainText(source);
  const cached = templates.get(source);
  if (cached !== undefined) return cached;
  let template: Template;
  try {
    template = buildTemplate(source);
  } catch (e) {
    throw asExprError(e);
  }
  templates.set(source, template);
  return template;
}

export function render(source: string, scope: Scope): unknown {
  return compileTemplate(source).render(scope);
}

/** Parses a bare expression (no `{{ }}`), the form `when`, `collect.from` and `result.from` use. */
export function parseBareExpression(source: string): Node {
  checkSourceLength(source);
  const { tokens } = lex(source, 0, "eof");
  const parser = new Parser(tokens);
  if (parser.current.type === "eof") throw syntaxError("empty expression", 0);
  return parser.parseAll();
}

const expressions = new BoundedCache<Template>();

function compileExpression(source: string): Template {
  const cached = expressions.get(source);
  if (cached !== undefined) return cached;
  let template: Template;
  try {
    const node = parseBareExpression(source);
    template = new TypedTemplate(source, compileNode(node), countNodes(node));
  } catch (e) {
    throw asExprError(e);
  }
  expressions.set(source, template);
  return template;
}

/**
 * Evaluates a bare expression (`a.b | length > 0`) or a template: a string that is one `{{ expr }}` gives the
 * same typed value as the bare `expr`; other template text renders to a string.
 */
export function evaluate(expression: string, scope: Scope): unknown {
  const template = looksLikeTemplate(expression)
    ? compileTemplate(expression)
    : compileExpression(expression);
  return template.render(scope);
}

/** Compiles without evaluating; the validator's entry point. */
export function checkSyntax(source: string, opts?: { expression?: boolean }): ExprError | null {
  try {
    if (opts?.expression === true && !looksLikeTemplate(source)) compileExpression(source);
    else compileTemplate(source);
    return null;
  } catch (e) {
    return asExprError(e);
  }
}
