/**
 * Replaces secrets with `***` in whatever a worker reports (responses, errors, stdout, stderr), in keys as in
 * values. Each secret is also matched in the forms a tool commonly passes it on: URL-encoded (query strings,
 * form bodies), base64 (Basic auth headers, tokens) and JSON-escaped (printed JSON).
 *
 * Limits: a secret a tool transforms in any other way (hashed, sliced, upper-cased, split over lines, embedded
 * in a longer base64 text at an unaligned offset) cannot be recognised, and strings shorter than 4 characters
 * are never masked (see secrets.ts).
 */

import { mapStrings } from "../dsl/json.ts";
import type { JsonValue } from "../dsl/types.ts";
import { MIN_SECRET_LENGTH } from "./secrets.ts";

export const MASK = "***";

/** Every form of every secret, longest first, as one regular expression (undefined: nothing to mask). */
export function maskPattern(secrets: readonly string[]): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    const base64 = Buffer.from(secret, "utf8").toString("base64");
    const encoded = uriEncoded(secret);
    for (const form of [
      secret,
      encoded,
      encoded.replaceAll("%20", "+"),
      base64,
      base64.replace(/=+$/, ""),
      Buffer.from(secret, "utf8").toString("base64url"),
      JSON.stringify(secret).slice(1, -1),
    ]) {
      if (form.length >= MIN_SECRET_LENGTH) forms.add(form);
    }
  }
  if (forms.size === 0) return undefined;
  // Alternatives are tried in order at each position: longest first masks `user:pass` whole, not `pass` alone.
  const sorted = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(sorted.join("|"), "g");
}

/** encodeURIComponent throws on a lone surrogate; such a secret is then masked in its other forms only. */
function uriEncoded(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

export function maskText(text: string, secrets: readonly string[]): string {
  const pattern = maskPattern(secrets);
  return pattern === undefined ? text : text.replace(pattern, MASK);
}

/** A copy of `value` with every secret masked in strings and keys; `value` itself when there is no secret. */
export function maskSecrets<T extends JsonValue>(value: T, secrets: readonly string[]): T {
  const pattern = maskPattern(secrets);
  return pattern === undefined ? value : (maskWith(value, pattern) as T);
}

export function maskWith(value: JsonValue, pattern: RegExp): JsonValue {
  return mapStrings(value, (text) => text.replace(pattern, MASK));
}
