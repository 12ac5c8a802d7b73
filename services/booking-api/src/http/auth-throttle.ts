/**
 * Failed authentication (admin token, operator token, Retell signature) is
 * throttled per client IP and per tenant: after `perIp` failures from one
 * address, or `perTenant` against one tenant, within `windowMs`, every attempt
 * (even a correct one) is answered 429 + Retry-After until the window ends.
 * The tenant budget is larger, so one address cannot lock a tenant's staff out
 * alone, while guessing spread over many addresses is still slowed.
 *
 * Counters live in memory per replica (bounded LRUs): with N replicas behind a
 * load balancer a client gets up to N times the budget. That is accepted; the
 * point is to make online guessing slow, not exact.
 */
import type { Response } from 'express';
import { createLruCache, type Clock } from '@calsync/platform';
import { ApiError } from '../domain/errors';

export interface AuthThrottleOptions {
  clock: Clock;
  perIp?: number;
  perTenant?: number;
  windowMs?: number;
}

export interface AuthSubject {
  ip: string;
  /** Only a well-formed tenant id from the path. */
  tenantId?: string | undefined;
}

interface Window {
  failures: number;
  endsAt: number;
}

const MAX_TRACKED = 10_000;

export function createAuthThrottle(opts: AuthThrottleOptions) {
  const windowMs = opts.windowMs ?? 60_000;
  const limits = { ip: opts.perIp ?? 10, tenant: opts.perTenant ?? 50 };
  const now = () => opts.clock.now().getTime();
  const windows = createLruCache<string, Window>({ max: MAX_TRACKED, ttlMs: windowMs, now });
  const keys = (s: AuthSubject) => [
    { key: `ip:${s.ip}`, limit: limits.ip },
    ...(s.tenantId ? [{ key: `tenant:${s.tenantId}`, limit: limits.tenant }] : []),
  ];

  return {
    /** Throws 429 (Retry-After set on `res`) while the subject is over a budget. */
    guard(res: Response, subject: AuthSubject): void {
      for (const { key, limit } of keys(subject)) {
        const w = windows.get(key);
        if (!w || w.failures < limit) continue;
        res.setHeader('Retry-After', String(Math.max(1, Math.ceil((w.endsAt - now()) / 1000))));
        throw new ApiError('rate_limited', 'Too many failed authentication attempts; retry later');
      }
    },
    failed(subject: AuthSubject): void {
      for (const { key } of keys(subject)) {
        const w = windows.get(key);
        if (w) w.failures++;
        else windows.set(key, { failures: 1, endsAt: now() + windowMs });
      }
    },
  };
}
export type AuthThrottle = ReturnType<typeof createAuthThrottle>;
