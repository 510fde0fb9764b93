/**
 * PostgreSQL's array text format (`{1,NULL,"a \"b\"",{2,3}}`), parsed and written here rather than by
 * postgres.js because its parser cannot tell a NULL element from the string "NULL" (both arrive as text).
 */
import type { JsonValue } from "../../dsl/types.ts";

/** Parses an array literal; each non-NULL element goes through `element`. Lower-bound decorations (`[0:1]=`) are dropped. */
export function parseArray(text: string, element: (raw: string) => JsonValue): JsonValue[] {
  let i = text.startsWith("[") ? text.indexOf("=") + 1 : 0;

  function level(): JsonValue[] {
    const out: JsonValue[] = [];
    i++; // '{'
    if (text[i] === "}") {
      i++;
      return out;
    }
    while (i < text.length) {
      const ch = text[i];
      if (ch === "{") out.push(level());
      else if (ch === '"') {
        let value = "";
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === "\\") i++;
          value += text[i] ?? "";
          i++;
        }
        i++; // closing quote
        out.push(element(value));
      } else {
        const start = i;
        while (i < text.length && text[i] !== "," && text[i] !== "}") i++;
        const raw = text.slice(start, i).trim();
        out.push(raw.toUpperCase() === "NULL" ? null : element(raw));
      }
      if (text[i] === ",") i++;
      else {
        i++; // '}'
        return out;
      }
    }
    return out;
  }

  return level();
}

/** Writes a JSON list as an array literal; a string is passed through, so `'{1,2}'` works as well as `[1, 2]`. */
export function serializeArray(value: unknown, element: (value: unknown) => string): string {
  if (!Array.isArray(value)) return String(value);
  const items = value.map((item: unknown) => {
    if (item === null || item === undefined) return "NULL";
    if (Array.isArray(item)) return serializeArray(item, element);
    return `"${element(item).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(",")}}`;
}
