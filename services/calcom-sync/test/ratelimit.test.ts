/**
 * Rate limits (SPEC §6.7): the tenant's budget keeps calls under Cal.com's
 * limit, and when Cal.com throttles anyway (429) the worker waits for the reset
 * without counting an attempt. The sandbox allows 5 calls per 2 s per key here;
 * production's 120 per 60 s works the same way with CALCOM_RATE_WINDOW_MS=60000.
 */
import type { CalcomSyncApp } from '../src/app';
import {
  addTenant,
  book,
  bookingsOf,
  callsOf,
  createHarness,
  slot,
  startApp,
  waitForRow,
  type Harness,
} from './harness';

jest.setTimeout(60_000);

const LIMIT = 5;
const WINDOW_MS = 2000;
let h: Harness;
let app: CalcomSyncApp | undefined;

beforeAll(async () => {
  h = await createHarness({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS, blockMs: WINDOW_MS } });
  app = await startApp(h, { CALCOM_RATE_WINDOW_MS: String(WINDOW_MS) });
});
afterAll(async () => {
  await app?.stop();
  await h.close();
});

function maxInAnyWindow(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j]! < sorted[i]! + WINDOW_MS) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

it('keeps a burst under the tenant budget: never more calls per window than the limit, and no 429', async () => {
  const t = await addTenant(h, { rateLimitPerMinute: LIMIT });
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push(await book(h, t, slot(i)));
  for (const id of ids) await waitForRow(h, id, (r) => r.sync_status === 'synced', 'synced', 30_000);
  const calls = callsOf(h, t);
  expect(calls.filter((c) => c.status === 429)).toHaveLength(0);
  expect(maxInAnyWindow(calls.map((c) => Date.parse(c.at)))).toBeLessThanOrEqual(LIMIT);
  expect(bookingsOf(h, t)).toHaveLength(12);
});

it('keeps three replicas together under one tenant budget: no 429, never more calls per window than the limit', async () => {
  const t = await addTenant(h, { rateLimitPerMinute: LIMIT });
  const others = [
    await startApp(h, { CALCOM_RATE_WINDOW_MS: String(WINDOW_MS) }),
    await startApp(h, { CALCOM_RATE_WINDOW_MS: String(WINDOW_MS) }),
  ];
  try {
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await book(h, t, slot(20 + i)));
    for (const id of ids) await waitForRow(h, id, (r) => r.sync_status === 'synced', 'synced', 40_000);
    const calls = callsOf(h, t);
    expect(calls.filter((c) => c.status === 429)).toHaveLength(0);
    expect(maxInAnyWindow(calls.map((c) => Date.parse(c.at)))).toBeLessThanOrEqual(LIMIT);
    expect(bookingsOf(h, t)).toHaveLength(12);
  } finally {
    for (const o of others) await o.stop();
  }
});

it("honours Cal.com's headers when the tenant's budget is set above what the key allows: every appointment syncs, no attempt is counted for a wait", async () => {
  // The tenant thinks it may make 120 calls per window; Cal.com allows 5. X-RateLimit-Remaining/-Reset
  // slow the calls down (and a 429 in the first burst, sent before any answer came, is waited out).
  const t = await addTenant(h, { rateLimitPerMinute: 120 });
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push(await book(h, t, slot(i)));
  for (const id of ids) {
    const r = await waitForRow(h, id, (x) => x.sync_status === 'synced', 'synced', 40_000);
    expect(r.sync_attempts).toBe(1);
    expect(r.requires_manual_review).toBe(0);
  }
  const calls = callsOf(h, t);
  // What Cal.com accepted never went over its limit (it blocks the key otherwise).
  expect(
    maxInAnyWindow(calls.filter((c) => c.status !== 429).map((c) => Date.parse(c.at))),
  ).toBeLessThanOrEqual(LIMIT);
  expect(bookingsOf(h, t)).toHaveLength(12);
});

it('waits out the 429s of a key something else has used up, without counting attempts, and everything syncs after the reset', async () => {
  const t = await addTenant(h, { rateLimitPerMinute: LIMIT });
  // Another client of the same key (not counted in our budget) spends it: the key is blocked.
  for (let i = 0; i <= LIMIT; i++) {
    await fetch(`${h.sandbox.url}/v2/bookings?take=1`, {
      headers: { Authorization: `Bearer ${t.apiKey}`, 'cal-api-version': '2024-08-13' },
    });
  }
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) ids.push(await book(h, t, slot(40 + i)));
  for (const id of ids) {
    const r = await waitForRow(h, id, (x) => x.sync_status === 'synced', 'synced', 40_000);
    expect(r.sync_attempts).toBe(1);
    expect(r.requires_manual_review).toBe(0);
  }
  const creates = callsOf(h, t, 'create');
  expect(creates.some((c) => c.status === 429)).toBe(true);
  expect(creates.filter((c) => c.status !== 429)).toHaveLength(6);
  expect(bookingsOf(h, t)).toHaveLength(6);
  const waits = await app!.metrics.registry.getSingleMetricAsString('calcom_rate_limit_waits_total');
  expect(Number(/ (\d+)$/m.exec(waits)?.[1] ?? 0)).toBeGreaterThan(0);
});
