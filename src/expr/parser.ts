import type { Args, BinaryOp, CompareOp, Node } from "./ast.ts";
import { syntaxError } from "./errors.ts";
import type { Token } from "./lexer.ts";
import { LIMITS } from "./limits.ts";
import { makeFloat } from "./values.ts";

/** Keyword literals. A Map, never a plain object: `constructor` or `__proto__` must not match inherited keys. */
const KEYWORD_LITERALS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ["true", true],
  ["false", false],
  ["none", null],
  ["True", true],
  ["False", false],
  ["None", null],
]);
const RESERVED = new Set(["and", "or", "not", "in", "is", "if", "else"]);

/**
 * Recursive-descent parser with Jinja2's precedence, loosest first:
 * conditional, or, and, not, comparisons/in, + -, ~, * / // %, ** (left-assoc as in Jinja), unary - +,
 * then postfix access and finally filters `|` and tests `is` (which bind tighter than any operator).
 */
export class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  get current(): Token {
    return this.tokens[this.pos]!;
  }

  /** Parses one whole expression region; fails on leftovers. */
  parseAll(): Node {
    const node = this.expression();
    this.expectEnd();
    return node;
  }

  expectEnd(): void {
    if (this.current.type !== "eof") this.fail(this.current);
  }

  fail(token: Token): never {
    if (token.type === "eof") throw syntaxError("unexpected end of expression", token.offset);
    const text = token.type === "string" ? "string" : `'${token.value}'`;
    throw syntaxError(`unexpected ${text}`, token.offset);
  }

  private next(): Token {
    const t = this.current;
    if (t.type !== "eof") this.pos++;
    return t;
  }

  isOp(value: string): boolean {
    return this.current.type === "op" && this.current.value === value;
  }

  isName(value: string): boolean {
    return this.current.type === "name" && this.current.value === value;
  }

  skipOp(value: string): boolean {
    if (!this.isOp(value)) return false;
    this.pos++;
    return true;
  }

  skipName(value: string): boolean {
    if (!this.isName(value)) return false;
    this.pos++;
    return true;
  }

  expectOp(value: string): Token {
    if (!this.isOp(value)) {
      const t = this.current;
      if (t.type === "eof") throw syntaxError(`expected '${value}'`, t.offset);
      throw syntaxError(`expected '${value}', got '${t.value || t.type}'`, t.offset);
    }
    return this.next();
  }

  expectName(): Token {
    const t = this.current;
    if (t.type !== "name") this.fail(t);
    return this.next();
  }

  private enter(offset: number): void {
    if (++this.depth > LIMITS.maxNestingDepth) throw syntaxError("expression nested too deeply", offset);
  }

  expression(): Node {
    this.enter(this.current.offset);
    try {
      const offset = this.current.offset;
      let node = this.or();
      while (this.skipName("if")) {
        const test = this.or();
        const otherwise = this.skipName("else") ? this.expression() : undefined;
        node = { kind: "conditional", test, consequent: node, otherwise, offset };
      }
      return node;
    } finally {
      this.depth--;
    }
  }

  /** An expression without a trailing `if ... else` (for `{% for x in xs if cond %}`). */
  or(): Node {
    let left = this.and();
    while (this.isName("or")) {
      const { offset } = this.next();
      left = { kind: "logical", op: "or", left, right: this.and(), offset };
    }
    return left;
  }

  private and(): Node {
    let left = this.not();
    while (this.isName("and")) {
      const { offset } = this.next();
      left = { kind: "logical", op: "and", left, right: this.not(), offset };
    }
    return left;
  }

  private not(): Node {
    if (this.isName("not")) {
      const { offset } = this.next();
      this.enter(offset);
      try {
        return { kind: "unary", op: "not", operand: this.not(), offset };
      } finally {
        this.depth--;
      }
    }
    return this.compare();
  }

  private compare(): Node {
    const first = this.math1();
    const rest: { op: CompareOp; operand: Node }[] = [];
    for (;;) {
      const t = this.current;
      if (t.type === "op" && ["==", "!=", "<", ">", "<=", ">="].includes(t.value)) {
        this.next();
        rest.push({ op: t.value as CompareOp, operand: this.math1() });
      } else if (this.skipName("in")) {
        rest.push({ op: "in", operand: this.math1() });
      } else if (
        this.isName("not") &&
        this.tokens[this.pos + 1]?.type === "name" &&
        this.tokens[this.pos + 1]?.value === "in"
      ) {
        this.pos += 2;
        rest.push({ op: "not in", operand: this.math1() });
      } else break;
    }
    return rest.length === 0 ? first : { kind: "compare", first, rest, offset: first.offset };
  }

  private binaryLevel(ops: string[], operand: () => Node): Node {
    let left = operand();
    while (this.current.type === "op" && ops.includes(this.current.value)) {
      const { value, offset } = this.next();
      left = { kind: "binary", op: value as BinaryOp, left, right: operand(), offset };
    }
    return left;
  }

  private math1(): Node {
    return this.binaryLevel(["+", "-"], () => this.concat());
  }

  private concat(): Node {
    return this.binaryLevel(["~"], () => this.math2());
  }

  private math2(): Node {
    return this.binaryLevel(["*", "/", "//", "%"], () => this.pow());
  }

  private pow(): Node {
    return this.binaryLevel(["**"], () => this.unary(true));
  }

  private unary(withFilters: boolean): Node {
    const t = this.current;
    let node: Node;
    if (t.type === "op" && (t.value === "-" || t.value === "+")) {
      this.next();
      this.enter(t.offset);
      try {
        node = { kind: "unary", op: t.value, operand: this.unary(false), offset: t.offset };
      } finally {
        this.depth--;
      }
    } else {
      node = this.primary();
    }
    node = this.postfix(node);
    return withFilters ? this.filters(node) : node;
  }

  primary(): Node {
    const t = this.next();
    switch (t.type) {
      case "name":
        if (KEYWORD_LITERALS.has(t.value)) {
          return { kind: "literal", value: KEYWORD_LITERALS.get(t.value), offset: t.offset };
        }
        if (RESERVED.has(t.value)) this.fail(t);
        return { kind: "name", name: t.value, offset: t.offset };
      case "string": {
        let value = t.value;
        while (this.current.type === "string") value += this.next().value;
        return { kind: "literal", value, offset: t.offset };
      }
      case "int":
        return { kind: "literal", value: t.num, offset: t.offset };
      case "float":
        return { kind: "literal", value: makeFloat(t.num), offset: t.offset };
      case "op":
        if (t.value === "(") return this.parenthesized(t);
        if (t.value === "[") return this.listLiteral(t);
        if (t.value === "{") return this.dictLiteral(t);
        return this.fail(t);
      default:
        return this.fail(t);
    }
  }

  /** `(expr)` or a tuple `(a, b)` / `()` which becomes a list. */
  private parenthesized(open: Token): Node {
    this.enter(open.offset);
    try {
      if (this.skipOp(")")) return { kind: "list", items: [], offset: open.offset };
      const first = this.expression();
      if (!this.isOp(",")) {
        this.expectOp(")");
        return first;
      }
      const items = [first];
      while (this.skipOp(",")) {
        if (this.isOp(")")) break;
        items.push(this.expression());
      }
      this.expectOp(")");
      return { kind: "list", items, offset: open.offset };
    } finally {
      this.depth--;
    }
  }

  private listLiteral(open: Token): Node {
    this.enter(open.offset);
    try {
      const items: Node[] = [];
      while (!this.isOp("]")) {
        if (items.length > 0) {
          this.expectOp(",");
          if (this.isOp("]")) break;
        }
        items.push(this.expression());
      }
      this.expectOp("]");
      return { kind: "list", items, offset: open.offset };
    } finally {
      this.depth--;
    }
  }

  private dictLiteral(open: Token): Node {
    this.enter(open.offset);
    try {
      const entries: [Node, Node][] = [];
      while (!this.isOp("}")) {
        if (entries.length > 0) {
          this.expectOp(",");
          if (this.isOp("}")) break;
        }
        const key = this.expression();
        this.expectOp(":");
        entries.push([key, this.expression()]);
      }
      this.expectOp("}");
      return { kind: "dict", entries, offset: open.offset };
    } finally {
      this.depth--;
    }
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.isOp(".")) {
        const dot = this.next();
        const t = this.next();
        if (t.type === "name") node = { kind: "attr", target: node, key: t.value, offset: dot.offset };
        else if (t.type === "int") node = { kind: "attr", target: node, key: t.num, offset: dot.offset };
        else this.fail(t);
      } else if (this.isOp("[")) {
        node = this.subscript(node, this.next());
      } else if (this.isOp("(")) {
        node = this.call(node, this.current);
      } else {
        return node;
      }
    }
  }

  private subscript(target: Node, open: Token): Node {
    this.enter(open.offset);
    try {
      const parts: (Node | undefined)[] = [];
      let part: Node | undefined;
      let colons = 0;
      for (;;) {
        if (this.isOp(":")) {
          this.next();
          parts.push(part);
          part = undefined;
          if (++colons > 2) this.fail(this.current);
        } else if (this.isOp("]")) {
          this.next();
          break;
        } else if (part === undefined) {
          part = this.expression();
        } else {
          this.fail(this.current);
        }
      }
      parts.push(part);
      if (colons === 0) {
        if (part === undefined) throw syntaxError("empty subscript", open.offset);
        if (part.kind === "literal" && (typeof part.value === "string" || typeof part.value === "number")) {
          return { kind: "attr", target, key: part.value, offset: open.offset, bracket: true };
        }
        return { kind: "item", target, key: part, offset: open.offset };
      }
      const [start, stop, step] = parts;
      return { kind: "slice", target, start, stop, step, offset: open.offset };
    } finally {
      this.depth--;
    }
  }

  /** `(args)` after a node: a method call when the node is `x.name`, a global call when it is a bare name. */
  private call(callee: Node, open: Token): Node {
    const args = this.args();
    if (callee.kind === "attr" && typeof callee.key === "string" && callee.bracket !== true) {
      return { kind: "method", target: callee.target, name: callee.key, args, offset: callee.offset };
    }
    if (callee.kind === "name") return { kind: "call", name: callee.name, args, offset: callee.offset };
    throw syntaxError("only methods (x.name(...)) and global functions can be called", open.offset);
  }

  /** `(a, b, key=c)`; the current token must be `(`. */
  args(): Args {
    const open = this.expectOp("(");
    this.enter(open.offset);
    try {
      const args: Args = { positional: [], keyword: [] };
      while (!this.isOp(")")) {
        if (args.positional.length + args.keyword.length > 0) {
          this.expectOp(",");
          if (this.isOp(")")) break;
        }
        const t = this.current;
        const after = this.tokens[this.pos + 1];
        if (t.type === "name" && after?.type === "op" && after.value === "=") {
          this.pos += 2;
          args.keyword.push({ name: t.value, value: this.expression() });
        } else {
          if (args.keyword.length > 0)
            throw syntaxError("positional argument after keyword argument", t.offset);
          args.positional.push(this.expression());
        }
      }
      this.expectOp(")");
      return args;
    } finally {
      this.depth--;
    }
  }

  private filters(node: Node): Node {
    for (;;) {
      if (this.isOp("|")) {
        this.next();
        const nameOffset = this.current.offset;
        const name = this.filterName();
        const args = this.isOp("(") ? this.args() : { positional: [], keyword: [] };
        node = { kind: "filter", name, target: node, args, offset: nameOffset };
        node = this.postfix(node);
      } else if (this.isName("is")) {
        this.next();
        const negated = this.skipName("not");
        const nameOffset = this.current.offset;
        const name = this.filterName();
        let args: Args = { positional: [], keyword: [] };
        if (this.isOp("(")) args = this.args();
        else if (this.startsBareTestArg()) args.positional.push(this.postfix(this.primary()));
        node = { kind: "test", name, target: node, args, negated, offset: nameOffset };
      } else {
        return node;
      }
    }
  }

  /** `x is divisibleby 3`: Jinja allows one argument without parentheses. */
  private startsBareTestArg(): boolean {
    const t = this.current;
    if (t.type === "string" || t.type === "int" || t.type === "float") return true;
    if (t.type === "op") return t.value === "[" || t.value === "{";
    return t.type === "name" && !RESERVED.has(t.value);
  }

  /** Filter/test names may be dotted in Jinja (`a.b`); we only have flat names. */
  private filterName(): string {
    const t = this.expectName();
    return t.value;
  }
}

/** Parses a whole bare expression. */
export function parseExpression(tokens: Token[]): Node {
  return new Parser(tokens).parseAll();
}
