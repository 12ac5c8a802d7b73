/**
 * Per-tenant Cal.com pacing in one process (SPEC §6.7). The tenant's budget is
 * a grid of call slots (`planPace`, shared-budget.ts); a call claims the next
 * free slot — here, then in MySQL, so other replicas and services cannot take
 * it — and sleeps until the slot starts. So waiting work is woken exactly when
 * the budget has room for it, one slot apart and in the order it asked, and a
 * backlog drains at the budget instead of in bursts with gaps between them.
 *
 * Work that would wait longer than its caller allows is not queued here: the
 * worker parks it in MySQL, and each parked piece gets its own place in line
 * (one slot behind the one parked before it, `park` or a refused `acquire`), so
 * parked work comes back spread out and in order, not all at once. Cal.com's X-RateLimit-Remaining /
 * -Reset headers and 429s slow or pause the tenant. A wait never counts as an
 * attempt.
 */
import { sleep as timerSleep, type Clock } from '@calsync/platform';
import { planPace, slotAtOrAfter, type PacePlan, type SharedBudget } from './shared-budget';

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
  /** The slots every process claims in MySQL; without it this process paces alone (tests, tools). */
  shared?: SharedBudget;
  /** How long an admission holds its place for the call that should follow it. */
  admissionTtlMs?: number;
  /** Sleeps until a slot; tests pass one that moves their clock. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called whenever a call has to wait or is refused (metric). */
  onWait?: (tenantId: string, waitMs: number) => void;
}

export interface TenantRateLimiter {
  /** ms until one more call could go out (0 = now), after the calls already queued and admitted here. */
  delayFor(tenantId: string, budget: number): number;
  /** How many more calls could be queued now and still go out within `horizonMs`. */
  room(tenantId: string, budget: number, horizonMs: number): number;
  /** The distance between the tenant's calls now: its slots', or wider while Cal.com says few remain. */
  stepFor(tenantId: string, budget: number): number;
  /**
   * Asked before work that will call Cal.com is taken: true when its call can go out within
   * `maxWaitMs`; its place is then held until the call claims a slot (or the hold lapses).
   */
  admit(tenantId: string, budget: number, maxWaitMs: number): boolean;
  /**
   * Holds a place for a call without asking (the caller counted the room first). The returned
   * function gives the place back if no call has taken it (the work ended without calling).
   */
  hold(tenantId: string): () => void;
  /** ms until the next place in line for parked work (without taking it). */
  placeMs(tenantId: string, budget: number): number;
  /**
   * Takes the next place in line for work that is parked: one slot behind the work parked
   * before it, so parked work comes back spread out and in order. Returns the ms until the
   * place, `leadMs` early (the work comes back in time to wait in place for its slot).
   */
  park(tenantId: string, budget: number, leadMs: number): number;
  /**
   * Claims the next slot and waits for it. When that is more than `maxWaitMs` away, nothing is
   * claimed and RateLimitedError says when to come back: at a place in line (`park`), early by
   * half of `maxWaitMs`, so that the caller then waits in place for the rest.
   */
  acquire(tenantId: string, budget: number, maxWaitMs: number, signal?: AbortSignal): Promise<void>;
  /** X-RateLimit-Remaining / -Reset (seconds remaining) of a response. */
  observe(tenantId: string, remaining: number | undefined, resetSeconds: number | undefined): void;
  /** A 429: pause the tenant until the reset. Returns the pause in ms. */
  throttled(tenantId: string, resetSeconds: number | undefined): number;
}

interface TenantPace {
  /** Start of the latest slot claimed, by this process or (learnt from a refused claim) by another. */
  lastClaimed: number;
  /** Admitted calls that have not claimed their slot yet (expiry times), oldest first. */
  admitted: { until: number }[];
  /** The last place in line handed to parked work. */
  parkedUntil: number;
  pausedUntil: number;
  /** Cal.com reported `remaining` calls until its reset: claims stay `gapMs` apart until then. */
  spread: { until: number; gapMs: number } | undefined;
  /** Claims go to MySQL one at a time, in the order they were asked for (no herd on one slot). */
  claiming: Promise<unknown>;
}

/** A slot lost to other processes this many times in a row is refused rather than chased. */
const MAX_CLAIM_TRIES = 5;

export function createRateLimiter(opts: RateLimiterOptions): TenantRateLimiter {
  const ttl = opts.admissionTtlMs ?? 2_000;
  const sleep = opts.sleep ?? timerSleep;
  const tenants = new Map<string, TenantPace>();
  const state = (id: string) => {
    let s = tenants.get(id);
    if (!s) {
      s = {
        lastClaimed: -Infinity,
        admitted: [],
        parkedUntil: -Infinity,
        pausedUntil: 0,
        spread: undefined,
        claiming: Promise.resolve(),
      };
      tenants.set(id, s);
    }
    return s;
  };
  const now = () => opts.clock.now().getTime();
  const plan = (budget: number) => planPace(budget, opts.windowMs);

  /** Distance between this tenant's calls now: the grid's, or wider while Cal.com says fewer remain. */
  function step(s: TenantPace, p: PacePlan, t: number): number {
    return s.spread && t < s.spread.until ? Math.max(p.intervalMs, s.spread.gapMs) : p.intervalMs;
  }

  /** Start of the next slot this process may claim: after the last one, not yet too late to use, past any pause. */
  function nextSlot(s: TenantPace, p: PacePlan, t: number): number {
    // +1: a slot starts on a whole ms, at or after one interval past the last (the floor). A slot
    // that passed unused may still be taken while its lateness leaves time to claim it and send.
    const from = Math.max(s.lastClaimed + step(s, p, t) - 1, t - p.claimableMs, s.pausedUntil);
    return slotAtOrAfter(from, p.intervalMs);
  }

  function queuedUntil(s: TenantPace, budget: number, t: number): { at: number; step: number } {
    while (s.admitted.length && s.admitted[0]!.until <= t) s.admitted.shift();
    const p = plan(budget);
    const d = step(s, p, t);
    return { at: nextSlot(s, p, t) + s.admitted.length * d, step: d };
  }

  /** The next place in line for parked work: behind the last one handed out and behind the queue. */
  function nextPlace(s: TenantPace, budget: number, t: number): number {
    const q = queuedUntil(s, budget, t);
    return Math.max(s.parkedUntil + q.step, q.at);
  }

  function takePlace(s: TenantPace, budget: number, t: number, leadMs: number): number {
    const place = nextPlace(s, budget, t);
    s.parkedUntil = place;
    return Math.max(1, Math.ceil(place - t - leadMs));
  }

  function delayFor(tenantId: string, budget: number): number {
    const t = now();
    return Math.max(0, queuedUntil(state(tenantId), budget, t).at - t);
  }

  /**
   * Claims the next free slot (serialised per tenant); throws RateLimitedError when it starts
   * after `deadline`. A call's first claim takes the place its admission held, if any.
   */
  function claim(
    tenantId: string,
    budget: number,
    deadline: number,
    first: boolean,
    leadMs: number,
  ): Promise<number> {
    const s = state(tenantId);
    const run = async (): Promise<number> => {
      if (first) s.admitted.shift();
      for (let tries = 0; ; tries++) {
        const t = now();
        const slot = nextSlot(s, plan(budget), t);
        if (slot > deadline || tries >= MAX_CLAIM_TRIES) {
          opts.onWait?.(tenantId, slot - t);
          throw new RateLimitedError(takePlace(s, budget, t, leadMs));
        }
        if (!opts.shared || (await opts.shared.claim(tenantId, new Date(slot)))) {
          s.lastClaimed = slot;
          return slot;
        }
        // Another process holds it: go on after the latest slot anyone holds, not one by one.
        const last = await opts.shared.lastClaimed(tenantId, new Date(slot));
        s.lastClaimed = Math.max(s.lastClaimed, slot, last?.getTime() ?? slot);
      }
    };
    const claimed = s.claiming.then(run, run);
    s.claiming = claimed.catch(() => undefined);
    return claimed;
  }

  return {
    delayFor,

    room(tenantId, budget, horizonMs) {
      const t = now();
      const q = queuedUntil(state(tenantId), budget, t);
      // As `admit` counts: the next call may be due a little in the past (still within its lateness).
      const wait = q.at - t;
      return wait > horizonMs ? 0 : Math.floor((horizonMs - wait) / q.step) + 1;
    },

    stepFor(tenantId, budget) {
      return step(state(tenantId), plan(budget), now());
    },

    admit(tenantId, budget, maxWaitMs) {
      const s = state(tenantId);
      const t = now();
      if (queuedUntil(s, budget, t).at - t > maxWaitMs) return false;
      s.admitted.push({ until: t + ttl });
      return true;
    },

    placeMs(tenantId, budget) {
      const t = now();
      return Math.max(0, nextPlace(state(tenantId), budget, t) - t);
    },

    park(tenantId, budget, leadMs) {
      const t = now();
      const ms = takePlace(state(tenantId), budget, t, leadMs);
      opts.onWait?.(tenantId, ms);
      return ms;
    },

    hold(tenantId) {
      const s = state(tenantId);
      // Given back when its work ends; the expiry only guards against a caller that never does.
      const place = { until: now() + 4 * ttl };
      s.admitted.push(place);
      return () => {
        const i = s.admitted.indexOf(place);
        if (i >= 0) s.admitted.splice(i, 1);
      };
    },

    async acquire(tenantId, budget, maxWaitMs, signal) {
      const s = state(tenantId);
      const deadline = now() + maxWaitMs;
      for (let first = true; ; first = false) {
        if (signal?.aborted) throw new RateLimitedError(Math.max(1, delayFor(tenantId, budget)));
        const slot = await claim(tenantId, budget, deadline, first, maxWaitMs / 2);
        let t = now();
        if (slot > t) opts.onWait?.(tenantId, slot - t);
        while (t < slot && !signal?.aborted) {
          await sleep(slot - t, signal);
          t = now();
        }
        if (signal?.aborted) throw new RateLimitedError(Math.max(1, delayFor(tenantId, budget)));
        // Sent late, the call could share a window with calls of later slots; after a 429 or a
        // "0 remaining" that came in meanwhile, Cal.com wants none: give the slot up either way.
        if (t < slot + plan(budget).lateMs && t >= s.pausedUntil) return;
      }
    },

    observe(tenantId, remaining, resetSeconds) {
      if (remaining === undefined) return;
      const s = state(tenantId);
      const t = now();
      if (remaining <= 0) {
        s.pausedUntil = Math.max(s.pausedUntil, t + Math.max(resetSeconds ?? 1, 1) * 1000);
        return;
      }
      if (resetSeconds === undefined) return;
      // Fewer calls left than our pace would send before the reset (the key is shared with
      // something we do not count, or the tenant's budget is set above the key's limit): spread them.
      const left = Math.max(resetSeconds, 1) * 1000;
      s.spread = { until: t + left, gapMs: left / remaining };
    },

    throttled(tenantId, resetSeconds) {
      const s = state(tenantId);
      const pause = Math.max(resetSeconds ?? opts.windowMs / 1000, 1) * 1000;
      s.pausedUntil = Math.max(s.pausedUntil, now() + pause);
      return s.pausedUntil - now();
    },
  };
}
