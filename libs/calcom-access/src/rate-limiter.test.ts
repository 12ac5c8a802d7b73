import { createRateLimiter, RateLimitedError } from './rate-limiter';
import { createSharedBudget, PACE_BURST, planPace, type UsageStore } from './shared-budget';

/** A clock and a sleep that only move when the test runs them: no test waits on the wall clock. */
function virtualTime(start = 1_700_000_000_000) {
  let t = start;
  let seq = 0;
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  const settle = () => new Promise<void>((r) => setImmediate(r));
  return {
    clock: { now: () => new Date(t) },
    now: () => t,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => void timers.push({ at: t + Math.max(0, ms), seq: seq++, resolve })),
    advance(ms: number) {
      t += ms;
    },
    /** Settles what is pending, then wakes the sleepers in time order until none is left. */
    async run() {
      for (;;) {
        await settle();
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift();
        if (!next) return;
        t = Math.max(t, next.at);
        next.resolve();
      }
    },
  };
}

/** calcom_rate_usage in memory: one row per (tenant, slot). */
function memoryStore(): UsageStore & { slots: () => number[] } {
  const used = new Map<string, number>();
  return {
    take(tenantId, start, limit) {
      const k = `${tenantId}@${start.getTime()}`;
      if ((used.get(k) ?? 0) >= limit) return Promise.resolve(false);
      used.set(k, (used.get(k) ?? 0) + 1);
      return Promise.resolve(true);
    },
    lastTaken(tenantId, since) {
      const mine = [...used.keys()]
        .filter((k) => k.startsWith(`${tenantId}@`))
        .map((k) => Number(k.slice(tenantId.length + 1)))
        .filter((t) => t >= since.getTime());
      return Promise.resolve(mine.length ? new Date(Math.max(...mine)) : null);
    },
    purgeBefore: () => Promise.resolve(),
    slots: () => [...used.keys()].map((k) => Number(k.split('@')[1])).sort((a, b) => a - b),
  };
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[j]! <= sorted[i]! - windowMs) j++;
    worst = Math.max(worst, i - j + 1);
  }
  return worst;
}

// Two calls per window of 1849 ms: slots 1500 ms apart (whole ms), longer than the lateness
// allowed, so every wait is visible.
const WINDOW = 1849;
const BUDGET = 2;
const { intervalMs: SLOT, lateMs: LATE } = planPace(BUDGET, WINDOW);
const ON_GRID = 1_700_000_000_000 - (1_700_000_000_000 % SLOT);

function setup(o: { lagOnce?: number } = {}) {
  const vt = virtualTime(ON_GRID);
  const store = memoryStore();
  let lag = o.lagOnce ?? 0;
  const rl = createRateLimiter({
    windowMs: WINDOW,
    clock: vt.clock,
    shared: createSharedBudget({ store, windowMs: WINDOW, clock: vt.clock }),
    // A process busy elsewhere wakes late once.
    sleep: (ms) => {
      const extra = lag;
      lag = 0;
      return vt.sleep(ms + extra);
    },
  });
  return { vt, store, rl };
}

describe("a tenant's pacing in one process", () => {
  it('sends a backlog one slot apart, in the order it asked, never more than the budget in a window', async () => {
    const { vt, rl } = setup();
    const sent: { i: number; at: number }[] = [];
    const calls = Array.from({ length: 6 * BUDGET }, (_, i) =>
      rl.acquire('acme', BUDGET, Infinity).then(() => void sent.push({ i, at: vt.now() })),
    );
    await vt.run();
    await Promise.all(calls);
    expect(sent.map((s) => s.i)).toEqual(calls.map((_, i) => i));
    expect(sent[0]!.at).toBe(ON_GRID);
    for (let i = 1; i < sent.length; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBe(SLOT);
    expect(
      maxInAnyWindow(
        sent.map((s) => s.at),
        WINDOW,
      ),
    ).toBeLessThanOrEqual(BUDGET);
  });

  it('refuses a caller whose slot is further away than it will wait, without taking the slot', async () => {
    const { vt, rl, store } = setup();
    await rl.acquire('acme', BUDGET, 0);
    const first = store.slots()[0]!;
    const err: unknown = await rl.acquire('acme', BUDGET, 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).waitMs).toBe(first + SLOT - vt.now());
    expect(store.slots()).toHaveLength(1);
    // The next caller that waits gets exactly that slot.
    const next = rl.acquire('acme', BUDGET, 2 * SLOT);
    await vt.run();
    await next;
    expect(store.slots()).toEqual([first, first + SLOT]);
    expect(rl.delayFor('other', BUDGET)).toBe(0); // another tenant has its own budget
  });

  it('gives parked work places in line one slot apart (no herd), after the calls admitted to wait in place', () => {
    const { rl } = setup();
    const horizon = 3 * SLOT;
    const admitted = Array.from({ length: 8 }, () => rl.admit('acme', BUDGET, horizon)).filter(
      Boolean,
    ).length;
    expect(admitted).toBe(4); // slots 0, 1, 2, 3 come within the wait
    expect(rl.room('acme', BUDGET, horizon)).toBe(0);
    expect(rl.placeMs('acme', BUDGET)).toBe(4 * SLOT);
    const parked = Array.from({ length: 4 }, () => rl.park('acme', BUDGET, 0));
    expect(parked).toEqual([4 * SLOT, 5 * SLOT, 6 * SLOT, 7 * SLOT]);
    // Early by the lead asked for, so that the work comes back in time to wait in place for its slot.
    expect(rl.park('acme', BUDGET, SLOT / 2)).toBe(8 * SLOT - SLOT / 2);
  });

  it('tells a refused caller when to come back at its own place in line, early by half the wait it allows', async () => {
    const { rl } = setup();
    await rl.acquire('acme', BUDGET, 0);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const err: unknown = await rl.acquire('acme', BUDGET, SLOT / 2).catch((e: unknown) => e);
      waits.push((err as RateLimitedError).waitMs);
    }
    expect(waits).toEqual([SLOT - SLOT / 4, 2 * SLOT - SLOT / 4, 3 * SLOT - SLOT / 4]);
  });

  it('lets an admission lapse when its call never comes', () => {
    const vt = virtualTime(ON_GRID);
    const rl = createRateLimiter({
      windowMs: WINDOW,
      clock: vt.clock,
      admissionTtlMs: 2000,
      sleep: vt.sleep,
    });
    for (let i = 0; i < 5; i++) expect(rl.admit('acme', BUDGET, 10 * SLOT)).toBe(true);
    expect(rl.delayFor('acme', BUDGET)).toBe(5 * SLOT);
    vt.advance(2001);
    expect(rl.delayFor('acme', BUDGET)).toBeLessThanOrEqual(SLOT);
  });

  it('gives up a slot it woke too late for, and sends in a fresh one', async () => {
    const { vt, rl, store } = setup({ lagOnce: 2 * LATE });
    await rl.acquire('acme', BUDGET, 0); // the current slot: no sleep
    const late = rl.acquire('acme', BUDGET, 10_000);
    await vt.run();
    await late;
    const slots = store.slots();
    expect(slots).toHaveLength(3); // the missed one stays claimed: nobody else may use it either
    const last = slots[2]!;
    expect(vt.now()).toBeGreaterThanOrEqual(last);
    expect(vt.now()).toBeLessThan(last + LATE);
  });
});

describe('after a quiet spell', () => {
  it('lets a few calls go out at once (slots that just passed unused), and paces the rest', async () => {
    const vt = virtualTime();
    const rl = createRateLimiter({ windowMs: 60_000, clock: vt.clock, sleep: vt.sleep });
    const budget = 120;
    const { intervalMs } = planPace(budget, 60_000);
    const at = await Promise.all(
      Array.from({ length: 5 }, () =>
        rl.acquire('acme', budget, 0).then(
          () => 'now',
          () => 'refused',
        ),
      ),
    );
    const now = at.filter((a) => a === 'now').length;
    expect(now).toBeGreaterThanOrEqual(PACE_BURST);
    expect(now).toBeLessThanOrEqual(PACE_BURST + 1);
    expect(rl.delayFor('acme', budget)).toBeLessThanOrEqual(intervalMs);
  });
});

describe("Cal.com's headers and 429s", () => {
  it('pauses the tenant until the reset when Cal.com reports 0 remaining, and after a 429', () => {
    const vt = virtualTime();
    const rl = createRateLimiter({ windowMs: 60_000, clock: vt.clock, sleep: vt.sleep });
    const slot = planPace(100, 60_000).intervalMs;
    rl.observe('a', 50, 30);
    expect(rl.delayFor('a', 100)).toBeLessThan(slot); // 50 in 30 s: no slower than the budget

    rl.observe('a', 0, 7);
    expect(rl.delayFor('a', 100)).toBeGreaterThanOrEqual(7000);
    expect(rl.delayFor('a', 100)).toBeLessThan(7000 + slot);
    expect(rl.throttled('b', 12)).toBe(12_000);
  });

  it('spreads the calls Cal.com says remain over the time until its reset', async () => {
    const { vt, rl } = setup();
    rl.observe('acme', 2, 10); // 2 calls in 10 s: 5 s apart, far slower than the budget's slots
    const sent: number[] = [];
    const calls = [0, 1, 2].map(() =>
      rl.acquire('acme', BUDGET, Infinity).then(() => void sent.push(vt.now())),
    );
    await vt.run();
    await Promise.all(calls);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(5000);
    expect(sent[2]! - sent[1]!).toBeGreaterThanOrEqual(5000);
  });

  it('does not send a call whose slot comes while a 429 pause is on: it is refused and nothing goes out', async () => {
    const { vt, rl } = setup();
    const sent: number[] = [];
    await rl.acquire('acme', BUDGET, 0);
    const waiting = rl.acquire('acme', BUDGET, 2 * SLOT).then(
      () => void sent.push(vt.now()),
      (e: unknown) => e,
    );
    rl.throttled('acme', 60); // another call's 429 arrives while this one waits for its slot
    await vt.run();
    expect(await waiting).toBeInstanceOf(RateLimitedError);
    expect(sent).toEqual([]);
  });
});

describe('replicas sharing one key', () => {
  it('three replicas draining a backlog together never exceed the budget in any window and use at least 95 % of it', async () => {
    const vt = virtualTime();
    const store = memoryStore();
    const budget = 120;
    const windowMs = 60_000;
    const windows = 5;
    const end = vt.now() + windows * windowMs;
    const sent: number[] = [];
    const replicas = [0, 1, 2].map(() =>
      createRateLimiter({
        windowMs,
        clock: vt.clock,
        shared: createSharedBudget({ store, windowMs, clock: vt.clock }),
        sleep: vt.sleep,
      }),
    );
    // Each replica has 8 workers that always have another appointment to sync.
    const worker = async (rl: (typeof replicas)[number]) => {
      while (vt.now() < end) {
        try {
          await rl.acquire('acme', budget, 2000);
          if (vt.now() < end) sent.push(vt.now());
        } catch (err) {
          if (!(err instanceof RateLimitedError)) throw err;
          await vt.sleep(err.waitMs); // parked
        }
      }
    };
    const workers = replicas.flatMap((rl) => Array.from({ length: 8 }, () => worker(rl)));
    await vt.run();
    await Promise.all(workers);
    expect(maxInAnyWindow(sent, windowMs)).toBeLessThanOrEqual(budget);
    expect(sent.length / (windows * budget)).toBeGreaterThanOrEqual(0.95);
  });
});
