/**
 * How PostgreSQL values cross into JSON and back (the table is in docs/tools.md). postgres.js parses each
 * column by type OID; these parsers replace its defaults where those are not JSON-safe or lose meaning:
 * int8 and numeric arrive as strings, date/timestamp as JS Dates in the worker's local zone, bytea as a
 * Buffer, NULL array elements as "NULL".
 *
 * Parameters are serialized by the type PostgreSQL infers for each `$n`: a value bound to json/jsonb is
 * sent as JSON (a string is taken to be JSON text already); a mapping or list bound to a text parameter is
 * sent as JSON text; a list bound to an array parameter is a PostgreSQL array; a string bound to bytea is
 * its UTF-8 bytes.
 */
import type { PostgresType } from "postgres";
import type { JsonValue } from "../../dsl/types.ts";
import { base64Value, decimalValue, floatValue, integerValue, timestampValue } from "../sql/values.ts";
import { parseArray, serializeArray } from "./arrays.ts";

const asText = (value: unknown): string =>
  typeof value === "object" && value !== null && !(value instanceof Date)
    ? JSON.stringify(value)
    : String(value);

const asIs = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));

function bytesParam(value: unknown): string {
  const bytes = value instanceof Uint8Array ? value : Buffer.from(asText(value), "utf8");
  return `\\x${Buffer.from(bytes).toString("hex")}`;
}

interface BuiltinType {
  oid: number;
  arrayOid: number;
  name: string;
  /** Text → JSON; absent keeps the text. */
  parse?: (raw: string) => JsonValue;
  /** JSON parameter → text; absent sends String(value). */
  serialize?: (value: unknown) => string;
}

const BUILTINS: readonly BuiltinType[] = [
  {
    oid: 16,
    arrayOid: 1000,
    name: "bool",
    parse: (raw) => raw === "t",
    serialize: (v) => (v === true ? "t" : v === false ? "f" : String(v)),
  },
  {
    oid: 17,
    arrayOid: 1001,
    name: "bytea",
    parse: (raw) => base64Value(Buffer.from(raw.slice(2), "hex")),
    serialize: bytesParam,
  },
  { oid: 18, arrayOid: 1002, name: "char" },
  { oid: 19, arrayOid: 1003, name: "name" },
  { oid: 20, arrayOid: 1016, name: "int8", parse: integerValue },
  { oid: 21, arrayOid: 1005, name: "int2", parse: Number },
  { oid: 23, arrayOid: 1007, name: "int4", parse: Number },
  { oid: 25, arrayOid: 1009, name: "text", serialize: asText },
  { oid: 26, arrayOid: 1028, name: "oid", parse: Number },
  {
    oid: 114,
    arrayOid: 199,
    name: "json",
    parse: (raw) => JSON.parse(raw),
    serialize: (v) => (typeof v === "string" ? v : JSON.stringify(v)),
  },
  { oid: 142, arrayOid: 143, name: "xml" },
  { oid: 700, arrayOid: 1021, name: "float4", parse: (raw) => floatValue(Number(raw)) },
  { oid: 701, arrayOid: 1022, name: "float8", parse: (raw) => floatValue(Number(raw)) },
  { oid: 790, arrayOid: 791, name: "money" },
  { oid: 869, arrayOid: 1041, name: "inet" },
  { oid: 1042, arrayOid: 1014, name: "bpchar", serialize: asText },
  { oid: 1043, arrayOid: 1015, name: "varchar", serialize: asText },
  { oid: 1082, arrayOid: 1182, name: "date", serialize: asIs },
  { oid: 1083, arrayOid: 1183, name: "time" },
  { oid: 1114, arrayOid: 1115, name: "timestamp", parse: timestampValue, serialize: asIs },
  { oid: 1184, arrayOid: 1185, name: "timestamptz", parse: timestampValue, serialize: asIs },
  { oid: 1186, arrayOid: 1187, name: "interval" },
  { oid: 1266, arrayOid: 1270, name: "timetz" },
  { oid: 1700, arrayOid: 1231, name: "numeric", parse: decimalValue },
  { oid: 2950, arrayOid: 2951, name: "uuid" },
  {
    oid: 3802,
    arrayOid: 3807,
    name: "jsonb",
    parse: (raw) => JSON.parse(raw),
    serialize: (v) => (typeof v === "string" ? v : JSON.stringify(v)),
  },
];

function buildTypes(): Record<string, PostgresType> {
  const types: Record<string, PostgresType> = {};
  for (const t of BUILTINS) {
    const parse = t.parse ?? ((raw: string) => raw);
    const serialize = t.serialize ?? ((value: unknown) => String(value));
    types[`noetl_${t.name}`] = { to: t.oid, from: [t.oid], parse, serialize };
    types[`noetl_${t.name}_array`] = {
      to: t.arrayOid,
      from: [t.arrayOid],
      parse: (raw: string) => parseArray(raw, parse),
      serialize: (value: unknown) => serializeArray(value, serialize),
    };
  }
  return types;
}

/** The postgres.js `types` option: parsers and serializers for the built-in types and their arrays. */
export const PG_TYPES: Record<string, PostgresType> = buildTypes();

/** Names of the built-in types; others (enums, domains, extensions) are looked up in pg_type once per pool. */
export const BUILTIN_TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  BUILTINS.flatMap((t) => [
    [t.oid, t.name],
    [t.arrayOid, `${t.name}[]`],
  ]),
);

const BUILTIN_PARSERS: ReadonlyMap<number, (raw: string) => JsonValue> = new Map(
  BUILTINS.map((t) => [t.oid, t.parse ?? ((raw: string) => raw)]),
);

/** How to parse an element of an array type postgres.js did not know when the connection opened. */
export function elementParser(elementOid: number): (raw: string) => JsonValue {
  return BUILTIN_PARSERS.get(elementOid) ?? ((raw) => raw);
}

/** Names of OIDs (`my_enum`, `my_enum[]`) missing from BUILTIN_TYPE_NAMES; `element` is set for arrays. */
export const TYPE_NAMES_SQL = `
  SELECT t.oid::int AS oid,
         CASE WHEN e.oid IS NOT NULL THEN e.typname || '[]' ELSE t.typname END AS name,
         e.oid::int AS element
  FROM pg_catalog.pg_type t
  LEFT JOIN pg_catalog.pg_type e ON t.typcategory = 'A' AND e.oid = t.typelem
  WHERE t.oid = ANY($1::oid[])`;
