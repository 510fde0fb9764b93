/**
 * The vocabulary the language tables (definitions.ts) are written in. The validator checks values against
 * these shapes and the JSON Schema generator translates the same shapes, so the two cannot drift apart.
 */
export type Shape =
  | { type: "string" }
  /** A name usable in templates: `[A-Za-z_][A-Za-z0-9_]*`. */
  | { type: "identifier" }
  | { type: "boolean" }
  | { type: "positiveInteger" }
  | { type: "positiveNumber" }
  | { type: "nonNegativeNumber" }
  | { type: "enum"; values: readonly string[] }
  /** A free-form mapping (values are JSON, templates allowed). */
  | { type: "object" }
  /** Any JSON value. */
  | { type: "any" }
  | { type: "list"; items: Shape }
  | { type: "oneOf"; options: readonly Shape[] }
  /** A named record of definitions.ts. */
  | { type: "ref"; name: string };

export interface FieldDef {
  shape: Shape;
  description: string;
  required?: boolean;
}

export interface RecordDef {
  description: string;
  fields: Readonly<Record<string, FieldDef>>;
  /** Whether keys outside `fields` are allowed (tool configs, metadata, keychain entries). */
  open?: boolean;
  /** Groups of which at least one key must be present, e.g. `[["endpoint", "url"]]`. */
  requireOneOf?: readonly (readonly string[])[];
}

export const string: Shape = { type: "string" };
export const identifier: Shape = { type: "identifier" };
export const boolean: Shape = { type: "boolean" };
export const positiveInteger: Shape = { type: "positiveInteger" };
export const positiveNumber: Shape = { type: "positiveNumber" };
export const nonNegativeNumber: Shape = { type: "nonNegativeNumber" };
export const object: Shape = { type: "object" };
export const any: Shape = { type: "any" };
export const enumOf = (values: readonly string[]): Shape => ({ type: "enum", values });
export const listOf = (items: Shape): Shape => ({ type: "list", items });
export const oneOf = (...options: Shape[]): Shape => ({ type: "oneOf", options });
export const ref = (name: string): Shape => ({ type: "ref", name });

/** A short English description of what a value of this shape must be, for error messages. */
export function describeShape(shape: Shape): string {
  switch (shape.type) {
    case "string":
      return "a string";
    case "identifier":
      return "a name (letters, digits and _, not starting with a digit)";
    case "boolean":
      return "true or false";
    case "positiveInteger":
      return "a positive integer";
    case "positiveNumber":
      return "a positive number";
    case "nonNegativeNumber":
      return "a number >= 0";
    case "enum":
      return `one of ${shape.values.map((v) => `'${v}'`).join(", ")}`;
    case "object":
      return "a mapping";
    case "any":
      return "a value";
    case "list":
      return "a list";
    case "oneOf":
      return shape.options.map(describeShape).join(" or ");
    case "ref":
      return "a mapping";
  }
}
