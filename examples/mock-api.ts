/**
 * A small paginated API for the examples and tests: 45 items served 10 per page.
 *
 *   GET /items?page=N         → {items: [...], paging: {page, pageSize, total, hasMore}}
 *   GET /flaky/items?page=N   → the same, but each page answers 503 on its first request (to exercise retries)
 *   GET /health               → {ok: true}
 *
 * Run it with `npx tsx examples/mock-api.ts [port]` (default 5555), or start it from code with startMockApi().
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

const TOTAL = 45;
const PAGE_SIZE = 10;

export interface MockApi {
  url: string;
  server: Server;
  /** Requests seen per path+page, e.g. "/flaky/items?page=2" → 2. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

function page(n: number) {
  const start = (n - 1) * PAGE_SIZE;
  const items = [];
  for (let id = start + 1; id <= Math.min(start + PAGE_SIZE, TOTAL); id++) {
    items.push({ id, name: `item-${id}`, score: (id * 7) % 10 });
  }
  return {
    items,
    paging: { page: n, pageSize: PAGE_SIZE, total: TOTAL, hasMore: start + PAGE_SIZE < TOTAL },
  };
}

export async function startMockApi(port = 0, host = "127.0.0.1"): Promise<MockApi> {
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://mock");
    const pageNo = Math.max(1, Number(url.searchParams.get("page") ?? "1") || 1);
    const key = `${url.pathname}?page=${pageNo}`;
    const seen = (hits.get(key) ?? 0) + 1;
    hits.set(key, seen);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/health") return send(200, { ok: true });
    if (url.pathname === "/items") return send(200, page(pageNo));
    if (url.pathname === "/flaky/items") {
      return seen === 1 ? send(503, { error: "temporarily unavailable" }) : send(200, page(pageNo));
    }
    return send(404, { error: `no route ${url.pathname}` });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    server,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const api = await startMockApi(Number(process.argv[2] ?? 5555));
  process.stdout.write(`mock API listening on ${api.url}\n`);
}
