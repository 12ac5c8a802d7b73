/**
 * MySQL is the schedule: every appointment whose sync is due (`sync_due_at`:
 * a backoff that elapsed, work parked behind an open breaker or a spent
 * budget, a call whose worker died, a change whose event never came) is picked
 * up here and driven like an event would. NATS events are the fast path; this
 * is what makes "nothing is lost" and per-tenant fairness hold — a blocked
 * tenant's work waits in MySQL, deferred in one statement, never in the
 * consumer's ack-pending slots.
 */
import type { TenantReader } from '@calsync/db';
import { sleep, type Clock, type Logger } from '@calsync/platform';
import type { SyncStateStore } from '@calsync/sync-state';
import type { TenantGate } from './tenant-gate';
import type { AppointmentSyncer } from './sync-appointment';

export interface SchedulerDeps {
  store: SyncStateStore;
  syncer: Pick<AppointmentSyncer, 'run'>;
  tenants: Pick<TenantReader, 'get'>;
  gate: TenantGate;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Due rows read per tick. */
  batch?: number;
  /** At most this many of one tenant's appointments per tick: one tenant cannot crowd out the others. */
  perTenant?: number;
  concurrency?: number;
}

export function createScheduler(deps: SchedulerDeps) {
  const batch = deps.batch ?? 200;
  const perTenant = deps.perTenant ?? 8;
  const concurrency = deps.concurrency ?? 16;
  const abort = new AbortController();
  let loop: Promise<void> | undefined;

  async function tick(): Promise<number> {
    const due = await deps.store.due(batch);
    const byTenant = new Map<string, string[]>();
    for (const d of due) byTenant.set(d.tenantId, [...(byTenant.get(d.tenantId) ?? []), d.id]);
    const jobs: (() => Promise<unknown>)[] = [];
    const now = deps.clock.now().getTime();
    for (const [tenantId, ids] of byTenant) {
      const tenant = await deps.tenants.get(tenantId);
      // An offboarded tenant's leftovers: look again in an hour rather than every tick.
      const wait = tenant
        ? (deps.gate.blocked(tenant.id, tenant.calcomRateLimitPerMinute)?.ms ?? 0)
        : 3600_000;
      if (wait > 0) {
        await deps.store.deferTenant(tenantId, new Date(now + wait));
        continue;
      }
      for (const id of ids.slice(0, perTenant))
        jobs.push(() => deps.syncer.run(tenantId, id, { origin: 'system', traceparent: undefined }));
    }
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < jobs.length; i = next++) {
        await jobs[i]!().catch((err: unknown) =>
          deps.logger.warn('Scheduled sync failed; it stays due', { error: err }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
    return jobs.length;
  }

  return {
    tick,
    start(): void {
      loop ??= (async () => {
        while (!abort.signal.aborted) {
          const n = await tick().catch((err: unknown) => {
            deps.logger.warn('Sync scheduler tick failed', { error: err });
            return 0;
          });
          // A full tick means more is due: go on at once.
          if (n < batch) await sleep(deps.intervalMs, abort.signal).catch(() => undefined);
        }
      })();
    },
    async stop(): Promise<void> {
      abort.abort();
      await loop;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
