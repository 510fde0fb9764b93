import { isAlias, isMap, isScalar, isSeq, type Node } from "yaml";
import type { Checker } from "./checker.ts";
import type { Segment } from "./path.ts";
import type { SourceDoc } from "./source.ts";

const NUL = "\u0000";
const WHY = "a playbook cannot hold it (PostgreSQL cannot store it in text or JSON); remove it";

/**
 * U+0000 anywhere in a playbook: in a string or a key (written raw, or as `\0`, `\x00`, `\u0000` in a
 * double-quoted scalar), or raw anywhere else in the text (a comment). The catalog stores the text and its
 * parsed form in PostgreSQL, which rejects NUL, so such a playbook would fail deep in the store.
 */
export function checkNul(checker: Checker, source: SourceDoc): void {
  const { text } = source;
  if (!text.includes(NUL) && !text.includes("\\")) return;
  const covered: [number, number][] = [];
  const report = (node: Node, path: Segment[], what: string): void => {
    const range = node.range;
    if (!range) return;
    covered.push([range[0], range[1]]);
    checker.error(path.map(printable), `the ${what} contains a NUL character (U+0000); ${WHY}`, {
      position: source.position(nulOffset(text, node)),
    });
  };
  const visit = (node: unknown, path: Segment[]): void => {
    if (isAlias(node)) return; // its anchor is visited where it is written
    if (isScalar(node)) {
      if (typeof node.value === "string" && node.value.includes(NUL)) report(node, path, "string");
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, i]);
      });
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const key = source.keyText(pair.key);
        const at = [...path, key];
        if (key.includes(NUL) && pair.key) report(pair.key as Node, at, "key");
        visit(pair.value, at);
      }
    }
  };
  visit(source.doc.contents, []);
  for (let offset = text.indexOf(NUL); offset !== -1; offset = text.indexOf(NUL, offset + 1)) {
    if (covered.some(([start, end]) => start <= offset && offset < end)) continue;
    checker.error(
      source.pathAt(offset).map(printable),
      `the file contains a NUL character (U+0000); ${WHY}`,
      {
        position: source.position(offset),
      },
    );
  }
}

/** Where the NUL is: the raw character, else its escape in a double-quoted scalar, else the node's start. */
function nulOffset(text: string, node: Node): number {
  const [start, end] = node.range ?? [0, 0];
  const raw = text.indexOf(NUL, start);
  if (raw !== -1 && raw < end) return raw;
  if (isScalar(node) && node.type === "QUOTE_DOUBLE") {
    for (let i = start + 1; i < end; i++) {
      if (text[i] !== "\\") continue;
      if (/^(0|x00|u0000|U00000000)/.test(text.slice(i + 1, i + 10))) return i;
      i++; // the escaped character (`\\`, `\"`, ...)
    }
  }
  return start;
}

/** A path segment as printed: a NUL inside a key is shown as `\0`. */
function printable(segment: Segment): Segment {
  return typeof segment === "string" ? segment.replaceAll(NUL, "\\0") : segment;
}
