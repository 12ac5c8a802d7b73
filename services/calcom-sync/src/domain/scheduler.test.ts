import type { TenantRecord } from '@calsync/db';
import { createLogger } from '@calsync/platform';
import { createScheduler, type SchedulerDeps, type Timers } from './scheduler';
import type { Capacity } from './tenant-gate';

const NOW = 1_700_000_000_000;
const SLOT = 150;

/** The due rows of `appointments` in memory, with deferTenant as the store writes it. */
function workList(rows: { tenantId: string; id: string; dueAt: number }[]) {
  const deferred: { tenantId: string; until: number; rows: number }[] = [];
  let polls = 0;
  const store: SchedulerDeps['store'] = {
    due: (limit) => {
      polls++;
      return Promise.resolve(
        rows
          .filter((r) => r.dueAt <= NOW)
          .sort((a, b) => a.dueAt - b.dueAt)
          .slice(0, limit)
          .map((r) => ({ tenantId: r.tenantId, id: r.id, dueAt: new Date(r.dueAt) })),
      );
    },
    deferTenant(tenantId, until) {
      const mine = rows.filter((r) => r.tenantId === tenantId && r.dueAt <= NOW);
      for (const r of mine) r.dueAt = until.getTime();
      deferred.push({ tenantId, until: until.getTime(), rows: mine.length });
      return Promise.resolve(mine.length);
    },
  };
  return { store, rows, deferred, polls: () => polls };
}

/** A syncer whose runs finish only when the test says so. */
function syncer() {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  return {
    started,
    finish: (id: string) => finish.get(id)?.(),
    run: (_tenantId: string, id: string) => {
      started.push(id);
      return new Promise<never>((resolve) => finish.set(id, () => resolve(undefined as never)));
    },
  };
}

/** Each tenant has `places` free in its budget now; a place opens when the test says so. */
function budgetGate(places: Record<string, number>, breakerOpen = new Set<string>()) {
  return {
    places,
    capacity(tenantId: string): Capacity {
      if (breakerOpen.has(tenantId)) return { room: 0, why: 'breaker_open', retryMs: 7000 };
      const room = places[tenantId] ?? 0;
      return room > 0 ? { room, retryMs: 0 } : { room: 0, why: 'rate_limited', retryMs: SLOT };
    },
    admit(tenantId: string) {
      places[tenantId] = (places[tenantId] ?? 0) - 1;
      return () => undefined;
    },
    backlogMs: (_tenantId: string, _budget: number, n: number) => n * SLOT,
  };
}

/** Timers the test fires itself. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let seq = 0;
  const timers: Timers = {
    set: (fn, ms) => {
      pending.set(++seq, { fn, ms });
      return seq;
    },
    clear: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    pending: () => [...pending.values()].map((p) => p.ms),
    fireAll() {
      const all = [...pending.values()];
      pending.clear();
      for (const p of all) p.fn();
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));
const rowsOf = (tenantId: string, n: number, from = NOW - 10_000) =>
  Array.from({ length: n }, (_, i) => ({ tenantId, id: `${tenantId}${i}`, dueAt: from + i }));

function setup(
  rows: { tenantId: string; id: string; dueAt: number }[],
  gate: ReturnType<typeof budgetGate>,
  o: { perTenant?: number; concurrency?: number } = {},
) {
  const list = workList(rows);
  const sync = syncer();
  const time = manualTimers();
  const scheduler = createScheduler({
    store: list.store,
    syncer: sync,
    tenants: { get: (id) => Promise.resolve({ id, calcomRateLimitPerMinute: 400 } as TenantRecord) },
    gate,
    clock: { now: () => new Date(NOW) },
    logger: createLogger({ service: 'test', level: 'error' }),
    intervalMs: 500,
    timers: time.timers,
    ...o,
  });
  return { scheduler, sync, time, ...list };
}

describe('the sync scheduler', () => {
  it("starts a tenant's due rows oldest first, each as soon as a place in its budget opens, without waiting for the next poll", async () => {
    const gate = budgetGate({ a: 2 });
    const { scheduler, sync, time, polls } = setup(rowsOf('a', 5), gate);
    await scheduler.tick();
    expect(sync.started).toEqual(['a0', 'a1']);
    // Woken when the next place opens (one slot), not after a poll interval.
    expect(time.pending()).toEqual([SLOT]);
    gate.places.a = 1;
    time.fireAll();
    expect(sync.started).toEqual(['a0', 'a1', 'a2']);
    gate.places.a = 2;
    time.fireAll();
    expect(sync.started).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(time.pending()).toEqual([]);
    expect(polls()).toBe(1);
  });

  it("does not wait for the work it started: the next poll starts another tenant's row while a slow call runs", async () => {
    const rows = rowsOf('a', 1);
    const { scheduler, sync } = setup(rows, budgetGate({ a: 10, b: 10 }));
    await scheduler.tick(); // a0 never finishes
    rows.push({ tenantId: 'b', id: 'b0', dueAt: NOW });
    await scheduler.tick();
    expect(sync.started).toEqual(['a0', 'b0']); // and a0, still running (its row still due), is not started twice
  });

  it('starts a row again only once its first run has finished, and a queued row only once', async () => {
    const gate = budgetGate({ a: 1 });
    const { scheduler, sync } = setup(rowsOf('a', 2), gate);
    await scheduler.tick();
    await scheduler.tick(); // a1 is already in the line: it does not join twice
    gate.places.a = 5;
    sync.finish('a0'); // a finished job looks at its tenant's line again
    await settle();
    expect(sync.started).toEqual(['a0', 'a1']);
    await scheduler.tick();
    expect(sync.started).toEqual(['a0', 'a1', 'a0']);
  });

  it("keeps one tenant to its share while another tenant's rows still start", async () => {
    const { scheduler, sync } = setup(
      [...rowsOf('a', 10), ...rowsOf('b', 2, NOW - 1)],
      budgetGate({ a: 100, b: 100 }),
      { perTenant: 3 },
    );
    await scheduler.tick();
    expect(sync.started).toEqual(['a0', 'a1', 'a2', 'b0', 'b1']);
  });

  it("leaves a tenant's rows in MySQL behind an open breaker, in one statement", async () => {
    const { scheduler, sync, deferred, time } = setup(
      [...rowsOf('a', 3), ...rowsOf('b', 1, NOW - 1)],
      budgetGate({ a: 5, b: 5 }, new Set(['a'])),
    );
    await scheduler.tick();
    await settle();
    expect(sync.started).toEqual(['b0']);
    expect(deferred).toEqual([{ tenantId: 'a', until: NOW + 7000, rows: 3 }]);
    expect(time.pending()).toEqual([]);
  });

  it('takes a long line out of the work list until it should be through (one statement), and still starts it at its pace', async () => {
    const gate = budgetGate({ a: 4, b: 1 });
    const { scheduler, sync, deferred, rows } = setup(
      [...rowsOf('a', 40), ...rowsOf('b', 1, NOW - 1)],
      gate,
      {
        perTenant: 16,
      },
    );
    await scheduler.tick();
    expect(sync.started).toEqual(['a0', 'a1', 'a2', 'a3', 'b0']);
    expect(deferred).toEqual([{ tenantId: 'a', until: NOW + 40 * SLOT, rows: 40 }]);
    // The polls no longer see a's rows, so they cannot hide another tenant's.
    rows.push({ tenantId: 'c', id: 'c0', dueAt: NOW });
    gate.places.c = 1;
    await scheduler.tick();
    expect(sync.started.at(-1)).toBe('c0');
  });

  it('waits for the work it started when it stops, and starts nothing more', async () => {
    const gate = budgetGate({ a: 1 });
    const { scheduler, sync, time } = setup(rowsOf('a', 3), gate);
    scheduler.start();
    await settle();
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    gate.places.a = 5;
    time.fireAll();
    sync.finish('a0');
    await stopping;
    expect(stopped).toBe(true);
    expect(sync.started).toEqual(['a0']);
  });
});
