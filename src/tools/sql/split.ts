/**
 * Splits a SQL script into statements the way psql does, without parsing SQL: a `;` ends a statement only
 * outside 'strings' (with '' doubling), E'strings' (with backslash escapes), "identifiers", $tag$dollar
 * quotes$tag$, -- line comments, nested block comments, parentheses, and the BEGIN ... END body of
 * CREATE [OR REPLACE] FUNCTION|PROCEDURE (psqlscan.l's heuristic). Statements holding only whitespace and
 * comments are dropped. PostgreSQL and DuckDB share this lexical syntax, so both tools use it.
 *
 * While scanning it also records what the tools need to know without a parser: the placeholders each
 * statement uses and its first words (which tell a COMMIT from a SELECT).
 */

export interface SqlStatement {
  /** The statement as written (comments kept), trimmed, without its terminating `;`. */
  text: string;
  /** Offset of `text` in the script. */
  offset: number;
  /** The highest `$n` placeholder used outside literals, identifiers and comments; 0 when none. */
  maxDollarParam: number;
  /** Every `$n` used, ascending (`$2` alone gives [2]: PostgreSQL must be told the type of an unused `$1`). */
  dollarParams: number[];
  /** How many `?` placeholders appear outside literals, identifiers and comments (DuckDB's style). */
  questionParams: number;
  /** The first bare words, upper-cased (up to 8): `["CREATE", "INDEX", "CONCURRENTLY", ...]`. */
  words: string[];
  /** Every placeholder in order of appearance; `at` is its offset in `text`, `number` is null for `?`. */
  placeholders: Placeholder[];
}

export interface Placeholder {
  at: number;
  length: number;
  number: number | null;
}

const MAX_WORDS = 8;

function isIdentStart(ch: string): boolean {
  return /[A-Za-z_]/.test(ch) || ch.charCodeAt(0) >= 0x80;
}

function isIdentChar(ch: string | undefined): boolean {
  return ch !== undefined && (/[A-Za-z0-9_$]/.test(ch) || ch.charCodeAt(0) >= 0x80);
}

/** End (exclusive) of a quoted run starting at `start` (the opening quote); the script's end if unterminated. */
function skipQuoted(src: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < src.length) {
    const ch = src[i];
    if (backslashEscapes && ch === "\\") i += 2;
    else if (ch === quote) {
      if (src[i + 1] !== quote) return i + 1;
      i += 2;
    } else i++;
  }
  return src.length;
}

function skipBlockComment(src: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < src.length) {
    if (src.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (src.startsWith("*/", i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return src.length;
}

const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

/** The dollar-quote opening tag at `at` (`$$`, `$body$`), if there is one. */
function dollarTag(src: string, at: number): string | undefined {
  DOLLAR_TAG.lastIndex = at;
  return DOLLAR_TAG.exec(src)?.[0];
}

/** psql's test: the statement began CREATE [OR REPLACE] FUNCTION|PROCEDURE. */
function definesRoutine(words: string[]): boolean {
  const [a, b, c, d] = words;
  if (a !== "CREATE") return false;
  if (b === "FUNCTION" || b === "PROCEDURE") return true;
  return b === "OR" && c === "REPLACE" && (d === "FUNCTION" || d === "PROCEDURE");
}

class StatementBuilder {
  start = 0;
  hasContent = false;
  placeholders: Placeholder[] = [];
  words: string[] = [];
  parenDepth = 0;
  beginDepth = 0;

  word(word: string): void {
    const upper = word.toUpperCase();
    const count = this.words.length;
    if (count < MAX_WORDS) this.words.push(upper);
    if (!definesRoutine(this.words) || this.parenDepth !== 0 || count === 0) return;
    if (upper === "BEGIN") this.beginDepth++;
    else if (upper === "CASE" && this.beginDepth > 0) this.beginDepth++;
    else if (upper === "END" && this.beginDepth > 0) this.beginDepth--;
  }

  finish(src: string, end: number, out: SqlStatement[]): void {
    if (this.hasContent) {
      const raw = src.slice(this.start, end);
      const offset = this.start + raw.length - raw.trimStart().length;
      const dollars = new Set<number>();
      for (const p of this.placeholders) if (p.number !== null) dollars.add(p.number);
      out.push({
        text: raw.trim(),
        offset,
        maxDollarParam: Math.max(0, ...dollars),
        dollarParams: [...dollars].sort((a, b) => a - b),
        questionParams: this.placeholders.filter((p) => p.number === null).length,
        words: this.words,
        placeholders: this.placeholders.map((p) => ({ ...p, at: p.at - offset })),
      });
    }
  }
}

export function splitSql(src: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let stmt = new StatementBuilder();
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "-" && src[i + 1] === "-") {
      const newline = src.indexOf("\n", i);
      i = newline === -1 ? src.length : newline + 1;
      continue;
    }
    if (ch === "/" && src[i + 1] === "*") {
      i = skipBlockComment(src, i);
      continue;
    }
    if (ch === ";" && stmt.beginDepth === 0) {
      stmt.finish(src, i, out);
      stmt = new StatementBuilder();
      stmt.start = ++i;
      continue;
    }
    stmt.hasContent = true;
    i = scanToken(src, i, stmt);
  }
  stmt.finish(src, src.length, out);
  return out;
}

/** Consumes one token (or one character) of content at `i`; returns where the next one starts. */
function scanToken(src: string, i: number, stmt: StatementBuilder): number {
  const ch = src[i] as string;
  if (ch === "'") return skipQuoted(src, i, "'", false);
  if (ch === '"') return skipQuoted(src, i, '"', false);
  if (ch === "$" && !isIdentChar(src[i - 1])) {
    const tag = dollarTag(src, i);
    if (tag !== undefined) {
      const close = src.indexOf(tag, i + tag.length);
      return close === -1 ? src.length : close + tag.length;
    }
    const digits = /[0-9]+/y;
    digits.lastIndex = i + 1;
    const number = digits.exec(src)?.[0];
    if (number !== undefined) {
      stmt.placeholders.push({ at: i, length: number.length + 1, number: Number(number) });
      return i + 1 + number.length;
    }
    return i + 1;
  }
  if (isIdentStart(ch)) {
    let end = i + 1;
    while (isIdentChar(src[end])) end++;
    const word = src.slice(i, end);
    // E'...' is an escape string only when the E stands alone: `date'...'` is a typed literal.
    if ((word === "E" || word === "e") && src[end] === "'") return skipQuoted(src, end, "'", true);
    stmt.word(word);
    return end;
  }
  if (/[0-9]/.test(ch)) {
    let end = i + 1;
    while (isIdentChar(src[end]) || src[end] === ".") end++;
    return end;
  }
  if (ch === "(") stmt.parenDepth++;
  else if (ch === ")") stmt.parenDepth = Math.max(0, stmt.parenDepth - 1);
  else if (ch === "?") stmt.placeholders.push({ at: i, length: 1, number: null });
  return i + 1;
}
