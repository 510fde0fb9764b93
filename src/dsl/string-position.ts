import { isScalar, type ParsedNode } from "yaml";
import type { Path } from "./path.ts";
import type { Position, SourceDoc } from "./source.ts";

/**
 * The line/column of character `offset` of the string value at `path`: exact for plain and quoted
 * scalars written on one line without escapes, and for literal block scalars (`|`); otherwise the
 * start of the node (a folded or escaped string does not map character for character).
 */
export function positionInString(source: SourceDoc, path: Path, offset: number): Position {
  const { node, depth } = source.walk(path);
  const fallback = source.locate(path);
  if (depth !== path.length || !isScalar(node) || typeof node.value !== "string") return fallback;
  const start = (node as ParsedNode).range?.[0];
  if (start === undefined) return fallback;
  const value = node.value;
  const text = source.text;
  switch (node.type) {
    case "PLAIN":
      return text.startsWith(value, start) ? source.position(start + offset) : fallback;
    case "QUOTE_DOUBLE":
    case "QUOTE_SINGLE":
      return text.startsWith(value, start + 1) ? source.position(start + 1 + offset) : fallback;
    case "BLOCK_LITERAL":
      return literalPosition(source, start, value, offset) ?? fallback;
    default:
      return fallback;
  }
}

/** In `|` blocks each value line is a source line, shifted right by the block's indentation. */
function literalPosition(
  source: SourceDoc,
  start: number,
  value: string,
  offset: number,
): Position | undefined {
  const text = source.text;
  const before = value.slice(0, offset);
  const lineIndex = before.split("\n").length - 1;
  const column = offset - (before.lastIndexOf("\n") + 1);
  const lineText = value.split("\n")[lineIndex] ?? "";
  // The content starts on the line after the header (`|`, `|-`, `|+`).
  let lineStart = text.indexOf("\n", start) + 1;
  if (lineStart === 0) return undefined;
  for (let i = 0; i < lineIndex; i++) {
    lineStart = text.indexOf("\n", lineStart) + 1;
    if (lineStart === 0) return undefined;
  }
  const lineEnd = text.indexOf("\n", lineStart);
  const sourceLine = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  if (!sourceLine.endsWith(lineText)) return undefined;
  const indent = sourceLine.length - lineText.length;
  return source.position(lineStart + indent + column);
}
