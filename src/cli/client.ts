/**
 * A small client for the server's JSON API, used by the CLI's remote commands. undici is loaded on the
 * first request: the CLI's other commands need not pay its ~100 ms of module loading.
 */
type Request = typeof import("undici").request;

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class ApiClient {
  constructor(private readonly baseUrl: string) {}

  get<T>(path: string): Promise<T> {
    return this.call<T>("GET", path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>("POST", path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.call<T>("DELETE", path);
  }

  private async call<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    const { request } = await import("undici");
    let res: Awaited<ReturnType<Request>>;
    try {
      res = await request(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new Error(`cannot reach the server at ${this.baseUrl}: ${(err as Error).message}`);
    }
    const text = await res.body.text();
    const parsed = text === "" ? undefined : (JSON.parse(text) as unknown);
    if (res.statusCode >= 400) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } })?.error;
      throw new ApiRequestError(
        res.statusCode,
        error?.code ?? "E_HTTP",
        error?.message ?? `HTTP ${res.statusCode}`,
        error?.details,
      );
    }
    return parsed as T;
  }
}
