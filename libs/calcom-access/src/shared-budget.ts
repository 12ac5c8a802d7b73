/**
 * The tenant's Cal.com budget across replicas (SPEC §6.7). Each replica's own
 * sliding window only knows its own calls; N replicas would spend N budgets and
 * get the key blocked for a minute. Calls are therefore also counted in MySQL,
 * per fixed time slice: a window of `windowMs` is cut into k slices and each
 * slice allows ⌊budget / (k + 1)⌋ calls. Any rolling window touches at most
 * k + 1 slices, so all replicas together never exceed the budget.
 */
import type { Clock } from '@calsync/platform';

export interface SlicePlan {
  sliceMs: number;
  perSlice: number;
}

/** Picks k ≤ 6 slices per window that leaves the most of the budget usable (k · ⌊budget / (k + 1)⌋). */
export function planSlices(budget: number, windowMs: number): SlicePlan {
  let best = { k: 1, perSlice: Math.max(1, Math.floor(budget / 2)) };
  for (let k = 2; k <= 6; k++) {
    const perSlice = Math.floor(budget / (k + 1));
    if (perSlice >= 1 && k * perSlice > best.k * best.perSlice) best = { k, perSlice };
  }
  return { sliceMs: Math.ceil(windowMs / best.k), perSlice: best.perSlice };
}

export interface UsageStore {
  /** Counts one call in the slice if it has room; true when counted. */
  take(tenantId: string, sliceStart: Date, limit: number): Promise<boolean>;
  purgeBefore(cutoff: Date): Promise<void>;
}

export interface SharedBudget {
  /** 0 when the call may go out now (and is counted), else ms until the next slice. */
  take(tenantId: string, budget: number): Promise<number>;
}

export function createSharedBudget(deps: {
  store: UsageStore;
  windowMs: number;
  clock: Clock;
}): SharedBudget {
  let takes = 0;
  return {
    async take(tenantId, budget) {
      const { sliceMs, perSlice } = planSlices(budget, deps.windowMs);
      const now = deps.clock.now().getTime();
      const sliceStart = now - (now % sliceMs);
      if (++takes % 1000 === 0) await deps.store.purgeBefore(new Date(now - 10 * deps.windowMs));
      return (await deps.store.take(tenantId, new Date(sliceStart), perSlice))
        ? 0
        : sliceStart + sliceMs - now;
    },
  };
}
