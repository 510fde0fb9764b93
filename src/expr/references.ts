import { forEachChild, type Node } from "./ast.ts";
import { asExprError, parseBareExpression } from "./template.ts";
import { looksLikeTemplate, parseTemplate, type Stmt } from "./template-parser.ts";

type PathItem = string | number;

/** The root-to-leaf path of a static access chain (`a.b[0]['c']`), or null when the chain has a computed part. */
function staticPath(node: Node): PathItem[] | null {
  if (node.kind === "name") return [node.name];
  if (node.kind === "attr") {
    const head = staticPath(node.target);
    return head === null ? null : [...head, node.key];
  }
  return null;
}

function collect(node: Node, bound: ReadonlySet<string>, out: PathItem[][]): void {
  const path = staticPath(node);
  if (path !== null) {
    if (!bound.has(path[0] as string)) out.push(path);
    return;
  }
  forEachChild(node, (child) => collect(child, bound, out));
}

/** Statements: loop targets and `loop` are bound inside the loop; `set` names from the statement on. */
function collectStatements(stmts: readonly Stmt[], bound: Set<string>, out: PathItem[][]): void {
  for (const stmt of stmts) {
    switch (stmt.kind) {
      case "text":
        break;
      case "output":
        collect(stmt.node, bound, out);
        break;
      case "if":
        for (const b of stmt.branches) {
          collect(b.test, bound, out);
          collectStatements(b.body, bound, out);
        }
        collectStatements(stmt.otherwise, bound, out);
        break;
      case "for": {
        collect(stmt.iterable, bound, out);
        const inner = new Set([...bound, ...stmt.targets, "loop"]);
        if (stmt.filter !== undefined) collect(stmt.filter, inner, out);
        collectStatements(stmt.body, inner, out);
        collectStatements(stmt.otherwise, bound, out);
        break;
      }
      case "set":
        collect(stmt.value, bound, out);
        for (const t of stmt.targets) bound.add(t);
        break;
      case "setBlock":
        collectStatements(stmt.body, bound, out);
        bound.add(stmt.target);
        break;
    }
  }
}

/** Distinct paths in order of first appearance. */
function dedupe(paths: PathItem[][]): PathItem[][] {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const key = JSON.stringify(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The context paths a template (or, with `expression`, a bare expression) reads: `[["response", "data",
 * "paging", "page"]]`. Each path runs from a root name as far as static attribute/constant item access goes.
 * List indexes appear as digit strings (`x[0]` is `["x", "0"]`). Throws ExprError on a syntax error.
 */
export function references(source: string, opts?: { expression?: boolean }): string[][] {
  try {
    const out: PathItem[][] = [];
    const bound = new Set<string>();
    if (opts?.expression === true && !looksLikeTemplate(source)) {
      collect(parseBareExpression(source), bound, out);
    } else {
      collectStatements(parseTemplate(source), bound, out);
    }
    return dedupe(out).map((p) => p.map(String));
  } catch (e) {
    throw asExprError(e);
  }
}
