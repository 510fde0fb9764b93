/**
 * DuckDB values ⇄ JSON (the table is in docs/tools.md). Out: the same mapping as PostgreSQL's where the
 * types match (BIGINT/HUGEINT/DECIMAL → number when exact, else string; TIMESTAMP → ISO 8601; BLOB →
 * base64), LIST/ARRAY → list, STRUCT → mapping, MAP → mapping with string keys, INTERVAL/TIME/UUID → text.
 * In: JSON parameters become DuckDB values (a list of scalars → LIST, a mapping → JSON text).
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBArrayValue,
  DuckDBBitValue,
  DuckDBBlobValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBUnionValue,
  type DuckDBValue,
  DuckDBVariantValue,
  LIST,
  listValue,
  VARCHAR,
} from "@duckdb/node-api";
import type { JsonObject, JsonValue } from "../../dsl/types.ts";
import { base64Value, decimalValue, floatValue, integerValue, timestampValue } from "../sql/values.ts";

export function jsonOf(value: DuckDBValue): JsonValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return floatValue(value);
  if (typeof value === "bigint") return integerValue(value);
  if (value instanceof DuckDBDecimalValue) return decimalValue(value.toString());
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue) return value.items.map(jsonOf);
  if (value instanceof DuckDBStructValue) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value.entries)) out[key] = jsonOf(item);
    return out;
  }
  if (value instanceof DuckDBMapValue) {
    const out: JsonObject = {};
    for (const { key, value: item } of value.entries) {
      const name = jsonOf(key);
      out[typeof name === "string" ? name : JSON.stringify(name)] = jsonOf(item);
    }
    return out;
  }
  if (value instanceof DuckDBBlobValue) return base64Value(value.bytes);
  if (value instanceof DuckDBUnionValue) return jsonOf(value.value);
  if (value instanceof DuckDBVariantValue) return jsonOf(value.value as DuckDBValue);
  if (isTimestamp(value)) return timestampValue(value.toString());
  if (value instanceof DuckDBBitValue) return value.toString();
  // DATE, TIME, TIMETZ, INTERVAL, UUID, GEOMETRY: their SQL text, which casts back.
  return value.toString();
}

function isTimestamp(value: DuckDBValue): value is DuckDBTimestampValue {
  return (
    value instanceof DuckDBTimestampValue ||
    value instanceof DuckDBTimestampTZValue ||
    value instanceof DuckDBTimestampSecondsValue ||
    value instanceof DuckDBTimestampMillisecondsValue ||
    value instanceof DuckDBTimestampNanosecondsValue
  );
}

const isScalar = (v: JsonValue): v is string | number | boolean | null => v === null || typeof v !== "object";

/** The LIST type for a list of scalars; undefined lets DuckDB infer from the first item. */
function listType(items: JsonValue[]): DuckDBType | undefined {
  const present = items.filter((v) => v !== null);
  if (present.length === 0) return LIST(VARCHAR);
  if (present.every((v) => typeof v === "number")) {
    if (present.every((v) => Number.isInteger(v))) return LIST(BIGINT);
    return LIST(DOUBLE);
  }
  if (present.every((v) => typeof v === "string")) return LIST(VARCHAR);
  if (present.every((v) => typeof v === "boolean")) return LIST(BOOLEAN);
  return undefined;
}

/** A JSON parameter as a DuckDB value and, where inference would guess wrong, its type. */
export function duckParam(value: JsonValue): { value: DuckDBValue; type: DuckDBType | undefined } {
  if (isScalar(value)) return { value, type: undefined };
  if (Array.isArray(value) && value.every(isScalar))
    return { value: listValue(value), type: listType(value) };
  return { value: JSON.stringify(value), type: undefined };
}
