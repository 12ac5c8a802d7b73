/**
 * Whether a tenant may call Cal.com now (SPEC §6.6, §6.7): its breaker and its
 * budget, asked in one place by the worker (before it takes an appointment's
 * lease) and the scheduler (before it starts a tenant's due rows).
 *
 * Two kinds of work wait differently. An event's work waits for its call's slot
 * in place only briefly (`eventInPlaceWaitMs`: it holds a consumer slot
 * meanwhile); later work is parked, each piece at its own place in line, so the
 * consumer's slots never fill up with one tenant's waits. The scheduler starts
 * parked and due work in the tenant's line as places open, up to
 * `maxInPlaceRateWaitMs` ahead of its slot (enough for the reads and writes
 * before the call on a busy host), and admits it itself.
 */
import { LOCAL_CHANGE_GRACE_MS } from '@calsync/sync-state';
import type { BreakerRegistry, TenantRateLimiter } from '@calsync/calcom-access';

export interface TenantGateDeps {
  breakers: Pick<BreakerRegistry, 'refuseForMs'>;
  limiter: Pick<TenantRateLimiter, 'admit' | 'hold' | 'park' | 'placeMs' | 'room' | 'delayFor' | 'stepFor'>;
  /** How far ahead of its slot the scheduler starts work. */
  maxInPlaceRateWaitMs: number;
  /** How long an event's work may wait for its slot in place (default: half of the above). */
  eventInPlaceWaitMs?: number;
  /**
   * Whose work `blocked` is asked about: an event's (admitted here, or parked), or work
   * the scheduler started (it admitted it with `admit` first: only the breaker is asked).
   */
  work?: 'events' | 'scheduled';
}

/** Why and for how long a tenant cannot call Cal.com; undefined when it can. */
export interface Blocked {
  why: 'breaker_open' | 'rate_limited';
  ms: number;
}

/** What the scheduler may start of a tenant's due work now. */
export interface Capacity {
  room: number;
  /** Why none may start (absent when some may). */
  why?: Blocked['why'];
  /** When one more may start (0 when `room` > 0). */
  retryMs: number;
}

export function createTenantGate(deps: TenantGateDeps) {
  const horizon = deps.maxInPlaceRateWaitMs;
  const eventHorizon = deps.eventInPlaceWaitMs ?? horizon / 2;

  function breaker(tenantId: string): Blocked | undefined {
    const refuse = deps.breakers.refuseForMs(tenantId);
    return refuse > 0 ? { why: 'breaker_open', ms: refuse } : undefined;
  }

  return {
    /**
     * The worker, for an appointment: undefined = go ahead; otherwise park it for `ms`. An
     * event's work whose call can go out within the short in-place wait is admitted (its
     * place is held). Later work is parked at its own place in line, one slot behind the
     * last — unless that place comes within the grace after a local change: parking never
     * moves a row's due time earlier, so such a row would wait for its grace instead. That
     * work goes ahead, and its call is refused before anything is sent, which parks it at
     * exactly its place (a wait that costs no attempt).
     */
    blocked(tenantId: string, budgetPerMinute: number): Blocked | undefined {
      const b = breaker(tenantId);
      if (b || deps.work === 'scheduled') return b;
      if (deps.limiter.admit(tenantId, budgetPerMinute, eventHorizon)) return undefined;
      if (deps.limiter.placeMs(tenantId, budgetPerMinute) < LOCAL_CHANGE_GRACE_MS) return undefined;
      return { why: 'rate_limited', ms: deps.limiter.park(tenantId, budgetPerMinute, eventHorizon / 2) };
    },

    /** The scheduler, for a tenant with due rows: how many may start now, or when the next may. */
    capacity(tenantId: string, budgetPerMinute: number): Capacity {
      const b = breaker(tenantId);
      if (b) return { room: 0, why: b.why, retryMs: b.ms };
      const room = deps.limiter.room(tenantId, budgetPerMinute, horizon);
      if (room > 0) return { room, retryMs: 0 };
      const retryMs = Math.max(1, deps.limiter.delayFor(tenantId, budgetPerMinute) - horizon);
      return { room: 0, why: 'rate_limited', retryMs };
    },

    /**
     * The scheduler starts one of the tenant's appointments: its place is held until its call
     * claims a slot, or given back by the returned function when it ends without calling.
     */
    admit(tenantId: string): () => void {
      return deps.limiter.hold(tenantId);
    },

    /** About how long `n` more of the tenant's calls take at its pace. */
    backlogMs(tenantId: string, budgetPerMinute: number, n: number): number {
      return (
        deps.limiter.delayFor(tenantId, budgetPerMinute) + n * deps.limiter.stepFor(tenantId, budgetPerMinute)
      );
    },
  };
}
export type TenantGate = ReturnType<typeof createTenantGate>;
