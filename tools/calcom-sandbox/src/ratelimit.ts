/**
 * Cal.com's default throttler: `limit` requests per `windowMs` per API key;
 * going over blocks the key for `blockMs`. Reset is reported in seconds
 * remaining, never as an epoch.
 */
import type { Clock } from '@calsync/platform';
import type { RateLimitOptions } from './types';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetSeconds: number;
}

interface Bucket {
  windowStart: number;
  count: number;
  blockedUntil: number;
}

export function createRateLimiter(opts: RateLimitOptions, clock: Clock) {
  const buckets = new Map<string, Bucket>();
  return {
    hit(key: string): RateDecision {
      const now = clock.now().getTime();
      let b = buckets.get(key);
      if (!b || now - b.windowStart >= opts.windowMs) {
        b = { windowStart: now, count: 0, blockedUntil: b?.blockedUntil ?? 0 };
        buckets.set(key, b);
      }
      if (b.blockedUntil > now) {
        return {
          allowed: false,
          limit: opts.limit,
          remaining: 0,
          resetSeconds: Math.ceil((b.blockedUntil - now) / 1000),
        };
      }
      b.count += 1;
      const windowReset = Math.ceil((b.windowStart + opts.windowMs - now) / 1000);
      if (b.count > opts.limit) {
        b.blockedUntil = now + opts.blockMs;
        return {
          allowed: false,
          limit: opts.limit,
          remaining: 0,
          resetSeconds: Math.ceil(opts.blockMs / 1000),
        };
      }
      return { allowed: true, limit: opts.limit, remaining: opts.limit - b.count, resetSeconds: windowReset };
    },
    reset() {
      buckets.clear();
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;
