/**
 * A text description of the live schema (tables, columns, indexes, constraints), stable across
 * PostgreSQL versions, for comparing a database against what the migrations produce (drift checks).
 */
import type { Db } from "./db.ts";

export async function describeSchema(db: Db, schema = "public"): Promise<string[]> {
  const rows = await db.query<{ line: string }>(
    `SELECT line FROM (
       SELECT 1 AS kind, table_name::text AS tbl, ordinal_position::int AS pos,
         'column ' || table_name || '.' || column_name || ' ' || data_type
           || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
           || COALESCE(' default ' || column_default, '') AS line
       FROM information_schema.columns WHERE table_schema = $1
       UNION ALL
       SELECT 2, tablename::text, 0, 'index ' || indexdef
       FROM pg_indexes WHERE schemaname = $1
       UNION ALL
       -- NOT NULL constraints are left out: PostgreSQL 18 lists them here, 15 does not (columns show them).
       SELECT 3, c.conrelid::regclass::text, 0,
         'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = $1 AND c.contype IN ('p', 'u', 'c', 'f', 'x')
     ) s
     ORDER BY kind, tbl, pos, line`,
    [schema],
  );
  return rows.map((r) => r.line);
}
