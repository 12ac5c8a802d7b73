/** The HTTP APIs the CLI speaks to: JSON in, JSON out, `{error:{code,message}}` turned into an ApiError. */

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Api {
  call<T = unknown>(method: string, path: string, opts: { token: string; body?: unknown }): Promise<T>;
}

export function createApi(baseUrl: string, fetchImpl: typeof fetch = fetch): Api {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async call<T>(method: string, path: string, opts: { token: string; body?: unknown }): Promise<T> {
      const headers: Record<string, string> = {
        authorization: `Bearer ${opts.token}`,
        accept: 'application/json',
      };
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetchImpl(`${base}${path}`, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (err) {
        throw new ApiError(
          0,
          'unreachable',
          `cannot reach ${base}: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
      const text = await res.text();
      let body: unknown = undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      if (!res.ok) {
        const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
          ?.error;
        throw new ApiError(
          res.status,
          e?.code ?? `http_${res.status}`,
          e?.message ?? String(text).slice(0, 200),
          e?.details,
        );
      }
      return body as T;
    },
  };
}
