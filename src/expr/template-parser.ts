import type { Node } from "./ast.ts";
import { syntaxError } from "./errors.ts";
import { lex } from "./lexer.ts";
import { Parser } from "./parser.ts";

/** A piece of a template. Statements (`{% if %}`, `{% for %}`, `{% set %}`) hold nested bodies. */
export type Stmt =
  | { kind: "text"; text: string }
  | { kind: "output"; node: Node; offset: number }
  | { kind: "if"; branches: { test: Node; body: Stmt[] }[]; otherwise: Stmt[] }
  | {
      kind: "for";
      targets: string[];
      iterable: Node;
      filter?: Node;
      body: Stmt[];
      otherwise: Stmt[];
      offset: number;
    }
  | { kind: "set"; targets: string[]; value: Node; offset: number }
  | { kind: "setBlock"; target: string; body: Stmt[] };

/** True when the text contains template syntax at all; plain strings skip parsing entirely. */
export function looksLikeTemplate(source: string): boolean {
  return source.includes("{{") || source.includes("{%") || source.includes("{#");
}

const OPENER = /\{\{|\{%|\{#/g;

interface Tag {
  name: string;
  parser: Parser;
  offset: number;
}

/** The statements we support; anything else (`macro`, `include`, ...) is a syntax error. */
const KNOWN_TAGS = new Set([
  "if",
  "elif",
  "else",
  "endif",
  "for",
  "endfor",
  "set",
  "endset",
  "raw",
  "endraw",
]);

class TemplateParser {
  private pos = 0;
  private trimNext = false;

  constructor(private readonly source: string) {}

  /** Parses statements until one of `stops` tags (returned) or the end of the source (null). */
  body(stops: readonly string[]): { body: Stmt[]; stop: Tag | null } {
    const body: Stmt[] = [];
    for (;;) {
      OPENER.lastIndex = this.pos;
      const m = OPENER.exec(this.source);
      if (m === null) {
        this.text(body, this.source.slice(this.pos), false);
        this.pos = this.source.length;
        return { body, stop: null };
      }
      const start = m.index;
      const trimBefore = this.source[start + 2] === "-";
      this.text(body, this.source.slice(this.pos, start), trimBefore);
      const inner = start + 2 + (trimBefore ? 1 : 0);
      if (m[0] === "{#") {
        const end = this.source.indexOf("#}", inner);
        if (end < 0) throw syntaxError("missing '#}' to close the comment", start);
        this.trimNext = this.source[end - 1] === "-" && end - 1 >= inner;
        this.pos = end + 2;
      } else if (m[0] === "{{") {
        const { tokens, next, trimAfter } = lex(this.source, inner, "}}");
        const parser = new Parser(tokens);
        if (parser.current.type === "eof") throw syntaxError("empty expression", parser.current.offset);
        body.push({ kind: "output", node: parser.parseAll(), offset: start });
        this.trimNext = trimAfter;
        this.pos = next;
      } else {
        const tag = this.tag(start, inner);
        if (stops.includes(tag.name)) return { body, stop: tag };
        body.push(this.statement(tag));
      }
    }
  }

  private text(body: Stmt[], text: string, trimEnd: boolean): void {
    let t = this.trimNext ? text.trimStart() : text;
    this.trimNext = false;
    if (trimEnd) t = t.trimEnd();
    if (t !== "") body.push({ kind: "text", text: t });
  }

  private tag(start: number, inner: number): Tag {
    const { tokens, next, trimAfter } = lex(this.source, inner, "%}");
    const parser = new Parser(tokens);
    const first = parser.current;
    if (first.type !== "name") throw syntaxError("expected a statement name after '{%'", first.offset);
    if (!KNOWN_TAGS.has(first.value)) throw syntaxError(`unknown statement '${first.value}'`, first.offset);
    parser.expectName();
    this.trimNext = trimAfter;
    this.pos = next;
    return { name: first.value, parser, offset: start };
  }

  private unclosed(tag: Tag, end: string): never {
    throw syntaxError(`'${tag.name}' is never closed (missing '{% ${end} %}')`, tag.offset);
  }

  private statement(tag: Tag): Stmt {
    switch (tag.name) {
      case "if":
        return this.ifStatement(tag);
      case "for":
        return this.forStatement(tag);
      case "set":
        return this.setStatement(tag);
      case "raw":
        return this.raw(tag);
      default:
        throw syntaxError(`unexpected '{% ${tag.name} %}'`, tag.offset);
    }
  }

  private ifStatement(tag: Tag): Stmt {
    const branches: { test: Node; body: Stmt[] }[] = [];
    let test = tag.parser.parseAll();
    for (;;) {
      const { body, stop } = this.body(["elif", "else", "endif"]);
      branches.push({ test, body });
      if (stop === null) this.unclosed(tag, "endif");
      if (stop.name === "endif") {
        stop.parser.expectEnd();
        return { kind: "if", branches, otherwise: [] };
      }
      if (stop.name === "else") {
        stop.parser.expectEnd();
        const rest = this.body(["endif"]);
        if (rest.stop === null) this.unclosed(tag, "endif");
        rest.stop.parser.expectEnd();
        return { kind: "if", branches, otherwise: rest.body };
      }
      test = stop.parser.parseAll();
    }
  }

  private targets(parser: Parser): string[] {
    const paren = parser.skipOp("(");
    const names = [parser.expectName().value];
    while (parser.skipOp(",")) names.push(parser.expectName().value);
    if (paren) parser.expectOp(")");
    return names;
  }

  private forStatement(tag: Tag): Stmt {
    const p = tag.parser;
    const targets = this.targets(p);
    if (!p.skipName("in")) throw syntaxError("expected 'in' in for statement", p.current.offset);
    const iterable = p.or();
    const filter = p.skipName("if") ? p.expression() : undefined;
    p.expectEnd();
    const { body, stop } = this.body(["else", "endfor"]);
    if (stop === null) this.unclosed(tag, "endfor");
    stop.parser.expectEnd();
    let otherwise: Stmt[] = [];
    if (stop.name === "else") {
      const rest = this.body(["endfor"]);
      if (rest.stop === null) this.unclosed(tag, "endfor");
      rest.stop.parser.expectEnd();
      otherwise = rest.body;
    }
    return { kind: "for", targets, iterable, filter, body, otherwise, offset: tag.offset };
  }

  private setStatement(tag: Tag): Stmt {
    const p = tag.parser;
    const targets = this.targets(p);
    if (p.current.type === "eof" && targets.length === 1) {
      const { body, stop } = this.body(["endset"]);
      if (stop === null) this.unclosed(tag, "endset");
      stop.parser.expectEnd();
      return { kind: "setBlock", target: targets[0]!, body };
    }
    p.expectOp("=");
    const value = p.parseAll();
    return { kind: "set", targets, value, offset: tag.offset };
  }

  /** `{% raw %}...{% endraw %}`: the text in between is output as is. */
  private raw(tag: Tag): Stmt {
    tag.parser.expectEnd();
    const end = /\{%-?\s*endraw\s*-?%\}/g;
    end.lastIndex = this.pos;
    const m = end.exec(this.source);
    if (m === null) this.unclosed(tag, "endraw");
    let text = this.source.slice(this.pos, m.index);
    if (this.trimNext) text = text.trimStart();
    if (m[0].startsWith("{%-")) text = text.trimEnd();
    this.trimNext = m[0].endsWith("-%}");
    this.pos = m.index + m[0].length;
    return { kind: "text", text };
  }
}

/** Parses template text into statements, handling `{{- -}}` whitespace control and `{# comments #}`. */
export function parseTemplate(source: string): Stmt[] {
  const parser = new TemplateParser(source);
  const { body, stop } = parser.body([]);
  if (stop !== null) throw syntaxError(`unexpected '{% ${stop.name} %}'`, stop.offset);
  return body;
}
