/**
 * Request budgets for the public endpoints (issue 9 item 9): token buckets per
 * client and per tenant, in memory and bounded (the least recently used key goes
 * first), so a flood of made-up ids or addresses costs a fixed amount of memory.
 * Over budget → 429 with `Retry-After`, before the route runs: nothing changes.
 *
 * A route that must never lose a valid request (Cal.com sends each webhook once)
 * asks for `defer`: the request still runs, and only if the route refuses it
 * (bad signature, …) does the answer become 429 (`rateLimitedRetryAfter`).
 */
import type { Request, RequestHandler, Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from './clock';
import { sendError } from './http';

export interface TokenBuckets {
  /** 0 when a token was taken, else the milliseconds until one is there. */
  take(key: string): number;
  /** Gives one token back (a request the budget should not have paid for). */
  refund(key: string): void;
  size(): number;
}

export function createTokenBuckets(opts: {
  limit: number;
  windowMs: number;
  maxKeys: number;
  clock: Clock;
}): TokenBuckets {
  const { limit, maxKeys, clock } = opts;
  const perMs = limit / opts.windowMs;
  // Map order is insertion order: re-inserting on every touch keeps the oldest first.
  const buckets = new Map<string, { tokens: number; at: number }>();
  const touch = (key: string) => {
    const now = clock.now().getTime();
    const b = buckets.get(key) ?? { tokens: limit, at: now };
    b.tokens = Math.min(limit, b.tokens + Math.max(0, now - b.at) * perMs);
    b.at = now;
    buckets.delete(key);
    buckets.set(key, b);
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
    return b;
  };
  return {
    take(key) {
      const b = touch(key);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.ceil((1 - b.tokens) / perMs);
    },
    refund(key) {
      const b = buckets.get(key);
      if (b) b.tokens = Math.min(limit, b.tokens + 1);
    },
    size: () => buckets.size,
  };
}

export interface RateBudget {
  /** Metric label: `client`, `tenant`. */
  name: string;
  /** The key this request spends from; undefined: this budget does not count it. */
  key(req: Request): string | undefined;
  perMinute: number;
  /** Give the token back once the answer shows the request was not this budget's to pay. */
  refundIf?(status: number): boolean;
}

export interface RateLimitOptions {
  budgets: RateBudget[];
  /** Keys kept per budget. */
  maxKeys: number;
  clock: Clock;
  registry?: Registry;
  /** `defer`: over budget, the route still runs and decides (see rateLimitedRetryAfter). */
  mode?(req: Request): 'refuse' | 'defer';
}

const DEFERRED = 'rateLimitRetryAfterSeconds';

/** Set when this request is over budget but was let through (`defer`): the route's refusal becomes a 429. */
export function rateLimitedRetryAfter(res: Response): number | undefined {
  const v: unknown = res.locals[DEFERRED];
  return typeof v === 'number' ? v : undefined;
}

export function sendRateLimited(res: Response, retryAfterSeconds: number): void {
  res.setHeader('Retry-After', String(retryAfterSeconds));
  sendError(res, 429, 'rate_limited', `Too many requests; retry after ${retryAfterSeconds} s`);
}

export function rateLimit(opts: RateLimitOptions): RequestHandler {
  const budgets = opts.budgets
    .filter((b) => b.perMinute > 0)
    .map((b) => ({
      ...b,
      buckets: createTokenBuckets({
        limit: b.perMinute,
        windowMs: 60_000,
        maxKeys: opts.maxKeys,
        clock: opts.clock,
      }),
    }));
  const limited = new Counter({
    name: 'http_rate_limited_total',
    help: 'Requests over a budget: refused with 429, or deferred to the route (a signed webhook is never dropped)',
    labelNames: ['budget', 'outcome'] as const,
    registers: opts.registry ? [opts.registry] : [],
  });
  return (req, res, next) => {
    const spent: [(typeof budgets)[number], string][] = [];
    let overMs = 0;
    let over: string | undefined;
    for (const b of budgets) {
      const key = b.key(req);
      if (key === undefined) continue;
      const wait = b.buckets.take(key);
      if (wait > 0) {
        overMs = wait;
        over = b.name;
        break; // a refused request spends nothing from the budgets after this one
      }
      spent.push([b, key]);
    }
    if (spent.some(([b]) => b.refundIf !== undefined))
      res.once('finish', () => {
        for (const [b, key] of spent) if (b.refundIf?.(res.statusCode)) b.buckets.refund(key);
      });
    if (over === undefined) return next();
    const seconds = Math.max(1, Math.ceil(overMs / 1000));
    if (opts.mode?.(req) === 'defer') {
      limited.inc({ budget: over, outcome: 'deferred' });
      res.locals[DEFERRED] = seconds;
      return next();
    }
    limited.inc({ budget: over, outcome: 'refused' });
    if (!req.complete) res.setHeader('Connection', 'close'); // not worth reading the rest of the body
    sendRateLimited(res, seconds);
  };
}

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The tenant a path names after `prefix`, when it is a valid tenant id (anything else is no tenant's budget). */
export function tenantOfPath(prefix: string): (req: Request) => string | undefined {
  return (req) => {
    if (!req.path.startsWith(prefix)) return undefined;
    const id = req.path.slice(prefix.length).split('/', 1)[0] ?? '';
    return TENANT_ID.test(id) ? id : undefined;
  };
}

/** The client's address as Express sees it (honours `trust proxy`). */
export const clientOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';
