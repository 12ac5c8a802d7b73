/**
 * Cal.com down (SPEC §6.6): the tenant's breaker opens on consecutive failures,
 * the worker stops taking that tenant's work instead of spending attempts, our
 * own half-open probe finds the recovery, and everything syncs afterwards.
 * The outage here is ~8 s with a 1 s breaker reset; production runs a 60 s
 * outage against the default 30 s reset the same way.
 */
import { waitFor } from '@calsync/testkit';
import type { CalcomSyncApp } from '../src/app';
import {
  addTenant,
  book,
  bookingsOf,
  callsOf,
  createHarness,
  loadRow,
  slot,
  startApp,
  waitForRow,
  type Harness,
} from './harness';

jest.setTimeout(60_000);

let h: Harness;
let app: CalcomSyncApp | undefined;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await app?.stop();
  await h.close();
});

it('opens the breaker while Cal.com is down, spends no attempts on the outage, and syncs everything after recovery', async () => {
  app = await startApp(h, { CALCOM_BREAKER_CONSECUTIVE_FAILURES: '3', CALCOM_BREAKER_RESET_MS: '1000' });
  const t = await addTenant(h);
  const other = await addTenant(h);
  h.sandbox.injectFault({ route: '*', mode: 'status', status: 503, apiKey: t.apiKey });

  const ids: string[] = [];
  for (let i = 0; i < 8; i++) ids.push(await book(h, t, slot(i)));
  const metric = () => app!.metrics.registry.getSingleMetricAsString('calcom_circuit_state');
  await waitFor(async () => new RegExp(`tenant="${t.id}"[^}]*} 2`).test(await metric()), {
    what: 'circuit open',
  });

  // Another tenant is not affected by this tenant's outage.
  const unaffected = await book(h, other, slot(0));
  await waitForRow(h, unaffected, (r) => r.sync_status === 'synced', 'other tenant synced');

  await new Promise((r) => setTimeout(r, 8_000));
  const during = await Promise.all(ids.map((id) => loadRow(h, id)));
  expect(
    during.every((r) => r.sync_status === 'pending' && r.sync_attempts < 4 && r.requires_manual_review === 0),
  ).toBe(true);
  const probes = callsOf(h, t, 'list').length;
  expect(probes).toBeGreaterThanOrEqual(3); // the half-open probes kept asking, about once a second

  h.sandbox.clearFaults();
  for (const id of ids) {
    const r = await waitForRow(h, id, (x) => x.sync_status === 'synced', 'synced after recovery', 20_000);
    expect(r.sync_attempts).toBeLessThan(4);
    expect(r.requires_manual_review).toBe(0);
  }
  expect(bookingsOf(h, t).filter((b) => b.status === 'accepted')).toHaveLength(ids.length);
  expect(await metric()).toMatch(new RegExp(`tenant="${t.id}"[^}]*} 0`));
  // Only the first few calls failed; the rest of the outage cost no creates at all.
  expect(callsOf(h, t, 'create').filter((c) => c.status >= 500).length).toBeLessThanOrEqual(8);
});
