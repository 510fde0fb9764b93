import { evalError } from "../errors.ts";
import { pyStr } from "../pyformat.ts";
import { checkStringLength } from "../state.ts";
import { percentFormat } from "../strformat.ts";
import { arg, boolArg, type FilterSpec, intArg, strArg } from "./spec.ts";

/** Python `str.replace(old, new, count)`; an empty `old` inserts between characters like Python. */
export function pyReplace(s: string, old: string, replacement: string, count = -1): string {
  const limit = count < 0 ? Number.POSITIVE_INFINITY : count;
  let out = "";
  let done = 0;
  if (old === "") {
    const chars = Array.from(s);
    for (let i = 0; i <= chars.length; i++) {
      if (done < limit) {
        out += replacement;
        done++;
      }
      out += chars[i] ?? "";
      checkStringLength(out.length);
    }
    return out;
  }
  let from = 0;
  for (;;) {
    const at = done < limit ? s.indexOf(old, from) : -1;
    if (at < 0) break;
    out += s.slice(from, at) + replacement;
    checkStringLength(out.length);
    from = at + old.length;
    done++;
  }
  return out + s.slice(from);
}

/**
 * Python `str.strip(chars)`: whitespace by default. Written as index loops: a regex like `[x]+$` backtracks
 * quadratically (50,000 spaces before a letter took 4 s), which would escape the step budget.
 */
export function pyStrip(s: string, chars: unknown, side: "both" | "left" | "right" = "both"): string {
  if (chars === undefined || chars === null) {
    if (side === "left") return s.trimStart();
    return side === "right" ? s.trimEnd() : s.trim();
  }
  const set = new Set(Array.from(pyStr(chars)));
  const items = Array.from(s);
  let start = 0;
  let end = items.length;
  if (side !== "right") while (start < end && set.has(items[start]!)) start++;
  if (side !== "left") while (end > start && set.has(items[end - 1]!)) end--;
  return items.slice(start, end).join("");
}

export function capitalize(s: string): string {
  const chars = Array.from(s);
  return chars.length === 0 ? "" : chars[0]!.toUpperCase() + chars.slice(1).join("").toLowerCase();
}

function center(s: string, width: number): string {
  const margin = width - s.length;
  if (margin <= 0) return s;
  checkStringLength(width);
  const left = (margin >> 1) + (margin & width & 1);
  return " ".repeat(left) + s + " ".repeat(margin - left);
}

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const ENTITIES: ReadonlyMap<string, string> = new Map([
  ["amp", "&"],
  ["lt", "<"],
  ["gt", ">"],
  ["quot", '"'],
  ["apos", "'"],
  ["nbsp", "\u00a0"],
]);

/** Removes `<!-- comments -->` and `<tags>`, collapses whitespace, decodes entities (index loops: linear time). */
function stripTags(s: string): string {
  let text = "";
  let pos = 0;
  for (;;) {
    const open = s.indexOf("<", pos);
    if (open < 0) break;
    const isComment = s.startsWith("<!--", open);
    const close = isComment ? s.indexOf("-->", open + 4) : s.indexOf(">", open + 1);
    if (close < 0) break;
    text += s.slice(pos, open);
    pos = close + (isComment ? 3 : 1);
  }
  text = (text + s.slice(pos))
    .split(/\s+/)
    .filter((w) => w !== "")
    .join(" ");
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
    if (name.startsWith("#")) {
      const code =
        name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES.get(name.toLowerCase()) ?? whole;
  });
}

function indent(s: string, width: unknown, first: boolean, blank: boolean): string {
  const spaces = Math.max(0, Number(width) || 0);
  if (typeof width !== "string") checkStringLength(spaces);
  const indention = typeof width === "string" ? width : " ".repeat(spaces);
  const lines = `${s}\n`.split(/\r\n|\r|\n/);
  lines.pop();
  let out: string;
  if (blank) out = lines.join(`\n${indention}`);
  else {
    out = lines.shift() ?? "";
    if (lines.length > 0) out += `\n${lines.map((l) => (l ? indention + l : l)).join("\n")}`;
  }
  checkStringLength(out.length);
  return first ? indention + out : out;
}

function truncate(s: string, length: number, killwords: boolean, end: string, leeway: number): string {
  if (length < end.length) throw evalError(`truncate: length ${length} is shorter than the end marker`);
  if (leeway < 0) throw evalError("truncate: leeway must be >= 0");
  if (s.length <= length + leeway) return s;
  if (killwords) return s.slice(0, length - end.length) + end;
  const head = s.slice(0, length - end.length);
  const space = head.lastIndexOf(" ");
  return (space < 0 ? head : head.slice(0, space)) + end;
}

/** Jinja's title: capitalizes after spaces, dashes and opening brackets (unlike Python's `str.title`). */
function jinjaTitle(s: string): string {
  return s
    .split(/([-\s({[<]+)/u)
    .filter((part) => part !== "")
    .map(capitalize)
    .join("");
}

const str = (
  apply: (s: string, bound: readonly unknown[]) => unknown,
  params: string[] = [],
): FilterSpec => ({
  params,
  apply: (_st, value, bound) => apply(pyStr(value), bound),
});

export const STRING_FILTERS: Record<string, FilterSpec> = {
  string: str((s) => s),
  upper: str((s) => s.toUpperCase()),
  lower: str((s) => s.toLowerCase()),
  capitalize: str(capitalize),
  title: str(jinjaTitle),
  trim: str((s, b) => pyStrip(s, arg(b, 0, null)), ["chars"]),
  center: str((s, b) => center(s, intArg(b, 0, 80, "center width")), ["width"]),
  indent: str(
    (s, b) => indent(s, arg(b, 0, 4), boolArg(b, 1, false), boolArg(b, 2, false)),
    ["width", "first", "blank"],
  ),
  replace: str(
    (s, b) => {
      const count = arg(b, 2, null);
      const limit = count === null || count === undefined ? -1 : intArg(b, 2, -1, "count");
      return pyReplace(s, strArg(b, 0, ""), strArg(b, 1, ""), limit);
    },
    ["old", "new", "count"],
  ),
  truncate: str(
    (s, b) =>
      truncate(
        s,
        intArg(b, 0, 255, "length"),
        boolArg(b, 1, false),
        strArg(b, 2, "..."),
        intArg(b, 3, 5, "leeway"),
      ),
    ["length", "killwords", "end", "leeway"],
  ),
  wordcount: str((s) => (s.match(/[\p{L}\p{N}_]+/gu) ?? []).length),
  striptags: str(stripTags),
  escape: str(htmlEscape),
  e: str(htmlEscape),
  forceescape: str(htmlEscape),
  /** Autoescaping is off, so marking a value safe changes nothing. */
  safe: { params: [], apply: (_st, value) => value },
  format: {
    params: [],
    rest: true,
    apply: (_st, value, _bound, rest) => {
      const hasKeywords = Object.keys(rest.keyword).length > 0;
      if (hasKeywords && rest.positional.length > 0) {
        throw evalError("format: can't handle positional and keyword arguments at the same time");
      }
      return hasKeywords
        ? percentFormat(pyStr(value), rest.keyword)
        : percentFormat(pyStr(value), rest.positional, true);
    },
  },
};
