/**
 * Waits for calcom-sync's outcome for one appointment (SYNC_RESULTS), up to a
 * deadline. The core subscription is registered at the server (flush) BEFORE
 * the first look at the row: calcom-sync writes MySQL and then publishes, so a
 * result that came before we subscribed is already visible in the row, and one
 * that comes after wakes us. Messages are only wake-ups; the row is the truth.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@calsync/contracts';

export type SyncResultWaiter = <T>(
  tenantId: string,
  appointmentId: string,
  /** Reads the current state; a value ends the wait. */
  check: () => Promise<T | undefined>,
  /** Epoch ms. */
  deadline: number,
) => Promise<T | undefined>;

const TIMEOUT = Symbol('timeout');

function timer(ms: number): { promise: Promise<typeof TIMEOUT>; cancel: () => void } {
  let t: NodeJS.Timeout | undefined;
  const promise = new Promise<typeof TIMEOUT>((resolve) => {
    t = setTimeout(() => resolve(TIMEOUT), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(t) };
}

export function createSyncResultWaiter(deps: { nc: NatsConnection; topology: Topology }): SyncResultWaiter {
  return async (tenantId, appointmentId, check, deadline) => {
    const sub = deps.nc.subscribe(deps.topology.subjects.syncResultsOf(tenantId, appointmentId));
    try {
      const flushed = timer(deadline - Date.now());
      // Without a confirmed subscription we could miss the wake-up; the final check below still runs.
      await Promise.race([deps.nc.flush(), flushed.promise]).finally(flushed.cancel);
      const first = await check();
      if (first !== undefined) return first;
      const messages = sub[Symbol.asyncIterator]();
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const t = timer(left);
        const next = await Promise.race([messages.next(), t.promise]).finally(t.cancel);
        if (next === TIMEOUT || next.done) break;
        const r = await check();
        if (r !== undefined) return r;
      }
      // A result whose publish failed (calcom-sync logs and moves on) is still in the row.
      return await check();
    } finally {
      sub.unsubscribe();
    }
  };
}
