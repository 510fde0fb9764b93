import { evalError } from "./errors.ts";
import { pyStr } from "./pyformat.ts";
import { checkListLength, checkStringLength } from "./state.ts";
import { percentFormat } from "./strformat.ts";
import { isFloat, makeFloat, PyFloat, toNumber, typeName } from "./values.ts";

function undefinedOperand(op: string): never {
  throw evalError(`undefined value used with '${op}'`);
}

function unsupported(op: string, a: unknown, b: unknown): never {
  if (a === undefined || b === undefined) undefinedOperand(op);
  throw evalError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

/** Integer result when both operands are ints (bools count), float otherwise — as in Python. */
function numeric(a: unknown, b: unknown, n: number): unknown {
  return isFloat(a) || isFloat(b) ? makeFloat(n) : n;
}

export function add(a: unknown, b: unknown): unknown {
  if (typeof a === "string" && typeof b === "string") {
    checkStringLength(a.length + b.length);
    return a + b;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    checkListLength(a.length + b.length);
    return a.concat(b);
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) unsupported("+", a, b);
  return numeric(a, b, x + y);
}

export function subtract(a: unknown, b: unknown): unknown {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) unsupported("-", a, b);
  return numeric(a, b, x - y);
}

function repeat(seq: unknown, times: unknown): unknown {
  if (typeof times === "boolean" || (typeof times === "number" && Number.isInteger(times))) {
    const n = Math.max(0, Number(times));
    if (typeof seq === "string") {
      checkStringLength(seq.length * n);
      return seq.repeat(n);
    }
    const list = seq as unknown[];
    checkListLength(list.length * n);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) for (const item of list) out.push(item);
    return out;
  }
  throw evalError(`can't multiply sequence by non-int of type '${typeName(times)}'`);
}

export function multiply(a: unknown, b: unknown): unknown {
  if (typeof a === "string" || Array.isArray(a)) return repeat(a, b);
  if (typeof b === "string" || Array.isArray(b)) return repeat(b, a);
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) unsupported("*", a, b);
  return numeric(a, b, x * y);
}

function divisor(op: string, a: unknown, b: unknown): [number, number] {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) unsupported(op, a, b);
  if (y === 0) throw evalError(op === "/" ? "division by zero" : "integer division or modulo by zero");
  return [x, y];
}

export function divide(a: unknown, b: unknown): unknown {
  const [x, y] = divisor("/", a, b);
  return makeFloat(x / y);
}

export function floorDivide(a: unknown, b: unknown): unknown {
  const [x, y] = divisor("//", a, b);
  return numeric(a, b, Math.floor(x / y));
}

/** Python modulo: the result takes the divisor's sign. `str % args` is printf-style formatting. */
export function modulo(a: unknown, b: unknown): unknown {
  if (typeof a === "string") return percentFormat(a, b);
  const [x, y] = divisor("%", a, b);
  let r = x % y;
  if (r !== 0 && r < 0 !== y < 0) r += y;
  return numeric(a, b, r);
}

export function power(a: unknown, b: unknown): unknown {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) unsupported("**", a, b);
  if (x === 0 && y < 0) throw evalError("0.0 cannot be raised to a negative power");
  if (x < 0 && !Number.isInteger(y))
    throw evalError("negative number cannot be raised to a fractional power");
  const n = x ** y;
  return isFloat(a) || isFloat(b) || y < 0 ? makeFloat(n) : n;
}

/** `~`: both sides printed as strings; undefined prints as "". */
export function concat(a: unknown, b: unknown): string {
  const left = pyStr(a);
  const right = pyStr(b);
  checkStringLength(left.length + right.length);
  return left + right;
}

export function negate(v: unknown): unknown {
  if (v instanceof PyFloat) return new PyFloat(-v.value);
  const n = toNumber(v);
  if (n === null) {
    if (v === undefined) undefinedOperand("-");
    throw evalError(`bad operand type for unary -: '${typeName(v)}'`);
  }
  return n === 0 ? 0 : -n;
}

export function positive(v: unknown): unknown {
  if (v instanceof PyFloat) return v;
  const n = toNumber(v);
  if (n === null) {
    if (v === undefined) undefinedOperand("+");
    throw evalError(`bad operand type for unary +: '${typeName(v)}'`);
  }
  return n;
}
