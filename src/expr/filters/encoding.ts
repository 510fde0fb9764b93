import { evalError } from "../errors.ts";
import { pyJsonDumps } from "../json.ts";
import { pyStr } from "../pyformat.ts";
import { checkStringLength } from "../state.ts";
import { isDict, toNumber } from "../values.ts";
import { arg, type FilterSpec, iterate } from "./spec.ts";

const ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;

/** Python `urllib.parse.quote` (UTF-8, `/` safe for paths); for query strings spaces become `+`. */
export function urlQuote(value: unknown, forQuery: boolean): string {
  let out = "";
  for (const byte of Buffer.from(pyStr(value), "utf8")) {
    const ch = String.fromCharCode(byte);
    if (ALWAYS_SAFE.test(ch) || (!forQuery && ch === "/")) out += ch;
    else if (forQuery && ch === " ") out += "+";
    else out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function urlencode(value: unknown): string {
  if (typeof value === "string") return urlQuote(value, false);
  const pairs = isDict(value) ? Object.entries(value) : iterate(value, "urlencode");
  return pairs
    .map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2)
        throw evalError("urlencode needs a mapping or [key, value] pairs");
      return `${urlQuote(pair[0], true)}=${urlQuote(pair[1], true)}`;
    })
    .join("&");
}

function fromJson(value: unknown): unknown {
  if (typeof value !== "string") throw evalError("fromjson needs a string");
  try {
    return JSON.parse(value);
  } catch (e) {
    throw evalError(`fromjson: invalid JSON: ${(e as Error).message}`);
  }
}

function b64decode(value: unknown): string {
  const text = pyStr(value).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text) || text.replace(/=+$/, "").length % 4 === 1) {
    throw evalError("b64decode: invalid base64 input");
  }
  return Buffer.from(text, "base64").toString("utf8");
}

/** Jinja's `tojson`: sorted keys, HTML-safe escapes; `indent=` pretty-prints. */
const toJson: FilterSpec = {
  params: ["indent"],
  apply: (_st, v, b) => {
    const indent = toNumber(arg(b, 0, null));
    return pyJsonDumps(v, { indent: indent ?? undefined, sortKeys: true, htmlSafe: true });
  },
};

const fromJsonFilter: FilterSpec = { params: [], apply: (_st, v) => fromJson(v) };

export const ENCODING_FILTERS: Record<string, FilterSpec> = {
  tojson: toJson,
  to_json: toJson,
  fromjson: fromJsonFilter,
  from_json: fromJsonFilter,
  b64encode: {
    params: [],
    apply: (_st, v) => {
      const out = Buffer.from(pyStr(v), "utf8").toString("base64");
      checkStringLength(out.length);
      return out;
    },
  },
  b64decode: { params: [], apply: (_st, v) => b64decode(v) },
  urlencode: { params: [], apply: (_st, v) => urlencode(v) },
};
