/**
 * Per-tenant Cal.com budget (SPEC §6.7): a sliding window of
 * `calcom_rate_limit_per_minute` calls, plus what Cal.com's X-RateLimit-*
 * headers and 429s say. A wait never counts as an attempt.
 */
import { sleep, type Clock } from '@calsync/platform';

/** Thrown when the wait would be longer than the caller wants to wait in place. */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  constructor(readonly waitMs: number) {
    super(`Cal.com rate limit: wait ${waitMs} ms`);
  }
}

export interface RateLimiterOptions {
  windowMs: number;
  clock: Clock;
  /** Slack added to each call's window so network jitter cannot push two windows into one. */
  marginMs?: number;
  /** Called whenever a call has to wait (metric). */
  onWait?: (tenantId: string, waitMs: number) => void;
}

export interface TenantRateLimiter {
  /** ms until a call may go out (0 = now), without taking a slot. */
  delayFor(tenantId: string, budget: number): number;
  /** Waits in place (without taking a slot) until a call may go out; longer waits than `maxWaitMs` throw RateLimitedError. */
  waitForSlot(tenantId: string, budget: number, maxWaitMs: number): Promise<void>;
  /** Takes a slot, waiting in place up to `maxWaitMs`; longer waits throw RateLimitedError. */
  acquire(tenantId: string, budget: number, maxWaitMs: number, signal?: AbortSignal): Promise<void>;
  /** X-RateLimit-Remaining / -Reset (seconds remaining) of a response. */
  observe(tenantId: string, remaining: number | undefined, resetSeconds: number | undefined): void;
  /** A 429: pause the tenant until the reset. Returns the pause in ms. */
  throttled(tenantId: string, resetSeconds: number | undefined): number;
}

interface TenantWindow {
  calls: number[];
  pausedUntil: number;
}

export function createRateLimiter(opts: RateLimiterOptions): TenantRateLimiter {
  const margin = opts.marginMs ?? 150;
  const tenants = new Map<string, TenantWindow>();
  const state = (id: string) => {
    let s = tenants.get(id);
    if (!s) tenants.set(id, (s = { calls: [], pausedUntil: 0 }));
    return s;
  };
  const now = () => opts.clock.now().getTime();

  function wait(s: TenantWindow, budget: number, t: number): number {
    const horizon = opts.windowMs + margin;
    while (s.calls.length && s.calls[0]! <= t - horizon) s.calls.shift();
    const pause = Math.max(0, s.pausedUntil - t);
    const windowWait =
      s.calls.length < Math.max(budget, 1) ? 0 : s.calls[s.calls.length - Math.max(budget, 1)]! + horizon - t;
    return Math.max(pause, windowWait);
  }

  return {
    delayFor(tenantId, budget) {
      return wait(state(tenantId), budget, now());
    },
    async waitForSlot(tenantId, budget, maxWaitMs) {
      const w = wait(state(tenantId), budget, now());
      if (w <= 0) return;
      opts.onWait?.(tenantId, w);
      if (w > maxWaitMs) throw new RateLimitedError(w);
      await sleep(w);
    },
    async acquire(tenantId, budget, maxWaitMs, signal) {
      const s = state(tenantId);
      for (;;) {
        const t = now();
        const w = wait(s, budget, t);
        if (w <= 0) {
          s.calls.push(t);
          return;
        }
        opts.onWait?.(tenantId, w);
        if (w > maxWaitMs || signal?.aborted) throw new RateLimitedError(w);
        await sleep(w, signal);
      }
    },
    observe(tenantId, remaining, resetSeconds) {
      if (remaining === undefined || remaining > 0) return;
      const s = state(tenantId);
      s.pausedUntil = Math.max(s.pausedUntil, now() + Math.max(resetSeconds ?? 1, 1) * 1000);
    },
    throttled(tenantId, resetSeconds) {
      const s = state(tenantId);
      const pause = Math.max(resetSeconds ?? opts.windowMs / 1000, 1) * 1000;
      s.pausedUntil = Math.max(s.pausedUntil, now() + pause);
      return s.pausedUntil - now();
    },
  };
}
