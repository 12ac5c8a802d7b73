import {
  createSharedBudget,
  PACE_BURST,
  PACE_CLAIM_MARGIN_MS,
  PACE_JITTER_MS,
  planPace,
  type UsageStore,
} from './shared-budget';

function memoryStore() {
  const used = new Map<string, number>();
  let purged: Date | undefined;
  const store: UsageStore = {
    take(tenantId, sliceStart, limit) {
      const k = `${tenantId}@${sliceStart.getTime()}`;
      const n = used.get(k) ?? 0;
      if (n >= limit) return Promise.resolve(false);
      used.set(k, n + 1);
      return Promise.resolve(true);
    },
    lastTaken(tenantId, since) {
      const mine = [...used.keys()]
        .filter((k) => k.startsWith(`${tenantId}@`))
        .map((k) => Number(k.slice(tenantId.length + 1)))
        .filter((t) => t >= since.getTime());
      return Promise.resolve(mine.length ? new Date(Math.max(...mine)) : null);
    },
    purgeBefore(cutoff) {
      purged = cutoff;
      return Promise.resolve();
    },
  };
  return { store, purged: () => purged };
}

describe('the slot grid of a tenant budget', () => {
  it.each([1, 2, 5, 12, 120, 400, 1000])(
    'a budget of %i per window: any budget + 1 calls, each sent within its slot, are more than a window and the jitter apart',
    (budget) => {
      const windowMs = 60_000;
      const { intervalMs, lateMs } = planPace(budget, windowMs);
      const start = (i: number) => Math.floor(i * intervalMs);
      for (let a = 28_000_000; a < 28_000_050; a++) {
        // Slot a's call sent as late as allowed, slot a + budget's as early as allowed.
        const latestFirst = start(a) + lateMs - 1;
        const earliestLast = start(a + budget);
        expect(earliestLast - latestFirst).toBeGreaterThan(windowMs + PACE_JITTER_MS);
      }
    },
  );

  it.each([
    [120, 0.95],
    [400, 0.98],
    [1000, 0.98],
  ])('a budget of %i per minute leaves at least %d of it usable', (budget, share) => {
    const { intervalMs } = planPace(budget, 60_000);
    expect(60_000 / intervalMs / budget).toBeGreaterThanOrEqual(share);
  });

  it.each([12, 120, 400])(
    'a budget of %i per minute lets a few calls go out at once after a quiet spell',
    (budget) => {
      const { intervalMs, lateMs, claimableMs } = planPace(budget, 60_000);
      // The slots that passed within `claimableMs` can still be taken, and their calls sent in time.
      expect(claimableMs).toBeGreaterThan(Math.min(PACE_BURST, Math.floor(budget / 10)) * intervalMs);
      expect(lateMs - claimableMs).toBe(PACE_CLAIM_MARGIN_MS);
    },
  );
});

describe('the budget shared by all replicas', () => {
  it('gives each slot to one call, whichever process claims it, and tells the latest slot anyone holds', async () => {
    const { store } = memoryStore();
    const clock = { now: () => new Date(1_700_000_000_000) };
    const a = createSharedBudget({ store, windowMs: 60_000, clock });
    const b = createSharedBudget({ store, windowMs: 60_000, clock });
    const slot = new Date(1_700_000_000_000);
    expect(await a.claim('acme', slot)).toBe(true);
    expect(await b.claim('acme', slot)).toBe(false);
    expect(await b.claim('other', slot)).toBe(true); // another tenant has its own budget
    expect(await b.claim('acme', new Date(slot.getTime() + 500))).toBe(true);
    expect(await a.lastClaimed('acme', slot)).toEqual(new Date(slot.getTime() + 500));
    expect(await a.lastClaimed('acme', new Date(slot.getTime() + 501))).toBeNull();
  });

  it('purges slots older than ten windows now and then', async () => {
    const { store, purged } = memoryStore();
    const now = 1_700_000_000_000;
    const budget = createSharedBudget({ store, windowMs: 60_000, clock: { now: () => new Date(now) } });
    for (let i = 0; i < 1000; i++) await budget.claim('acme', new Date(now + i * 151));
    expect(purged()).toEqual(new Date(now - 600_000));
  });
});
