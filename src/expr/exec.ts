import type { Node } from "./ast.ts";
import { compileNode, countNodes, type Evaluator } from "./compile.ts";
import { evalError } from "./errors.ts";
import { iterate } from "./filters/spec.ts";
import { pyStr } from "./pyformat.ts";
import { charge, checkStringLength, type EvalState } from "./state.ts";
import type { Stmt } from "./template-parser.ts";
import { type Dict, truthy } from "./values.ts";

/** Appends a statement's output to `out`. */
export type Executor = (st: EvalState, out: string[]) => void;

/** Output length so far, kept on the array to check the size budget without joining. */
type Output = string[] & { size?: number };

function write(out: Output, text: string): void {
  out.push(text);
  out.size = (out.size ?? 0) + text.length;
  checkStringLength(out.size);
}

/** An expression evaluator that charges its node count to the step budget each time it runs. */
function charged(node: Node): Evaluator {
  const evaluate = compileNode(node);
  const cost = countNodes(node);
  return (st) => {
    charge(st, cost);
    return evaluate(st);
  };
}

function frame(parent: Dict | null): Dict {
  return Object.create(parent) as Dict;
}

/** Binds `for a, b in ...` / `set a, b = ...` targets; several targets unpack a list of the same length. */
function assign(locals: Dict, targets: readonly string[], value: unknown): void {
  if (targets.length === 1) {
    locals[targets[0]!] = value;
    return;
  }
  if (!Array.isArray(value) || value.length !== targets.length) {
    throw evalError(`cannot unpack ${pyStr(value)} into ${targets.length} names`);
  }
  targets.forEach((t, i) => {
    locals[t] = value[i];
  });
}

function compileBody(stmts: readonly Stmt[]): Executor {
  const parts = stmts.map(compileStatement);
  return (st, out) => {
    for (const part of parts) part(st, out);
  };
}

function compileFor(stmt: Extract<Stmt, { kind: "for" }>): Executor {
  const iterable = charged(stmt.iterable);
  const filter = stmt.filter === undefined ? undefined : charged(stmt.filter);
  const body = compileBody(stmt.body);
  const otherwise = compileBody(stmt.otherwise);
  const { targets } = stmt;
  return (st, out) => {
    const outer = st.locals;
    let items = iterate(iterable(st), "for loop");
    if (filter !== undefined) {
      items = items.filter((item) => {
        charge(st, 1);
        st.locals = frame(outer);
        assign(st.locals, targets, item);
        return truthy(filter(st));
      });
    }
    try {
      if (items.length === 0) {
        st.locals = outer;
        otherwise(st, out);
        return;
      }
      const length = items.length;
      items.forEach((item, index0) => {
        charge(st, 1);
        const locals = frame(outer);
        assign(locals, targets, item);
        locals.loop = {
          index: index0 + 1,
          index0,
          revindex: length - index0,
          revindex0: length - index0 - 1,
          first: index0 === 0,
          last: index0 === length - 1,
          length,
          previtem: index0 > 0 ? items[index0 - 1] : undefined,
          nextitem: index0 < length - 1 ? items[index0 + 1] : undefined,
          depth: 1,
          depth0: 0,
        };
        st.locals = locals;
        body(st, out);
      });
    } finally {
      st.locals = outer;
    }
  };
}

function compileStatement(stmt: Stmt): Executor {
  switch (stmt.kind) {
    case "text": {
      const text = stmt.text;
      return (_st, out) => write(out, text);
    }
    case "output": {
      const evaluate = charged(stmt.node);
      return (st, out) => write(out, pyStr(evaluate(st)));
    }
    case "if": {
      const branches = stmt.branches.map((b) => ({ test: charged(b.test), body: compileBody(b.body) }));
      const otherwise = compileBody(stmt.otherwise);
      return (st, out) => {
        for (const b of branches) {
          if (truthy(b.test(st))) return b.body(st, out);
        }
        otherwise(st, out);
      };
    }
    case "for":
      return compileFor(stmt);
    case "set": {
      const value = charged(stmt.value);
      const { targets } = stmt;
      return (st) => {
        const v = value(st);
        st.locals ??= frame(null);
        assign(st.locals, targets, v);
      };
    }
    case "setBlock": {
      const body = compileBody(stmt.body);
      const { target } = stmt;
      return (st) => {
        const inner: string[] = [];
        body(st, inner);
        st.locals ??= frame(null);
        st.locals[target] = inner.join("");
      };
    }
  }
}

/** Compiles a template's statements into one function that renders text. */
export function compileStatements(stmts: readonly Stmt[]): (st: EvalState) => string {
  const body = compileBody(stmts);
  return (st) => {
    const out: string[] = [];
    body(st, out);
    return out.join("");
  };
}
