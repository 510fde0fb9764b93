import { contains } from "./compare.ts";
import { evalError } from "./errors.ts";
import { FILTERS } from "./filters/index.ts";
import { arg, type TestSpec } from "./filters/spec.ts";
import { isDict, isFloat, isInt, PyFloat, pyCompare, pyEquals, toNumber, typeName } from "./values.ts";

function unary(test: (v: unknown) => boolean): TestSpec {
  return { params: [], apply: (_st, v) => test(v) };
}

function binary(test: (v: unknown, other: unknown) => boolean): TestSpec {
  return { params: ["other"], required: 1, apply: (_st, v, b) => test(v, arg(b, 0, undefined)) };
}

/** Ordering tests are false when either side is undefined, like the comparison operators. */
function ordering(op: string, ok: (c: number) => boolean): TestSpec {
  return binary((v, other) => v !== undefined && other !== undefined && ok(pyCompare(v, other, op)));
}

function integerValue(v: unknown, what: string): number {
  const n = toNumber(v);
  if (n === null || typeof v === "boolean" || v === undefined) {
    throw evalError(`'${what}' test needs a number, not '${typeName(v)}'`);
  }
  return n;
}

const eq = binary(pyEquals);
const ne = binary((v, o) => !pyEquals(v, o));
const lt = ordering("<", (c) => c < 0);
const le = ordering("<=", (c) => c <= 0);
const gt = ordering(">", (c) => c > 0);
const ge = ordering(">=", (c) => c >= 0);
const isString = (v: unknown) => typeof v === "string";

/** Every test by name (`x is defined`, `x is divisibleby 3`). Unknown names are syntax errors. */
export const TESTS: ReadonlyMap<string, TestSpec> = new Map(
  Object.entries({
    defined: unary((v) => v !== undefined),
    undefined: unary((v) => v === undefined),
    none: unary((v) => v === null),
    boolean: unary((v) => typeof v === "boolean"),
    true: unary((v) => v === true),
    false: unary((v) => v === false),
    number: unary((v) => typeof v === "number" || v instanceof PyFloat || typeof v === "boolean"),
    integer: unary(isInt),
    float: unary(isFloat),
    string: unary(isString),
    mapping: unary(isDict),
    iterable: unary((v) => typeof v === "string" || Array.isArray(v) || isDict(v)),
    sequence: unary((v) => typeof v === "string" || Array.isArray(v) || isDict(v)),
    callable: unary(() => false),
    escaped: unary(() => false),
    lower: unary((v) => typeof v === "string" && v === v.toLowerCase()),
    upper: unary((v) => typeof v === "string" && v === v.toUpperCase()),
    even: unary((v) => integerValue(v, "even") % 2 === 0),
    odd: unary((v) => Math.abs(integerValue(v, "odd") % 2) === 1),
    divisibleby: binary((v, n) => {
      const d = integerValue(n, "divisibleby");
      if (d === 0) throw evalError("divisibleby: division by zero");
      return integerValue(v, "divisibleby") % d === 0;
    }),
    sameas: binary(
      (v, o) => v === o || (v instanceof PyFloat && o instanceof PyFloat && v.value === o.value),
    ),
    in: binary((v, seq) => contains(seq, v)),
    eq,
    equalto: eq,
    "==": eq,
    ne,
    "!=": ne,
    lt,
    lessthan: lt,
    "<": lt,
    le,
    "<=": le,
    gt,
    greaterthan: gt,
    ">": gt,
    ge,
    ">=": ge,
    filter: { params: [], apply: (_st, v) => typeof v === "string" && FILTERS.has(v) },
    test: { params: [], apply: (_st, v) => typeof v === "string" && TESTS.has(v) },
  }),
);
