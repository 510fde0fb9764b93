/**
 * A minimal JSON Schema (2020-12) checker for the subset playbookSchema() emits: $ref to #/$defs, type,
 * enum, const, pattern, minimum, exclusiveMinimum, properties, required, additionalProperties: false,
 * items, anyOf, allOf, if/then. Returns the failures as `path: reason` strings.
 */
type Schema = Record<string, unknown>;

export function checkAgainstSchema(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(root, root, value, "$", errors);
  return errors;
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function check(root: Schema, schema: Schema, value: unknown, path: string, errors: string[]): void {
  if (typeof schema.$ref === "string") {
    const name = schema.$ref.replace("#/$defs/", "");
    const target = (root.$defs as Record<string, Schema>)[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    check(root, target, value, path, errors);
  }
  const type = typeOf(value);
  if (typeof schema.type === "string") {
    const ok = schema.type === type || (schema.type === "number" && type === "integer");
    if (!ok) errors.push(`${path}: expected ${schema.type}, got ${type}`);
    if (!ok) return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errors.push(`${path}: not in enum`);
  if ("const" in schema && schema.const !== value) errors.push(`${path}: not ${String(schema.const)}`);
  if (
    typeof schema.pattern === "string" &&
    typeof value === "string" &&
    !new RegExp(schema.pattern).test(value)
  ) {
    errors.push(`${path}: does not match ${schema.pattern}`);
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) errors.push(`${path}: below minimum`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) {
      errors.push(`${path}: not above ${schema.exclusiveMinimum}`);
    }
  }
  if (type === "object") checkObject(root, schema, value as Record<string, unknown>, path, errors);
  if (type === "array" && schema.items) {
    (value as unknown[]).forEach((item, i) => {
      check(root, schema.items as Schema, item, `${path}[${i}]`, errors);
    });
  }
  if (Array.isArray(schema.anyOf)) {
    const passes = (schema.anyOf as Schema[]).some(
      (option) => checkAgainst(root, option, value, path).length === 0,
    );
    if (!passes) errors.push(`${path}: matches no anyOf option`);
  }
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) check(root, part, value, path, errors);
  if (schema.if && checkAgainst(root, schema.if as Schema, value, path).length === 0 && schema.then) {
    check(root, schema.then as Schema, value, path, errors);
  }
}

function checkAgainst(root: Schema, schema: Schema, value: unknown, path: string): string[] {
  const errors: string[] = [];
  check(root, schema, value, path, errors);
  return errors;
}

function checkObject(
  root: Schema,
  schema: Schema,
  value: Record<string, unknown>,
  path: string,
  errors: string[],
): void {
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  for (const key of (schema.required as string[] | undefined) ?? []) {
    if (!(key in value)) errors.push(`${path}: missing ${key}`);
  }
  for (const [key, item] of Object.entries(value)) {
    const property = properties[key];
    if (property) check(root, property, item, `${path}.${key}`, errors);
    else if (schema.additionalProperties === false) errors.push(`${path}: unexpected key ${key}`);
  }
}
