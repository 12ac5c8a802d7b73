/**
 * A keep-alive HTTP/1.1 client for 127.0.0.1 and the two load shapes the
 * scenarios need: a closed loop (N clients, each waiting for its answer before
 * the next request) and an open loop (requests offered at a fixed rate,
 * whatever the answers do). Both stop at a request count or a deadline,
 * whichever comes first, and time each request with process.hrtime.
 */
import http from 'node:http';
import { nowMs } from './stats';

export interface Reply {
  status: number;
  body: Buffer;
}

export interface HttpClient {
  request(method: string, path: string, body?: Buffer, headers?: http.OutgoingHttpHeaders): Promise<Reply>;
  json(method: string, path: string, body?: unknown, headers?: http.OutgoingHttpHeaders): Promise<Reply>;
  close(): void;
}

export function createHttpClient(port: number, maxSockets: number): HttpClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const request: HttpClient['request'] = (method, path, body, headers = {}) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method,
          path,
          agent,
          headers: body ? { ...headers, 'content-length': body.length } : headers,
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  return {
    request,
    json: (method, path, body, headers = {}) =>
      request(
        method,
        path,
        body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
        body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ),
    close: () => agent.destroy(),
  };
}

/** Aborted by the runner on Ctrl-C or at its deadline: every load loop stops sending at once. */
export const loadAbort = new AbortController();
const stopped = () => loadAbort.signal.aborted;

export interface LoadResult {
  /** Latency of every request that got the expected answer, in ms. */
  samples: number[];
  ok: number;
  failed: number;
  /** First few unexpected answers or errors, for the report. */
  failures: string[];
  elapsedMs: number;
}

/**
 * One request of a load loop: `i` counts requests, `lane` is the closed-loop
 * client sending it (in an open loop, `i` again). Resolves true when the answer
 * is the expected one, otherwise with what was wrong.
 */
export type Send = (i: number, lane: number) => Promise<true | string>;

function collector() {
  const r: LoadResult = { samples: [], ok: 0, failed: 0, failures: [], elapsedMs: 0 };
  let closed = false;
  const timed = async (send: Send, i: number, lane: number) => {
    const t0 = nowMs();
    let outcome: true | string;
    try {
      outcome = await send(i, lane);
    } catch (err) {
      outcome = err instanceof Error ? err.message : String(err);
    }
    // An answer after the grace period was already counted as a failure.
    if (closed) return;
    if (outcome === true) {
      r.ok++;
      r.samples.push(nowMs() - t0);
    } else {
      r.failed++;
      if (r.failures.length < 5) r.failures.push(outcome);
    }
  };
  const close = () => void (closed = true);
  return { r, timed, close };
}

/** `concurrency` clients back to back until `maxRequests` were sent or `durationMs` passed. */
export async function closedLoop(opts: {
  concurrency: number;
  durationMs: number;
  maxRequests: number;
  send: Send;
}): Promise<LoadResult> {
  const { r, timed } = collector();
  const t0 = nowMs();
  const deadline = t0 + opts.durationMs;
  let next = 0;
  const client = async (_: unknown, lane: number) => {
    while (next < opts.maxRequests && nowMs() < deadline && !stopped()) await timed(opts.send, next++, lane);
  };
  await Promise.all(Array.from({ length: opts.concurrency }, client));
  r.elapsedMs = nowMs() - t0;
  return r;
}

/**
 * Requests offered at `ratePerSec` (not waiting for answers), `ratePerSec *
 * durationMs` of them at most; then waits for the answers, at most `graceMs`.
 */
export async function openLoop(opts: {
  ratePerSec: number;
  durationMs: number;
  send: Send;
  graceMs?: number;
}): Promise<LoadResult> {
  const { r, timed, close } = collector();
  const total = Math.floor((opts.ratePerSec * opts.durationMs) / 1000);
  const interval = 1000 / opts.ratePerSec;
  const pending = new Set<Promise<void>>();
  const t0 = nowMs();
  for (let i = 0; i < total && !stopped(); i++) {
    const due = t0 + i * interval;
    const wait = due - nowMs();
    if (wait > 1) await new Promise((res) => setTimeout(res, wait));
    const p = timed(opts.send, i, i).finally(() => pending.delete(p));
    pending.add(p);
  }
  const grace = new Promise<void>((res) => setTimeout(res, opts.graceMs ?? 30_000).unref());
  await Promise.race([Promise.all(pending), grace]);
  close();
  r.failed += pending.size;
  if (pending.size) r.failures.push(`${pending.size} requests unanswered after the grace period`);
  r.elapsedMs = nowMs() - t0;
  return r;
}
