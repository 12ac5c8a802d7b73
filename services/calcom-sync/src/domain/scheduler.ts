/**
 * MySQL is the schedule: every appointment whose sync is due (`sync_due_at`:
 * a backoff that elapsed, work parked behind an open breaker or a spent
 * budget, a call whose worker died, a change whose event never came) is picked
 * up here and driven like an event would. NATS events are the fast path; this
 * is what makes "nothing is lost" and per-tenant fairness hold — a blocked
 * tenant's work waits in MySQL, deferred in one statement, never in the
 * consumer's ack-pending slots.
 *
 * Due rows join their tenant's line here, oldest first, and each line is
 * started at its budget's pace: a row starts when a place in the budget opens
 * (a timer for exactly then, not the next poll), so parked work resumes in
 * order, one slot apart, without a herd. Started work runs in the background: a
 * slow tenant never holds up the polls or another tenant's line. A long line
 * leaves the work list in MySQL until it is through (one statement), so it
 * cannot hide other tenants' due rows from the polls; should this process
 * die, the rows come back due then.
 */
import type { TenantReader } from '@calsync/db';
import { sleep, type Clock, type Logger } from '@calsync/platform';
import type { SyncStateStore } from '@calsync/sync-state';
import type { TenantGate } from './tenant-gate';
import type { AppointmentSyncer } from './sync-appointment';

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SchedulerDeps {
  store: Pick<SyncStateStore, 'due' | 'deferTenant'>;
  /** Runs an appointment the scheduler admitted (its gate asks only the breaker). */
  syncer: Pick<AppointmentSyncer, 'run'>;
  tenants: Pick<TenantReader, 'get'>;
  gate: Pick<TenantGate, 'capacity' | 'admit' | 'backlogMs'>;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  /** Due rows read per poll. */
  batch?: number;
  /** At most this many of one tenant's appointments at once: one tenant cannot crowd out the others. */
  perTenant?: number;
  /** At most this many appointments at once in all (work waiting in place for its slot included). */
  concurrency?: number;
  timers?: Timers;
}

interface Line {
  budget: number;
  ids: string[];
  queued: Set<string>;
  timer: unknown;
  /** The line's rows are deferred in MySQL until then (so the polls do not see them). */
  deferredUntil: number;
}

export function createScheduler(deps: SchedulerDeps) {
  const batch = deps.batch ?? 200;
  const perTenant = deps.perTenant ?? 32;
  const concurrency = deps.concurrency ?? 128;
  const timers = deps.timers ?? realTimers;
  const abort = new AbortController();
  /** Appointment id → tenant id of the work started here and not finished. */
  const running = new Map<string, string>();
  const runningOf = new Map<string, number>();
  const jobs = new Set<Promise<void>>();
  const lines = new Map<string, Line>();
  let loop: Promise<void> | undefined;
  const now = () => deps.clock.now().getTime();

  function start(tenantId: string, id: string, release: () => void) {
    running.set(id, tenantId);
    runningOf.set(tenantId, (runningOf.get(tenantId) ?? 0) + 1);
    const job = deps.syncer
      .run(tenantId, id, { origin: 'system', traceparent: undefined })
      .then(
        () => undefined,
        (err: unknown) => void deps.logger.warn('Scheduled sync failed; it stays due', { error: err }),
      )
      .finally(() => {
        release(); // a run that ended without a call (already synced, another worker's lease) frees its place
        running.delete(id);
        const n = (runningOf.get(tenantId) ?? 1) - 1;
        if (n > 0) runningOf.set(tenantId, n);
        else runningOf.delete(tenantId);
        jobs.delete(job);
        // A finished job may be what a line was waiting for (its tenant's share, or all of it).
        for (const t of lines.keys()) if (t === tenantId || running.size === concurrency - 1) dispatch(t);
      });
    jobs.add(job);
  }

  /** Starts what the tenant's budget has places for now; then sleeps until the next place opens. */
  function dispatch(tenantId: string) {
    const line = lines.get(tenantId);
    if (!line) return;
    if (line.timer !== undefined) timers.clear(line.timer);
    line.timer = undefined;
    if (abort.signal.aborted) return;
    const cap = deps.gate.capacity(tenantId, line.budget);
    if (cap.why === 'breaker_open') {
      // Its rows wait in MySQL behind the breaker, in one statement.
      lines.delete(tenantId);
      defer(tenantId, cap.retryMs);
      return;
    }
    const n = Math.min(
      cap.room,
      line.ids.length,
      perTenant - (runningOf.get(tenantId) ?? 0),
      concurrency - running.size,
    );
    for (let i = 0; i < n; i++) {
      const id = line.ids.shift()!;
      line.queued.delete(id);
      start(tenantId, id, deps.gate.admit(tenantId));
    }
    if (!line.ids.length) {
      lines.delete(tenantId);
      return;
    }
    const next = deps.gate.capacity(tenantId, line.budget);
    // With room left, what holds the line is its share of the jobs: a finished job dispatches it.
    if (next.room === 0) line.timer = timers.set(() => dispatch(tenantId), next.retryMs);
  }

  function defer(tenantId: string, ms: number) {
    deps.store
      .deferTenant(tenantId, new Date(now() + ms))
      .catch((err: unknown) => void deps.logger.warn('Could not defer a tenant’s due work', { error: err }));
  }

  /** One poll: due rows join their tenants' lines; returns how many joined. */
  async function tick(): Promise<number> {
    const due = await deps.store.due(batch);
    const fresh = new Map<string, string[]>();
    for (const d of due) {
      if (running.has(d.id) || lines.get(d.tenantId)?.queued.has(d.id)) continue;
      const ids = fresh.get(d.tenantId);
      if (ids) ids.push(d.id);
      else fresh.set(d.tenantId, [d.id]);
    }
    let joined = 0;
    for (const [tenantId, ids] of fresh) {
      const tenant = await deps.tenants.get(tenantId);
      if (!tenant) {
        // An offboarded tenant's leftovers: look again in an hour rather than every poll.
        await deps.store.deferTenant(tenantId, new Date(now() + 3600_000));
        continue;
      }
      let line = lines.get(tenantId);
      if (!line) {
        line = { budget: 0, ids: [], queued: new Set(), timer: undefined, deferredUntil: 0 };
        lines.set(tenantId, line);
      }
      line.budget = tenant.calcomRateLimitPerMinute;
      for (const id of ids.slice(0, Math.max(0, batch - line.ids.length))) {
        line.ids.push(id);
        line.queued.add(id);
        joined++;
      }
      const t = now();
      if (line.ids.length >= perTenant && line.deferredUntil <= t) {
        // A long line: its rows (and any beyond it) leave the work list until it should be through.
        const ms = Math.max(deps.intervalMs, deps.gate.backlogMs(tenantId, line.budget, line.ids.length));
        line.deferredUntil = t + ms;
        await deps.store.deferTenant(tenantId, new Date(t + ms));
      }
      dispatch(tenantId);
    }
    return joined;
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
          // A full poll: more may be due, go on at once.
          if (n < batch) await sleep(deps.intervalMs, abort.signal).catch(() => undefined);
        }
      })();
    },
    /** Stops polling and starting, and waits for the work it started. */
    async stop(): Promise<void> {
      abort.abort();
      for (const line of lines.values()) if (line.timer !== undefined) timers.clear(line.timer);
      lines.clear();
      await loop;
      await Promise.allSettled([...jobs]);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
