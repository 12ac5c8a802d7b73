/**
 * The tenant's Cal.com budget across replicas and services (SPEC §6.7). Each
 * process only knows its own calls; N replicas would spend N budgets and get
 * the key blocked for a minute. So the budget is a grid of call slots that
 * every process cuts the same way (`planPace`), and each call first claims its
 * slot in MySQL (`calcom_rate_usage`, one row per slot): a slot carries one
 * call, whichever process makes it.
 *
 * Why a grid of single slots: a call is sent within `lateMs` of its slot's
 * start, and N + 1 slots span the window plus that lateness plus the network's
 * jitter, so no window at Cal.com ever holds more than N calls, however many
 * processes call — and a backlog drains at ~98 % of the budget, evenly, instead
 * of in bursts each followed by a wait for the next slice. The lateness also
 * lets a call take a slot that has just passed unused: after a quiet spell, a
 * few calls go out at once (a person waiting for two reads does not wait a
 * slot between them).
 */
import type { Clock } from '@calsync/platform';

/** Network jitter the slots leave room for (a later request overtaking an earlier one). */
export const PACE_JITTER_MS = 150;
/**
 * How late after its slot's start a call may still be sent (timers, event-loop lag on a busy
 * host). A call that would go later gives its slot up, which wastes it: too tight a value
 * wastes slots under load, a looser one costs a little of the budget (≈ 1000 ms of 60 s).
 */
export const PACE_LATE_MS = 1000;
/** Calls that may go out at once after a quiet spell (slots that just passed, taken late), budget allowing. */
export const PACE_BURST = 5;
/** What a slot taken late keeps of its lateness for the claim itself (a MySQL round trip) and the send. */
export const PACE_CLAIM_MARGIN_MS = 250;

export interface PacePlan {
  /** Slot i starts at ⌊i · intervalMs⌋ (epoch ms): the same grid in every process. */
  intervalMs: number;
  /** A claimed slot's call goes out in [start, start + lateMs) or not at all. */
  lateMs: number;
  /** A slot that started up to this long ago may still be claimed (its lateness leaves time to send). */
  claimableMs: number;
}

/**
 * The slot grid for a budget of `budget` calls per `windowMs`. Any N + 1 calls
 * sit in N + 1 distinct slots, so the first is sent before t_a + late and the
 * last not before t_a + N · interval − 1 ms (the floor) ≥ t_a + window + jitter
 * + late: more than a window (and the jitter) apart at Cal.com. The lateness
 * covers at least PACE_BURST slots, so that many calls can go out at once after
 * a quiet spell; low budgets pay for that with a few of their calls per window
 * (114 of 120 are usable; a budget of N < 50 gets a burst of ⌊N / 10⌋).
 */
export function planPace(budget: number, windowMs: number): PacePlan {
  const n = Math.max(1, Math.floor(budget));
  const burst = Math.min(PACE_BURST, Math.floor(n / 10));
  const narrow = (windowMs + PACE_JITTER_MS + PACE_LATE_MS + 1) / n;
  if (burst * narrow + PACE_CLAIM_MARGIN_MS + 1 <= PACE_LATE_MS) {
    return { intervalMs: narrow, lateMs: PACE_LATE_MS, claimableMs: PACE_LATE_MS - PACE_CLAIM_MARGIN_MS };
  }
  // late = burst · interval + margin + 1, and N · interval − late = window + jitter + 1.
  const wide = (windowMs + PACE_JITTER_MS + PACE_CLAIM_MARGIN_MS + 2) / (n - burst);
  const lateMs = burst * wide + PACE_CLAIM_MARGIN_MS + 1;
  return { intervalMs: wide, lateMs, claimableMs: lateMs - PACE_CLAIM_MARGIN_MS };
}

/** The start (epoch ms) of the first slot of the grid at or after `t`. */
export function slotAtOrAfter(t: number, intervalMs: number): number {
  const i = Math.ceil(t / intervalMs);
  const start = Math.floor(i * intervalMs);
  return start >= t ? start : Math.floor((i + 1) * intervalMs);
}

export interface UsageStore {
  /** Counts one call in the slice if it has room; true when counted. */
  take(tenantId: string, sliceStart: Date, limit: number): Promise<boolean>;
  /** The latest slice at or after `since` that holds a call, if any. */
  lastTaken(tenantId: string, since: Date): Promise<Date | null>;
  purgeBefore(cutoff: Date): Promise<void>;
}

export interface SharedBudget {
  /** Claims the tenant's slot starting at `slotStart` for one call; false when another call has it. */
  claim(tenantId: string, slotStart: Date): Promise<boolean>;
  /** The start of the latest slot any process claimed at or after `since`. */
  lastClaimed(tenantId: string, since: Date): Promise<Date | null>;
}

export function createSharedBudget(deps: {
  store: UsageStore;
  windowMs: number;
  clock: Clock;
}): SharedBudget {
  let claims = 0;
  return {
    async claim(tenantId, slotStart) {
      if (++claims % 1000 === 0) {
        await deps.store.purgeBefore(new Date(deps.clock.now().getTime() - 10 * deps.windowMs));
      }
      return deps.store.take(tenantId, slotStart, 1);
    },
    lastClaimed: (tenantId, since) => deps.store.lastTaken(tenantId, since),
  };
}
