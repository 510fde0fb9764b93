import type { FieldDef, RecordDef } from "./shapes.ts";
import { any, object, string } from "./shapes.ts";

/** The tool kinds a step (or sink, or workbook entry) may use (DSL §7). */
export const TOOL_KINDS = Object.freeze([
  "http",
  "postgres",
  "duckdb",
  "python",
  "workbook",
  "playbook",
  "noop",
] as const);
export type ToolKind = (typeof TOOL_KINDS)[number];

/**
 * Every field each tool reads (src/tools, docs/tools.md), for editor completion, documentation and the keys a
 * `call` may override. A step's tool config is open (other keys are kept as written); the validator checks
 * that a kind's required fields are present, and that `call` overrides name a field of the step's tool.
 * Field values (and aliases such as `url`/`query`) are the tool's business.
 */
const field = (description: string): FieldDef => ({ shape: any, description });
const args: FieldDef = {
  shape: object,
  description: "Inputs of the tool; the step run's args are merged over them.",
};
const timeout = field("Seconds for the whole call.");
const sqlFields = {
  command: field("SQL: one or more statements (alias `query`)."),
  query: field("Alias of `command`."),
  params: field("Values bound to $1..$n."),
  timeout,
};

export const TOOL_DEFS: Readonly<Record<ToolKind, RecordDef>> = {
  http: {
    description: "An HTTP request. Response: {status, status_code, headers, data, url, elapsed_ms}.",
    fields: {
      method: field("HTTP method (default GET)."),
      endpoint: field("The URL to call (alias `url`)."),
      url: field("Alias of `endpoint`."),
      headers: field("Request headers."),
      params: field("Query-string parameters."),
      payload: field("JSON body."),
      data: field("JSON body (alias of `payload`)."),
      timeout: field("Timeout in seconds."),
      max_response_bytes: field("Response body size limit (default 10 MiB)."),
      follow_redirects: field("Follow up to 5 redirects (default false)."),
      auth: field("Name of a stored credential."),
      args,
    },
    open: true,
    requireOneOf: [["endpoint", "url"]],
  },
  postgres: {
    description: "SQL on PostgreSQL. Response: {rows, row_count, columns, statements}.",
    fields: {
      auth: field("Name of a stored postgres credential."),
      connection: field("A postgres:// URL or libpq key=value pairs, instead of `auth` (alias `dsn`)."),
      dsn: field("Alias of `connection`."),
      ...sqlFields,
      args,
    },
    open: true,
    requireOneOf: [["command", "query"]],
  },
  duckdb: {
    description: "SQL on DuckDB. Response: {rows, row_count, columns, statements}.",
    fields: { database: field("Database file (default `:memory:` per execution)."), ...sqlFields, args },
    open: true,
    requireOneOf: [["command", "query"]],
  },
  python: {
    description: "Python code defining `main(**args)` or assigning `result`; never rendered as a template.",
    fields: { code: { shape: string, description: "The Python source (not a template)." }, timeout, args },
    open: true,
    requireOneOf: [["code"]],
  },
  workbook: {
    description: "Runs a named workbook entry.",
    fields: {
      name: field("Name of the workbook entry (alias `task`)."),
      task: field("Alias of `name`."),
      args: { shape: object, description: "Inputs of the entry (alias `with`)." },
      with: field("Alias of `args`."),
    },
    open: true,
    requireOneOf: [["name", "task"]],
  },
  playbook: {
    description: "Runs another playbook as a child execution and returns its result.",
    fields: {
      path: field("Catalog path of the playbook."),
      version: field("Catalog version (default latest)."),
      args,
    },
    open: true,
    requireOneOf: [["path"]],
  },
  noop: {
    description: "Does nothing; its response is its args. For routing steps and benchmarks.",
    fields: { args },
    open: true,
  },
};

export function isToolKind(kind: string): kind is ToolKind {
  return (TOOL_KINDS as readonly string[]).includes(kind);
}
