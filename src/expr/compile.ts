import { type Args, forEachChild, type Node } from "./ast.ts";
import { compare } from "./compare.ts";
import { didYouMean, type ExprError, evalError, syntaxError } from "./errors.ts";
import { FILTERS } from "./filters/index.ts";
import { bindValues, type CallableSpec, planBinding } from "./filters/spec.ts";
import { callGlobal, GLOBAL_FUNCTIONS } from "./globals.ts";
import { callMethod } from "./methods.ts";
import {
  add,
  concat,
  divide,
  floorDivide,
  modulo,
  multiply,
  negate,
  positive,
  power,
  subtract,
} from "./operators.ts";
import { pyStr } from "./pyformat.ts";
import { pySlice } from "./slice.ts";
import type { EvalState } from "./state.ts";
import { charge, checkListLength } from "./state.ts";
import { TESTS } from "./tests.ts";
import { type Dict, dataOnly, getItem, PyFloat, setKey, truthy, typeName } from "./values.ts";

/** A compiled expression: reads the scope, returns a value (boxed floats possible, see values.ts). */
export type Evaluator = (st: EvalState) => unknown;

const BINARY = {
  "+": add,
  "-": subtract,
  "*": multiply,
  "/": divide,
  "//": floorDivide,
  "%": modulo,
  "**": power,
  "~": concat,
};

function constant(value: unknown): Evaluator {
  return () => value;
}

/** Dict literal keys: strings stay, numbers/bools/None print as Python would; containers are unhashable. */
function dictKey(key: unknown): string {
  if (typeof key === "string") return key;
  if (typeof key === "object" && key !== null && !(key instanceof PyFloat)) {
    throw evalError(`unhashable type: '${typeName(key)}'`);
  }
  return pyStr(key);
}

function compileArgs(args: Args): Evaluator[] {
  return [...args.positional, ...args.keyword.map((k) => k.value)].map(compileNode);
}

/** Checks a filter/test call against its spec at compile time and returns a runtime binder. */
function bindCall<R>(kind: string, spec: CallableSpec<R>, name: string, args: Args, offset: number) {
  const plan = planBinding(
    spec,
    args.positional.length,
    args.keyword.map((k) => k.name),
  );
  if (typeof plan === "string") throw syntaxError(`${kind} '${name}' ${plan}`, offset);
  const evaluators = compileArgs(args);
  return (st: EvalState) =>
    bindValues(
      plan,
      evaluators.map((e) => e(st)),
    );
}

function lookupSpec<R>(
  kind: string,
  registry: ReadonlyMap<string, CallableSpec<R>>,
  name: string,
  offset: number,
) {
  const spec = registry.get(name);
  if (spec === undefined)
    throw syntaxError(`unknown ${kind} '${name}'${didYouMean(name, registry.keys())}`, offset);
  return spec;
}

/** Source-like text of a name/attribute chain for error messages (`response.data.page`), else "value". */
function describe(node: Node): string {
  if (node.kind === "name") return node.name;
  if (node.kind === "attr") {
    const head = describe(node.target);
    return typeof node.key === "number" ? `${head}[${node.key}]` : `${head}.${node.key}`;
  }
  return "value";
}

function undefinedOperand(text: string, op: string): ExprError {
  return evalError(`'${text}' is undefined (used with '${op}')`);
}

/** Compiles a syntax tree into nested closures (about 3x faster than walking the tree per evaluation). */
export function compileNode(node: Node): Evaluator {
  switch (node.kind) {
    case "literal": {
      const value = node.value;
      // A fresh box per evaluation, so the result check in template.ts sees that boxes exist.
      if (value instanceof PyFloat) return () => new PyFloat(value.value);
      return constant(value);
    }
    case "name": {
      const name = node.name;
      return (st) => {
        const locals = st.locals;
        if (locals !== null && name in locals) return locals[name];
        return Object.hasOwn(st.scope, name) ? dataOnly(st.scope[name]) : undefined;
      };
    }
    case "attr": {
      const target = compileNode(node.target);
      const key = node.key;
      return (st) => getItem(target(st), key);
    }
    case "item": {
      const target = compileNode(node.target);
      const key = compileNode(node.key);
      return (st) => getItem(target(st), key(st));
    }
    case "slice": {
      const target = compileNode(node.target);
      const parts = [node.start, node.stop, node.step].map((p) =>
        p === undefined ? constant(null) : compileNode(p),
      );
      const [start, stop, step] = parts as [Evaluator, Evaluator, Evaluator];
      return (st) => pySlice(target(st), start(st), stop(st), step(st));
    }
    case "list": {
      const items = node.items.map(compileNode);
      return (st) => items.map((item) => item(st));
    }
    case "dict": {
      const entries = node.entries.map(([k, v]) => [compileNode(k), compileNode(v)] as const);
      return (st) => {
        const out: Dict = {};
        for (const [k, v] of entries) setKey(out, dictKey(k(st)), v(st));
        return out;
      };
    }
    case "unary": {
      const operand = compileNode(node.operand);
      if (node.op === "not") return (st) => !truthy(operand(st));
      const op = node.op === "-" ? negate : positive;
      return (st) => op(operand(st));
    }
    case "binary": {
      const left = compileNode(node.left);
      const right = compileNode(node.right);
      const op = BINARY[node.op];
      if (node.op === "~") return (st) => op(left(st), right(st));
      const symbol = node.op;
      const leftText = describe(node.left);
      const rightText = describe(node.right);
      return (st) => {
        const l = left(st);
        const r = right(st);
        if (l === undefined) throw undefinedOperand(leftText, symbol);
        if (r === undefined) throw undefinedOperand(rightText, symbol);
        return op(l, r);
      };
    }
    case "logical": {
      const left = compileNode(node.left);
      const right = compileNode(node.right);
      if (node.op === "and") {
        return (st) => {
          const l = left(st);
          return truthy(l) ? right(st) : l;
        };
      }
      return (st) => {
        const l = left(st);
        return truthy(l) ? l : right(st);
      };
    }
    case "compare": {
      const first = compileNode(node.first);
      const rest = node.rest.map(({ op, operand }) => ({ op, operand: compileNode(operand) }));
      return (st) => {
        let left = first(st);
        for (const { op, operand } of rest) {
          const right = operand(st);
          // Membership scans the list: count its items, as filters do.
          if (Array.isArray(right) && (op === "in" || op === "not in")) charge(st, right.length);
          if (!compare(op, left, right)) return false;
          left = right;
        }
        return true;
      };
    }
    case "conditional": {
      const test = compileNode(node.test);
      const consequent = compileNode(node.consequent);
      const otherwise = node.otherwise === undefined ? constant(undefined) : compileNode(node.otherwise);
      return (st) => (truthy(test(st)) ? consequent(st) : otherwise(st));
    }
    case "filter": {
      const spec = lookupSpec("filter", FILTERS, node.name, node.offset);
      const bind = bindCall("filter", spec, node.name, node.args, node.offset);
      const target = compileNode(node.target);
      return (st) => {
        const value = target(st);
        const [bound, rest] = bind(st);
        return spec.apply(st, value, bound, rest);
      };
    }
    case "test": {
      const spec = lookupSpec("test", TESTS, node.name, node.offset);
      const bind = bindCall("test", spec, node.name, node.args, node.offset);
      const target = compileNode(node.target);
      const negated = node.negated;
      return (st) => {
        const value = target(st);
        const [bound, rest] = bind(st);
        return spec.apply(st, value, bound, rest) !== negated;
      };
    }
    case "method": {
      const target = compileNode(node.target);
      const name = node.name;
      const positional = node.args.positional.map(compileNode);
      const keyword = node.args.keyword.map((k) => [k.name, compileNode(k.value)] as const);
      return (st) => {
        const self = target(st);
        const kwargs: Dict = {};
        for (const [k, v] of keyword) setKey(kwargs, k, v(st));
        return callMethod(
          self,
          name,
          positional.map((p) => p(st)),
          kwargs,
        );
      };
    }
    case "call": {
      if (!GLOBAL_FUNCTIONS.has(node.name)) {
        throw syntaxError(
          `unknown function '${node.name}'${didYouMean(node.name, GLOBAL_FUNCTIONS)}`,
          node.offset,
        );
      }
      const name = node.name;
      const positional = node.args.positional.map(compileNode);
      const keyword = node.args.keyword.map((k) => [k.name, compileNode(k.value)] as const);
      return (st) => {
        const kwargs: Dict = {};
        for (const [k, v] of keyword) setKey(kwargs, k, v(st));
        const out = callGlobal(
          st,
          name,
          positional.map((p) => p(st)),
          kwargs,
        );
        if (Array.isArray(out)) checkListLength(out.length);
        return out;
      };
    }
  }
}

/** Counts nodes, the work one evaluation of the tree does (charged against the step budget). */
export function countNodes(root: Node): number {
  // Iterative: a long flat operator chain is a deep tree, and must not cost stack depth here.
  let n = 0;
  const pending: Node[] = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    n++;
    forEachChild(node, (child) => pending.push(child));
  }
  return n;
}
