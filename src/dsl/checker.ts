import { formatPath, type Path, startsWith } from "./path.ts";
import { describeShape, type RecordDef, type Shape } from "./shapes.ts";
import type { Position, SourceDoc } from "./source.ts";
import { closest, didYouMean } from "./suggest.ts";
import type { JsonObject, JsonValue, ValidationIssue } from "./types.ts";

interface RawIssue {
  path: Path;
  message: string;
  position: Position;
}

export interface IssueOptions {
  /** Point at the key of the last path segment rather than its value (unknown keys). */
  at?: "key";
  /** An exact position (e.g. inside a template string); default: the node at `path`. */
  position?: Position;
}

/**
 * Collects every problem of one document with its position. Issues below a "suppressed" path (a value
 * already reported as an unquoted template) are dropped, so one mistake gives one message.
 */
export class Checker {
  private readonly issues: RawIssue[] = [];
  private readonly suppressed: Path[] = [];

  constructor(readonly source: SourceDoc) {}

  error(path: Path, message: string, options: IssueOptions = {}): void {
    if (this.suppressed.some((prefix) => startsWith(path, prefix))) return;
    const position = options.position ?? this.source.locate(path, options.at);
    this.issues.push({ path, message, position });
  }

  suppress(path: Path): void {
    this.suppressed.push(path);
  }

  get count(): number {
    return this.issues.length;
  }

  /** Issues in document order, duplicates removed. */
  result(file: string | undefined): ValidationIssue[] {
    const seen = new Set<string>();
    const out: ValidationIssue[] = [];
    const sorted = [...this.issues].sort(
      (a, b) => a.position.line - b.position.line || a.position.column - b.position.column,
    );
    for (const issue of sorted) {
      const path = formatPath(issue.path);
      const key = `${issue.position.line}:${issue.position.column}:${path}:${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        ...(file === undefined ? {} : { file }),
        line: issue.position.line,
        column: issue.position.column,
        path,
        message: issue.message,
      });
    }
    return out;
  }

  /**
   * Reports keys outside `def.fields` (with a suggestion) and missing required keys. `prefix` names the
   * step (`Step 'fetch': `), `owner` the structure (`loop`). Keys in `skip` are the caller's (e.g. v1 `type`).
   * A required key is not reported missing when an unknown key is a typo of it (`workfow`): the typo,
   * with its suggestion, is the real cause. Callers that check required keys themselves use `misspelt`.
   */
  checkKeys(
    value: JsonObject,
    def: RecordDef,
    path: Path,
    prefix: string,
    owner: string,
    skip: readonly string[] = [],
  ): void {
    const known = Object.keys(def.fields);
    if (!def.open) {
      for (const key of Object.keys(value)) {
        if (known.includes(key) || skip.includes(key)) continue;
        const hint = didYouMean(key, known);
        this.error([...path, key], `${prefix}unknown ${owner} key '${key}'${hint}`, { at: "key" });
      }
    }
    // In an open record an unknown key is allowed, so it is not reported: keep the "missing" message.
    const typos = def.open ? new Set<string>() : misspelt(value, def);
    for (const [key, field] of Object.entries(def.fields)) {
      if (!field.required || skip.includes(key) || typos.has(key)) continue;
      if (value[key] === undefined || value[key] === null) {
        this.error([...path, key], `${prefix}${owner} is missing '${key}'`);
      }
    }
  }

  /** Checks every present field of `value` whose shape is a leaf (not a ref) against the table. */
  checkFields(
    value: JsonObject,
    def: RecordDef,
    path: Path,
    prefix: string,
    skip: readonly string[] = [],
  ): void {
    for (const [key, field] of Object.entries(def.fields)) {
      if (skip.includes(key) || value[key] === undefined || value[key] === null) continue;
      this.checkShape(value[key], field.shape, [...path, key], prefix);
    }
  }

  /** Checks a leaf value against its shape; returns whether it conforms. */
  checkShape(value: JsonValue | undefined, shape: Shape, path: Path, prefix: string): boolean {
    if (value === undefined || conforms(value, shape)) return true;
    const key = path[path.length - 1];
    this.error(path, `${prefix}'${String(key)}' must be ${describeShape(shape)}`);
    return false;
  }
}

/**
 * The known keys of `def` that are absent from `value` while an unknown key of `value` is a typo of them
 * (the key `didYouMean` would suggest): `{workfow: [...]}` → `workflow`.
 */
export function misspelt(value: JsonObject, def: RecordDef): Set<string> {
  const known = Object.keys(def.fields);
  const out = new Set<string>();
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const match = closest(key, known);
    if (match !== undefined && (value[match] === undefined || value[match] === null)) out.add(match);
  }
  return out;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a value has the given shape (refs: only that it is a mapping; their content is checked apart). */
export function conforms(value: JsonValue, shape: Shape): boolean {
  switch (shape.type) {
    case "string":
      return typeof value === "string";
    case "identifier":
      return typeof value === "string" && IDENTIFIER.test(value);
    case "boolean":
      return typeof value === "boolean";
    case "positiveInteger":
      return typeof value === "number" && Number.isInteger(value) && value > 0;
    case "positiveNumber":
      return typeof value === "number" && Number.isFinite(value) && value > 0;
    case "nonNegativeNumber":
      return typeof value === "number" && Number.isFinite(value) && value >= 0;
    case "enum":
      return typeof value === "string" && shape.values.includes(value);
    case "object":
    case "ref":
      return isObject(value);
    case "any":
      return true;
    case "list":
      return Array.isArray(value) && value.every((item) => conforms(item, shape.items));
    case "oneOf":
      return shape.options.some((option) => conforms(value, option));
  }
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
