import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type ParsedNode,
  parseDocument,
  type Scalar,
} from "yaml";
import type { Path, Segment } from "./path.ts";
import type { JsonObject, JsonValue } from "./types.ts";

export interface Position {
  line: number;
  column: number;
}

/** A YAML syntax problem (including duplicate keys), with its offset in the text. */
export interface YamlProblem {
  offset: number;
  code: string;
  message: string;
}

/**
 * Aliases can expand exponentially ("billion laughs"); a playbook is small, so refuse to build more than
 * this many values from one document.
 */
const MAX_VALUES = 200_000;

/**
 * One YAML document with its source positions: converts it to plain JSON and finds the node (and its
 * line/column) at a path of the written structure.
 */
export class SourceDoc {
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;
  readonly problems: YamlProblem[];
  private valueCount = 0;

  constructor(readonly text: string) {
    this.doc = parseDocument(text, {
      lineCounter: this.lineCounter,
      keepSourceTokens: true,
      prettyErrors: false,
      uniqueKeys: true,
    });
    this.problems = this.doc.errors.map((error) => ({
      offset: error.pos[0],
      code: error.code,
      message: error.message,
    }));
  }

  position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** The document as plain JSON (map keys as strings, aliases expanded). */
  toJson(): JsonValue {
    this.valueCount = 0;
    return this.convert(this.doc.contents);
  }

  private convert(node: unknown): JsonValue {
    if (++this.valueCount > MAX_VALUES) throw new RangeError("YAML document expands to too many values");
    if (isAlias(node)) return this.convert(node.resolve(this.doc));
    if (isScalar(node)) return scalarValue(node);
    if (isSeq(node)) return node.items.map((item) => this.convert(item));
    if (isMap(node)) {
      const object: JsonObject = {};
      for (const pair of node.items) {
        // A duplicate key is reported; the first occurrence wins, matching where positions point.
        const key = this.keyText(pair.key);
        if (!Object.hasOwn(object, key)) object[key] = this.convert(pair.value);
      }
      return object;
    }
    return null;
  }

  /** A map key as a string; a collection used as a key is keyed by its source text. */
  keyText(key: unknown): string {
    if (isScalar(key)) return String(key.value);
    if (isAlias(key)) return this.keyText(key.resolve(this.doc));
    const range = (key as Node | null)?.range;
    return range ? this.text.slice(range[0], range[1]) : "";
  }

  /** The node at `path`, or the deepest existing node on the way (and how far it got). */
  walk(path: Path): { node: ParsedNode | null; keyNode: ParsedNode | null; depth: number } {
    let node = this.doc.contents as ParsedNode | null;
    let keyNode: ParsedNode | null = null;
    let depth = 0;
    for (const segment of path) {
      const resolved = this.resolve(node);
      const next = this.child(resolved, segment);
      if (next === undefined) break;
      node = next.value;
      keyNode = next.key;
      depth++;
    }
    return { node, keyNode, depth };
  }

  /** Line/column of the value at `path` (or of its key); falls back to the closest existing ancestor. */
  locate(path: Path, at: "value" | "key" = "value"): Position {
    const { node, keyNode, depth } = this.walk(path);
    const target = at === "key" && depth === path.length && keyNode ? keyNode : node;
    const offset = target?.range?.[0];
    if (offset === undefined)
      return keyNode?.range ? this.position(keyNode.range[0]) : { line: 1, column: 1 };
    return this.position(offset);
  }

  /** The deepest path whose node contains `offset` (for reporting syntax errors inside a structure). */
  pathAt(offset: number): Segment[] {
    const path: Segment[] = [];
    let node = this.resolve(this.doc.contents as ParsedNode | null);
    for (;;) {
      let found: { segment: Segment; node: ParsedNode | null } | undefined;
      if (isSeq(node)) {
        node.items.forEach((item, i) => {
          if (contains(item as ParsedNode, offset)) found = { segment: i, node: item as ParsedNode };
        });
      } else if (isMap(node)) {
        for (const pair of node.items) {
          const value = pair.value as ParsedNode | null;
          const key = pair.key as ParsedNode | null;
          if (contains(value, offset) || contains(key, offset)) {
            found = { segment: this.keyText(pair.key), node: value };
          }
        }
      }
      if (!found) return path;
      path.push(found.segment);
      node = this.resolve(found.node);
    }
  }

  private resolve(node: ParsedNode | null): ParsedNode | null {
    return isAlias(node) ? ((node.resolve(this.doc) as ParsedNode | undefined) ?? null) : node;
  }

  private child(
    node: ParsedNode | null,
    segment: Segment,
  ): { value: ParsedNode | null; key: ParsedNode | null } | undefined {
    if (typeof segment === "number" && isSeq(node)) {
      if (segment >= node.items.length) return undefined;
      return { value: (node.items[segment] as ParsedNode | undefined) ?? null, key: null };
    }
    if (typeof segment === "string" && isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && this.keyText(pair.key) === segment) {
          return { value: pair.value as ParsedNode | null, key: pair.key as ParsedNode | null };
        }
      }
    }
    return undefined;
  }
}

function contains(node: ParsedNode | null, offset: number): boolean {
  const range = node?.range;
  return range !== undefined && range[0] <= offset && offset < Math.max(range[1], range[0] + 1);
}

function scalarValue(node: Scalar): JsonValue {
  const value = node.value;
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return value === undefined ? null : String(value);
}
