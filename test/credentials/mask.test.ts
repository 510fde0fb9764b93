/** Masking: every form of every secret becomes *** in values and keys, at any depth. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { maskOutcome, maskSecrets, maskText, secretStrings } from "../../src/credentials/index.ts";

const SECRET = "s3cr3t/p@ss word";

describe("credentials: masking", () => {
  test("secrets are masked in nested values and in keys, leaving the rest as it was", () => {
    const value = {
      status: 200,
      data: {
        items: [{ token: `Bearer ${SECRET}` }, "clean", 42, null, true],
        [`echo-${SECRET}`]: { deeper: [[`a${SECRET}b${SECRET}`]] },
      },
    };
    assert.deepEqual(maskSecrets(value, [SECRET]), {
      status: 200,
      data: {
        items: [{ token: "Bearer ***" }, "clean", 42, null, true],
        "echo-***": { deeper: [["a***b***"]] },
      },
    });
  });

  test("URL-encoded, form-encoded, base64, base64url and JSON-escaped forms are masked", () => {
    const quoted = 'say "hi"\\now';
    const texts = [
      `https://api.test/x?key=${encodeURIComponent(SECRET)}&a=1`,
      `password=${encodeURIComponent(SECRET).replaceAll("%20", "+")}`,
      `token ${Buffer.from(SECRET).toString("base64")} end`,
      `token ${Buffer.from(SECRET).toString("base64url")} end`,
      `{"password": ${JSON.stringify(quoted)}}`,
    ];
    const masked = texts.map((text) => maskText(text, [SECRET, quoted]));
    assert.deepEqual(masked, [
      "https://api.test/x?key=***&a=1",
      "password=***",
      "token *** end",
      "token *** end",
      '{"password": "***"}',
    ]);
  });

  test("basic auth: base64('user:password') is masked as a whole", () => {
    const secrets = secretStrings({ type: "basic", username: "etl_user", password: "pa55w0rd!" });
    const header = `Basic ${Buffer.from("etl_user:pa55w0rd!").toString("base64")}`;
    assert.equal(maskText(`sent authorization: ${header}`, secrets), "sent authorization: Basic ***");
  });

  test("the longest secret is masked first (no half-masked overlap)", () => {
    assert.equal(maskText("abcdefgh", ["abcd", "abcdefgh"]), "***");
    assert.equal(maskText("xx abcdefgh abcd", ["abcd", "abcdefgh"]), "xx *** ***");
  });

  test("regular-expression characters in secrets are literal", () => {
    assert.equal(maskText("a.b*c+d? a-b-c-d", ["a.b*c+d?"]), "*** a-b-c-d");
  });

  test("nothing to mask returns the very same value; secrets under 4 characters are never masked", () => {
    const value = { a: ["abc"] };
    assert.equal(maskSecrets(value, []), value);
    assert.equal(maskSecrets(value, ["abc", ""]), value);
  });

  test("secretStrings: every value but the descriptive fields; URL passwords; numbers; nested data", () => {
    const secrets = secretStrings({
      type: "postgres",
      host: "db.internal",
      port: 5432,
      user: "etl",
      username: "etl_user",
      database: "warehouse",
      password: "hunter22",
      pin: 48151623,
      url: "postgres://etl:p%40ss%2Fword@db.internal/warehouse",
      extra: { api_key: "key-123456", list: ["tok-abcdef", "no"] },
    });
    for (const secret of ["hunter22", "48151623", "p@ss/word", "key-123456", "tok-abcdef"]) {
      assert.ok(secrets.includes(secret), `${secret} is a secret`);
    }
    assert.ok(secrets.includes("etl_user:hunter22"));
    assert.ok(secrets.includes("postgres://etl:p%40ss%2Fword@db.internal/warehouse"));
    for (const plain of ["postgres", "db.internal", "5432", "etl", "etl_user", "warehouse", "no"]) {
      assert.ok(!secrets.includes(plain), `${plain} is not a secret`);
    }
    assert.deepEqual(
      secrets,
      [...secrets].sort((a, b) => b.length - a.length),
    );
  });

  test("maskOutcome masks the response or error, stdout and stderr of a call", () => {
    const ok = maskOutcome({ ok: true, response: { echo: SECRET }, stdout: `printed ${SECRET}\n` }, [SECRET]);
    assert.deepEqual(ok, { ok: true, response: { echo: "***" }, stdout: "printed ***\n" });
    const failed = maskOutcome(
      {
        ok: false,
        error: { kind: "python", message: `bad ${SECRET}`, retryable: false, traceback: [SECRET] },
        stderr: SECRET,
      },
      [SECRET],
    );
    assert.deepEqual(failed, {
      ok: false,
      error: { kind: "python", message: "bad ***", retryable: false, traceback: ["***"] },
      stderr: "***",
    });
  });
});
