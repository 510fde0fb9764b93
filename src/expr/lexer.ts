import { syntaxError } from "./errors.ts";

export type TokenType = "name" | "int" | "float" | "string" | "op" | "eof";

export interface Token {
  readonly type: TokenType;
  /** Operator or name text, or the decoded string literal. */
  readonly value: string;
  /** Numeric value of int/float literals. */
  readonly num: number;
  /** Offset of the token's first character in the whole source. */
  readonly offset: number;
}

/** Where the expression region ends. */
export type LexEnd =
  | "}}" // inside `{{ ... }}` of a template
  | "%}" // inside `{% ... %}`
  | "eof"; // a bare expression: the whole string

export interface LexResult {
  readonly tokens: Token[];
  /** Offset just after the closing `}}`/`%}` (or source length). */
  readonly next: number;
  /** The closer was written `-}}`/`-%}`: strip whitespace after it. */
  readonly trimAfter: boolean;
}

const OPERATORS = [
  "**",
  "//",
  "==",
  "!=",
  "<=",
  ">=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "~",
  "<",
  ">",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ".",
  ":",
  "|",
  "=",
];
const OPENERS = "([{";
const CLOSERS = ")]}";

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER =
  /0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|\d+(?:_\d+)*(\.\d+(?:_\d+)*)?([eE][+-]?\d+(?:_\d+)*)?/y;
const INTEGER = /\d+(?:_\d+)*/y;
const SPACE = /\s+/y;

function match(re: RegExp, src: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(src);
}

const SIMPLE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ["n", "\n"],
  ["t", "\t"],
  ["r", "\r"],
  ["\\", "\\"],
  ["'", "'"],
  ['"', '"'],
  ["a", "\x07"],
  ["b", "\b"],
  ["f", "\f"],
  ["v", "\v"],
  ["\n", ""],
]);

/** Decodes a string literal body with Python's escape rules (`\n`, `\xhh`, `\u....`, unknown kept). */
function decodeString(body: string, offset: number): string {
  if (!body.includes("\\")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = body[++i];
    if (next === undefined) throw syntaxError("unterminated escape in string", offset + i);
    const simple = SIMPLE_ESCAPES.get(next);
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const width = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
    if (width > 0) {
      const hex = body.slice(i + 1, i + 1 + width);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) {
        throw syntaxError(`bad \\${next} escape in string`, offset + i);
      }
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) throw syntaxError("escape out of unicode range", offset + i);
      out += String.fromCodePoint(code);
      i += width;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(body.slice(i, i + 3));
    if (octal) {
      out += String.fromCodePoint(Number.parseInt(octal[0], 8));
      i += octal[0].length - 1;
      continue;
    }
    out += `\\${next}`;
  }
  return out;
}

/**
 * Splits one expression region into tokens, from `start` until `end` is met outside brackets (Jinja does the
 * same, so `{{ {'a': {'b': 1}} }}` works).
 */
export function lex(src: string, start: number, end: LexEnd): LexResult {
  const tokens: Token[] = [];
  const stack: { op: string; offset: number }[] = [];
  let pos = start;
  const push = (type: TokenType, value: string, offset: number, num = 0) => {
    tokens.push({ type, value, num, offset });
  };
  for (;;) {
    const space = match(SPACE, src, pos);
    if (space) pos += space[0].length;
    if (pos >= src.length) {
      if (end !== "eof") throw syntaxError(`missing '${end}' to close the expression`, src.length);
      push("eof", "", pos);
      return { tokens, next: pos, trimAfter: false };
    }
    if (end !== "eof" && stack.length === 0) {
      const trim = src[pos] === "-" && src.startsWith(end, pos + 1);
      if (trim || src.startsWith(end, pos)) {
        push("eof", "", pos);
        return { tokens, next: pos + end.length + (trim ? 1 : 0), trimAfter: trim };
      }
    }
    const ch = src[pos]!;
    if (ch === "'" || ch === '"') {
      let i = pos + 1;
      while (i < src.length && src[i] !== ch) i += src[i] === "\\" ? 2 : 1;
      if (i >= src.length) throw syntaxError("unterminated string", pos);
      push("string", decodeString(src.slice(pos + 1, i), pos + 1), pos);
      pos = i + 1;
      continue;
    }
    const afterDot = tokens.length > 0 && tokens[tokens.length - 1]!.value === ".";
    const number = match(afterDot ? INTEGER : NUMBER, src, pos);
    if (number) {
      const text = number[0].replaceAll("_", "");
      const isFloat = !afterDot && (number[1] !== undefined || number[2] !== undefined);
      const value = /^0[xob]/i.test(text) ? Number(text.toLowerCase()) : Number(text);
      push(isFloat ? "float" : "int", number[0], pos, value);
      pos += number[0].length;
      continue;
    }
    const name = match(NAME, src, pos);
    if (name) {
      push("name", name[0], pos);
      pos += name[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, pos));
    if (op === undefined) throw syntaxError(`unexpected character '${ch}'`, pos);
    if (OPENERS.includes(op)) stack.push({ op, offset: pos });
    else if (CLOSERS.includes(op)) {
      const open = stack.pop();
      if (open === undefined) throw syntaxError(`unexpected '${op}'`, pos);
      if (OPENERS.indexOf(open.op) !== CLOSERS.indexOf(op)) {
        throw syntaxError(`unexpected '${op}' (the '${open.op}' at ${open.offset} is not closed)`, pos);
      }
    }
    push("op", op, pos);
    pos += op.length;
  }
}
