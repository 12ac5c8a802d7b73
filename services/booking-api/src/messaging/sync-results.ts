/**
 * Waits for calcom-sync's outcome for one appointment (SYNC_RESULTS), up to a
 * deadline. The core subscription is registered at the server (flush) BEFORE
 * the first look at the row: calcom-sync writes MySQL and then publishes, so a
 * result that came before we subscribed is already visible in the row, and one
 * that comes after wakes us. Messages are only wake-ups; the row is the truth.
 *
 * Without NATS (disconnected, subscription not confirmed) the waiter polls the
 * row instead, and a failed read counts as "not decided yet": the caller's change
 * is already committed, so an outage may only turn the answer into "pending",
 * never into an error.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Topology } from '@calsync/contracts';
import type { Clock } from '@calsync/platform';
import type { SyncResultWaiter } from '../domain/ports';

const TIMEOUT = Symbol('timeout');
const NEVER = new Promise<never>(() => {});
/** Row polling interval while wake-ups cannot be trusted. */
const POLL_MS = 200;
/** How long to wait for the server to confirm the subscription before falling back to polling. */
const FLUSH_MS = 500;

function timer(ms: number): { promise: Promise<typeof TIMEOUT>; cancel: () => void } {
  let t: NodeJS.Timeout | undefined;
  const promise = new Promise<typeof TIMEOUT>((resolve) => {
    t = setTimeout(() => resolve(TIMEOUT), Math.max(0, ms));
  });
  return { promise, cancel: () => clearTimeout(t) };
}

/** Subscribes and confirms it at the server; null when NATS cannot confirm it now. */
async function confirmedSubscription(
  nc: NatsConnection,
  subject: string,
  leftMs: number,
): Promise<{ sub: Subscription | undefined; confirmed: boolean }> {
  let sub: Subscription;
  try {
    sub = nc.subscribe(subject);
  } catch {
    return { sub: undefined, confirmed: false }; // closed connection
  }
  const t = timer(Math.min(FLUSH_MS, leftMs));
  const confirmed = await Promise.race([nc.flush().then(() => true), t.promise.then(() => false)])
    .catch(() => false)
    .finally(t.cancel);
  return { sub, confirmed };
}

export function createSyncResultWaiter(deps: {
  nc: NatsConnection;
  topology: Topology;
  clock: Clock;
}): SyncResultWaiter {
  const leftUntil = (deadline: number) => deadline - deps.clock.now().getTime();
  return async (tenantId, appointmentId, check, deadline) => {
    const safeCheck = () => check().catch(() => undefined);
    const { sub, confirmed } = await confirmedSubscription(
      deps.nc,
      deps.topology.subjects.syncResultsOf(tenantId, appointmentId),
      leftUntil(deadline),
    );
    try {
      const first = await safeCheck();
      if (first !== undefined) return first;
      let messages = sub?.[Symbol.asyncIterator]();
      let pending: Promise<IteratorResult<unknown>> | undefined;
      let trusted = confirmed && messages !== undefined;
      for (;;) {
        const left = leftUntil(deadline);
        if (left <= 0) break;
        // One pull at a time: a pull left pending by a poll tick is awaited again, not repeated.
        if (messages && !pending) pending = messages.next();
        const t = timer(trusted ? left : Math.min(POLL_MS, left));
        const next = await Promise.race([pending ?? NEVER, t.promise])
          .catch(() => 'ended' as const)
          .finally(t.cancel);
        if (next === TIMEOUT) {
          if (trusted) break;
        } else {
          pending = undefined;
          // The subscription ended (connection closed): only polling is left.
          if (next === 'ended' || next.done) {
            messages = undefined;
            trusted = false;
          }
        }
        const r = await safeCheck();
        if (r !== undefined) return r;
      }
      // A result whose publish failed (calcom-sync logs and moves on) is still in the row.
      return await safeCheck();
    } finally {
      try {
        sub?.unsubscribe();
      } catch {
        /* connection already closed */
      }
    }
  };
}
