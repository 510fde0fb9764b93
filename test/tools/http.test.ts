import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createHttpTool, ToolRegistry } from "../../src/tools/index.ts";
import { command, context, errorOf, responseOf } from "./helpers.ts";

/** What the server saw, per request: the tests assert on it. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  remotePort: number | undefined;
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function json(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
}

describe("http tool against a local server", () => {
  const seen: Seen[] = [];
  let server: Server;
  let base: string;
  const registry = new ToolRegistry().register(createHttpTool({ maxResponseBytes: 64 * 1024 }));

  before(async () => {
    server = await listen((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      req.on("end", () => {
        const record = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
        seen.push({ ...record, remotePort: req.socket.remotePort });
        const path = new URL(req.url ?? "/", "http://x").pathname;
        if (path === "/echo") return json(res, 200, record);
        if (path === "/text") {
          res.writeHead(200, { "content-type": "text/plain" });
          return res.end("plain words");
        }
        if (path.startsWith("/status/")) {
          const status = Number(path.slice("/status/".length));
          return json(res, status, { error: `status ${status}` }, { "retry-after": "7" });
        }
        if (path === "/slow") return; // never answers: the client's timeout must fire
        if (path === "/big") {
          res.writeHead(200, { "content-type": "text/plain" }); // chunked, no content-length
          res.write("x".repeat(40 * 1024));
          res.end("y".repeat(40 * 1024));
          return;
        }
        if (path === "/redirect") {
          res.writeHead(302, { location: "/echo?redirected=1" });
          return res.end();
        }
        json(res, 404, { error: "no route" });
      });
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await registry.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("GET with params (lists repeat the key) returns status, headers, parsed JSON data, url", async () => {
    const tool = {
      kind: "http",
      endpoint: `${base}/echo?fixed=1`,
      params: { page: 2, id: [7, 8], skip: null },
    };
    const response = responseOf(await registry.run(command(tool), context()));
    assert.equal(response.status, 200);
    assert.equal(response.status_code, 200);
    assert.equal(response.url, `${base}/echo?fixed=1&page=2&id=7&id=8`);
    assert.equal((response.headers as Record<string, string>)["content-type"], "application/json");
    assert.equal(typeof response.elapsed_ms, "number");
    const data = response.data as { method: string; url: string; body: string };
    assert.equal(data.method, "GET");
    assert.equal(data.url, "/echo?fixed=1&page=2&id=7&id=8");
    assert.equal(data.body, "");
  });

  test("POST sends payload as JSON with a JSON content-type, and custom headers", async () => {
    const tool = {
      kind: "http",
      method: "post",
      url: `${base}/echo`,
      headers: { "X-Trace": "abc", "X-Count": 3 },
      payload: { name: "Ada", tags: ["a", "b"] },
    };
    const data = responseOf(await registry.run(command(tool), context())).data as unknown as Seen;
    assert.equal(data.method, "POST");
    assert.deepEqual(JSON.parse(data.body), { name: "Ada", tags: ["a", "b"] });
    assert.equal(data.headers["content-type"], "application/json");
    assert.equal(data.headers["x-trace"], "abc");
    assert.equal(data.headers["x-count"], "3");
  });

  test("a string payload is sent as-is; `data` is an alias of `payload`", async () => {
    const tool = { kind: "http", method: "PUT", endpoint: `${base}/echo`, data: "raw,csv,line" };
    const data = responseOf(await registry.run(command(tool), context())).data as unknown as Seen;
    assert.equal(data.body, "raw,csv,line");
    assert.match(String(data.headers["content-type"]), /^text\/plain/);
  });

  test("an object payload on GET becomes query parameters", async () => {
    const tool = { kind: "http", endpoint: `${base}/echo`, payload: { q: "x y" } };
    const data = responseOf(await registry.run(command(tool), context())).data as unknown as Seen;
    assert.equal(data.url, "/echo?q=x+y");
  });

  test("on GET, params win over the payload on the same key", async () => {
    const tool = { kind: "http", endpoint: `${base}/echo`, params: { a: "p" }, payload: { a: "x", b: "y" } };
    const data = responseOf(await registry.run(command(tool), context())).data as unknown as Seen;
    assert.equal(data.url, "/echo?b=y&a=p");
  });

  test("a non-JSON content-type gives the body as text", async () => {
    const response = responseOf(
      await registry.run(command({ kind: "http", endpoint: `${base}/text` }), context()),
    );
    assert.equal(response.data, "plain words");
  });

  test("a non-2xx status is a failed call carrying status and data; 4xx is not retryable", async () => {
    const error = errorOf(
      await registry.run(command({ kind: "http", endpoint: `${base}/status/404` }), context()),
    );
    assert.equal(error.kind, "http");
    assert.equal(error.code, "E_HTTP_STATUS");
    assert.equal(error.status, 404);
    assert.deepEqual(error.data, { error: "status 404" });
    assert.equal(error.retryable, false);
    assert.equal(error.message, `HTTP 404 Not Found from GET ${base}/status/404`);
  });

  test("408, 429 and 5xx are retryable; Retry-After is reported", async () => {
    for (const status of [408, 429, 500, 502, 503]) {
      const tool = { kind: "http", endpoint: `${base}/status/${status}` };
      const error = errorOf(await registry.run(command(tool), context()));
      assert.equal(error.status, status);
      assert.equal(error.retryable, true, `status ${status}`);
      assert.equal(error.retry_after, 7);
    }
    const error = errorOf(
      await registry.run(command({ kind: "http", endpoint: `${base}/status/400` }), context()),
    );
    assert.equal(error.retryable, false);
  });

  test("redirects are not followed unless follow_redirects is true", async () => {
    const plain = errorOf(
      await registry.run(command({ kind: "http", endpoint: `${base}/redirect` }), context()),
    );
    assert.equal(plain.status, 302);
    const tool = { kind: "http", endpoint: `${base}/redirect`, follow_redirects: true };
    const data = responseOf(await registry.run(command(tool), context())).data as unknown as Seen;
    assert.equal(data.url, "/echo?redirected=1");
  });

  test("a server that does not answer in `timeout` seconds is a retryable timeout", async () => {
    const tool = { kind: "http", endpoint: `${base}/slow`, timeout: 0.2 };
    const error = errorOf(await registry.run(command(tool), context()));
    assert.equal(error.kind, "timeout");
    assert.equal(error.code, "E_TOOL_TIMEOUT");
    assert.equal(error.retryable, true);
    assert.equal(error.message, `GET ${base}/slow timed out after 0.2s`);
  });

  test("the worker's abort signal stops a call in flight", async () => {
    const controller = new AbortController();
    const pending = registry.run(
      command({ kind: "http", endpoint: `${base}/slow` }),
      context({ signal: controller.signal }),
    );
    setTimeout(() => controller.abort(), 50);
    const error = errorOf(await pending);
    assert.equal(error.kind, "aborted");
  });

  test("a body over the size limit fails clearly, even without content-length", async () => {
    const error = errorOf(await registry.run(command({ kind: "http", endpoint: `${base}/big` }), context()));
    assert.equal(error.code, "E_HTTP_RESPONSE_TOO_LARGE");
    assert.equal(error.retryable, false);
    assert.match(String(error.message), /exceeds the limit of 65536 bytes/);
    const raised = { kind: "http", endpoint: `${base}/big`, max_response_bytes: 100 * 1024 };
    assert.equal(
      (responseOf(await registry.run(command(raised), context())).data as string).length,
      80 * 1024,
    );
  });

  test("Idempotency-Key is execution/step_run/call_index: the same across retries, new per call", async () => {
    const tool = { kind: "http", endpoint: `${base}/echo` };
    const keyOf = async (attempt: number, call_index: number): Promise<unknown> => {
      const data = responseOf(await registry.run(command(tool), context({ attempt, call_index })))
        .data as unknown as Seen;
      return data.headers["idempotency-key"];
    };
    assert.equal(await keyOf(1, 0), "exec-1/run-1/0");
    assert.equal(await keyOf(2, 0), "exec-1/run-1/0");
    assert.equal(await keyOf(1, 1), "exec-1/run-1/1");
  });

  test("a resolved bearer credential becomes the Authorization header", async () => {
    const tool = { kind: "http", endpoint: `${base}/echo`, auth: { type: "bearer", token: "s3cret" } };
    const data = responseOf(await registry.run(command(tool), context())).data as unknown as Seen;
    assert.equal(data.headers.authorization, "Bearer s3cret");
  });

  test("sequential calls reuse keep-alive connections", async () => {
    const fresh = new ToolRegistry().register(createHttpTool()); // its own Agent: no sockets from other tests
    seen.length = 0;
    for (let i = 0; i < 6; i++)
      await fresh.run(command({ kind: "http", endpoint: `${base}/echo` }), context());
    await fresh.close();
    assert.equal(seen.length, 6);
    // undici frees a socket a tick after the body ends, so back-to-back calls alternate between two sockets
    assert.ok(new Set(seen.map((s) => s.remotePort)).size <= 2);
  });
});

describe("http tool failures below HTTP", () => {
  const registry = new ToolRegistry().register(createHttpTool());
  after(() => registry.close());

  test("connection refused is a retryable http error that says so", async () => {
    const server = await listen(() => {});
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const error = errorOf(
      await registry.run(command({ kind: "http", endpoint: `http://127.0.0.1:${port}/x` }), context()),
    );
    assert.equal(error.kind, "http");
    assert.equal(error.code, "E_HTTP_NETWORK");
    assert.equal(error.retryable, true);
    assert.equal(error.message, `GET http://127.0.0.1:${port}/x failed: connection refused (ECONNREFUSED)`);
  });

  test("validate reports each problem", () => {
    const problems = registry.get("http")!.validate({
      kind: "http",
      endpoint: "ftp://x",
      method: "FETCH",
      timeout: -1,
      headers: { a: { b: 1 } },
      auth: "my_api",
    });
    assert.deepEqual(problems, [
      "'endpoint' must be an absolute http(s) URL, got 'ftp://x'",
      `'method' must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "FETCH"`,
      "'timeout' must be a positive number of seconds, got -1",
      "'auth' names credential 'my_api' but it was not resolved before the call",
      "header 'a' must be a scalar, got a mapping",
    ]);
  });
});
