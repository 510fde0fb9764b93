import { API_VERSION, RECORDS } from "./definitions.ts";
import type { FieldDef, RecordDef, Shape } from "./shapes.ts";
import { TOOL_DEFS, TOOL_KINDS } from "./tool-definitions.ts";

type Schema = Record<string, unknown>;

/**
 * JSON Schema (draft 2020-12) of the written playbook language, generated from the same tables the
 * validator reads (definitions.ts, tool-definitions.ts). Editors use it for completion and early errors;
 * `noetl validate` remains the authority (it also checks step references, templates and the v1 forms).
 */
export function playbookSchema(): Schema {
  const defs: Record<string, Schema> = {};
  for (const [name, def] of Object.entries(RECORDS)) defs[name] = recordSchema(def);
  defs.tool = { ...defs.tool, allOf: TOOL_KINDS.map(toolKindSchema) };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "urn:noetl:playbook:v2",
    title: `NoETL playbook (${API_VERSION})`,
    $ref: "#/$defs/playbook",
    $defs: defs,
  };
}

function recordSchema(def: RecordDef, includeRequired = true): Schema {
  const properties: Record<string, Schema> = {};
  for (const [key, field] of Object.entries(def.fields)) properties[key] = fieldSchema(field);
  const required = Object.entries(def.fields)
    .filter(([, field]) => field.required)
    .map(([key]) => key);
  const schema: Schema = { type: "object", description: def.description, properties };
  if (includeRequired && required.length > 0) schema.required = required;
  if (!def.open) schema.additionalProperties = false;
  if (def.requireOneOf) {
    schema.allOf = def.requireOneOf.map((group) => ({ anyOf: group.map((key) => ({ required: [key] })) }));
  }
  return schema;
}

function fieldSchema(field: FieldDef): Schema {
  return { ...shapeSchema(field.shape), description: field.description };
}

/** The kind-specific fields and required keys, applied when `kind` has that value. */
function toolKindSchema(kind: (typeof TOOL_KINDS)[number]): Schema {
  const { type: _type, ...rest } = recordSchema({ ...TOOL_DEFS[kind], open: true });
  return {
    if: { properties: { kind: { const: kind } }, required: ["kind"] },
    // biome-ignore lint/suspicious/noThenProperty: `then` is a JSON Schema keyword
    then: rest,
  };
}

export function shapeSchema(shape: Shape): Schema {
  switch (shape.type) {
    case "string":
      return { type: "string" };
    case "identifier":
      return { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" };
    case "boolean":
      return { type: "boolean" };
    case "positiveInteger":
      return { type: "integer", minimum: 1 };
    case "positiveNumber":
      return { type: "number", exclusiveMinimum: 0 };
    case "nonNegativeNumber":
      return { type: "number", minimum: 0 };
    case "enum":
      return { type: "string", enum: [...shape.values] };
    case "object":
      return { type: "object" };
    case "any":
      return {};
    case "list":
      return { type: "array", items: shapeSchema(shape.items) };
    case "oneOf":
      return { anyOf: shape.options.map(shapeSchema) };
    case "ref":
      return { $ref: `#/$defs/${shape.name}` };
  }
}
