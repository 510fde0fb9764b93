import type { Node } from "./ast.ts";
import { syntaxError } from "./errors.ts";
import { lex } from "./lexer.ts";
import { Parser } from "./parser.ts";

/** A piece of a template: literal text, or an interpolated expression `{{ expr }}`. */
export type Part = { kind: "text"; text: string } | { kind: "output"; node: Node; offset: number };

/** True when the text contains template syntax at all; plain strings skip parsing entirely. */
export function looksLikeTemplate(source: string): boolean {
  return source.includes("{{") || source.includes("{%") || source.includes("{#");
}

const OPENER = /\{\{|\{%|\{#/g;

/** Splits template text into parts, handling `{{- -}}` whitespace control and `{# comments #}`. */
export function parseTemplate(source: string): Part[] {
  const parts: Part[] = [];
  let pos = 0;
  let trimNext = false;
  const pushText = (text: string, trimEnd: boolean) => {
    let t = trimNext ? text.replace(/^\s+/, "") : text;
    if (trimEnd) t = t.replace(/\s+$/, "");
    if (t !== "") parts.push({ kind: "text", text: t });
  };
  for (;;) {
    OPENER.lastIndex = pos;
    const m = OPENER.exec(source);
    if (m === null) {
      pushText(source.slice(pos), false);
      return parts;
    }
    const start = m.index;
    const trimBefore = source[start + 2] === "-";
    pushText(source.slice(pos, start), trimBefore);
    const inner = start + 2 + (trimBefore ? 1 : 0);
    if (m[0] === "{#") {
      const end = source.indexOf("#}", inner);
      if (end < 0) throw syntaxError("missing '#}' to close the comment", start);
      trimNext = source[end - 1] === "-" && end - 1 >= inner;
      pos = end + 2;
      continue;
    }
    if (m[0] === "{%") {
      throw syntaxError(
        "statements ({% ... %}) are not supported; use expressions like 'a if c else b'",
        start,
      );
    }
    const { tokens, next, trimAfter } = lex(source, inner, "}}");
    const parser = new Parser(tokens);
    if (parser.current.type === "eof") throw syntaxError("empty expression", parser.current.offset);
    const node = parser.parseAll();
    parts.push({ kind: "output", node, offset: start });
    trimNext = trimAfter;
    pos = next;
  }
}
