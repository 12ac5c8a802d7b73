import { createSharedBudget, planSlices, type UsageStore } from './shared-budget';

function memoryStore(): UsageStore {
  const used = new Map<string, number>();
  return {
    take(tenantId, sliceStart, limit) {
      const k = `${tenantId}@${sliceStart.getTime()}`;
      const n = used.get(k) ?? 0;
      if (n >= limit) return Promise.resolve(false);
      used.set(k, n + 1);
      return Promise.resolve(true);
    },
    purgeBefore: () => Promise.resolve(),
  };
}

describe('the budget shared by all replicas', () => {
  it.each([2, 5, 12, 120, 1000])(
    'never lets more than a budget of %i calls into any rolling window',
    async (budget) => {
      const windowMs = 60_000;
      let t = 1_700_000_000_000;
      const budgetFor = () => createSharedBudget({ store, windowMs, clock: { now: () => new Date(t) } });
      const store = memoryStore();
      const replicas = [budgetFor(), budgetFor(), budgetFor()];
      const granted: number[] = [];
      // Three replicas hammer the tenant for five windows, 50 ms apart.
      for (let step = 0; step < (5 * windowMs) / 50; step++, t += 50) {
        for (const r of replicas) if ((await r.take('acme', budget)) === 0) granted.push(t);
      }
      let worst = 0;
      for (let i = 0, j = 0; i < granted.length; i++) {
        while (granted[j]! <= granted[i]! - windowMs) j++;
        worst = Math.max(worst, i - j + 1);
      }
      expect(worst).toBeLessThanOrEqual(budget);
      // and it is not needlessly stingy: at least ~70 % of the budget per window is usable
      expect(granted.length / 5).toBeGreaterThanOrEqual(Math.floor(budget * 0.66));
    },
  );

  it('tells how long to wait for the next slice when the slice is full', async () => {
    const t = 1_700_000_000_000 - (1_700_000_000_000 % 10_000) + 2_500;
    const b = createSharedBudget({
      store: memoryStore(),
      windowMs: 60_000,
      clock: { now: () => new Date(t) },
    });
    const { perSlice, sliceMs } = planSlices(120, 60_000);
    for (let i = 0; i < perSlice; i++) expect(await b.take('acme', 120)).toBe(0);
    expect(await b.take('acme', 120)).toBe(sliceMs - 2_500);
  });
});
