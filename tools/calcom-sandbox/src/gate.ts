/**
 * Everything in front of the `/v2` routes, in Cal.com's order: record the call,
 * optional global latency, per-key throttling (with its headers on every
 * answer), injected faults, then the API key.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sleep, type Clock } from '@calsync/platform';
import type { RecordedCall } from './types';
import type { Store } from './store';
import type { RateLimiter } from './ratelimit';
import { maskKey, routeOf, type Faults } from './faults';
import { errorBody, THROTTLED_BODY } from './errors';

export const bearerOf = (req: Request): string | null => {
  const m = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '');
  return m?.[1] ?? null;
};

export interface GateDeps {
  store: Store;
  limiter: RateLimiter;
  faults: Faults;
  clock: Clock;
  record: (c: RecordedCall) => void;
  latencyMs: () => number;
  /** Requests held open by a `timeout` fault; closed when the sandbox closes. */
  held: Set<Response>;
}

export function recorder(deps: GateDeps): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    const at = deps.clock.now().toISOString();
    let done = false;
    const finish = (status: number, fallbackNote?: string) => {
      if (done) return;
      done = true;
      deps.held.delete(res);
      const note = (res.locals.note as string | undefined) ?? fallbackNote;
      deps.record({
        kind: 'api',
        at,
        method: req.method,
        path: req.path,
        query: { ...req.query },
        apiKey: maskKey(bearerOf(req)),
        route: routeOf(req.method, req.originalUrl.split('?')[0] ?? ''),
        status,
        durationMs: Date.now() - started,
        ...(note ? { note } : {}),
      });
    };
    res.on('finish', () => finish(res.statusCode));
    res.on('close', () => finish(0, 'client-gone'));
    next();
  };
}

export function gate(deps: GateDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const extra = deps.latencyMs();
    if (extra > 0) await sleep(extra);
    const key = bearerOf(req);
    const decision = deps.limiter.hit(key ?? `ip:${req.ip ?? ''}`);
    const setHeaders = (remaining: number, reset: number) => {
      res.setHeader('X-RateLimit-Limit-Default', String(decision.limit));
      res.setHeader('X-RateLimit-Remaining-Default', String(remaining));
      res.setHeader('X-RateLimit-Reset-Default', String(reset));
    };
    setHeaders(decision.remaining, decision.resetSeconds);
    if (!decision.allowed) {
      res.locals.note = 'rate-limited';
      res.status(429).json(THROTTLED_BODY);
      return;
    }
    const route = routeOf(req.method, req.originalUrl.split('?')[0] ?? '');
    const fault = route === 'other' ? undefined : deps.faults.take(route, key);
    if (fault) {
      res.locals.note = `fault:${fault.mode}`;
      switch (fault.mode) {
        case 'latency':
          await sleep(fault.latencyMs ?? 1000);
          break;
        case 'status': {
          const status = fault.status ?? 500;
          res.status(status).json(errorBody(status, 'Injected fault', 'envelope', req.originalUrl));
          return;
        }
        case '429':
          setHeaders(0, fault.resetSeconds ?? 60);
          res.status(429).json(THROTTLED_BODY);
          return;
        case 'timeout':
          // Never answer: the client's own timeout is what ends this call.
          deps.held.add(res);
          return;
        case 'drop-after-commit':
          res.locals.dropAfterCommit = true;
          break;
        case 'status-after-commit':
          res.locals.statusAfterCommit = fault.status ?? 500;
          break;
      }
    }
    const account = key ? deps.store.account(key) : undefined;
    if (!account) {
      res.status(401).json(errorBody(401, 'Invalid Access Token.', 'envelope', req.originalUrl));
      return;
    }
    res.locals.account = account;
    next();
  };
}
