import { isAlias, isMap, isPair, isSeq, type ParsedNode } from "yaml";
import type { Segment } from "./path.ts";
import type { SourceDoc } from "./source.ts";

export interface UnquotedTemplate {
  path: Segment[];
  /** `url: "{{ x }}"`: the line as it should be written. */
  suggestion: string;
}

/**
 * `url: {{ x }}` is valid YAML: a flow map whose only key is the map `{ x }`. Find those values (a flow map
 * whose source starts with `{{`) so they can be reported as templates that need quotes.
 */
export function findUnquotedTemplates(source: SourceDoc): UnquotedTemplate[] {
  const found: UnquotedTemplate[] = [];
  const visit = (node: unknown, path: Segment[], key: string | undefined): void => {
    if (isAlias(node)) return;
    if (isMap(node)) {
      const range = (node as ParsedNode).range;
      if (range && source.text.startsWith("{{", range[0])) {
        const written = source.text.slice(range[0], range[1]).trim();
        found.push({ path, suggestion: `${key === undefined ? "-" : `${key}:`} ${quote(written)}` });
        return;
      }
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const name = source.keyText(pair.key);
        visit(pair.value, [...path, name], name);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        visit(item, [...path, i], undefined);
      });
    }
  };
  visit(source.doc.contents, [], undefined);
  return found;
}

/** Double quotes unless the template itself contains them. */
export function quote(text: string): string {
  return text.includes('"') && !text.includes("'") ? `'${text}'` : `"${text}"`;
}

/**
 * For a YAML syntax error on a line like `url: {{ x }}/items`, the same advice: quote the value.
 * Returns `` when the line has no unquoted template.
 */
export function unquotedHint(text: string, offset: number): string {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const lineEnd = text.indexOf("\n", offset);
  const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const match = /^(\s*(?:-\s+)?)([^\s#'"][^:#]*:\s+|-\s+)?(\{\{.*?)\s*(#.*)?$/.exec(line);
  if (!match?.[3]) return "";
  const key = (match[2] ?? "").trim();
  return `; unquoted template: YAML reads {{ ... }} as a map; quote it: ${key ? `${key} ` : "- "}${quote(match[3])}`;
}
