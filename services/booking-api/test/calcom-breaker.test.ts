/**
 * booking-api's Cal.com calls go through the tenant's circuit breaker (SPEC §6.6,
 * issue 8): once Cal.com is known to be down, the review view, keep-calcom and
 * the phone agent's availability answer at once, degraded as before, without
 * sending Cal.com another request; the half-open probe brings them back.
 * The breaker is booking-api's own (per process), opened by its own failures.
 */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { createLogger } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import { addOpenAccount, checkAvailability } from './calcom-helpers';
import { createTenant, startBookingApi, type Harness, type TestTenant } from './harness';
import { adminCreate, markSynced, slot } from './inbound-helpers';

let sandbox: CalcomSandbox;
let h: Harness;
let t: TestTenant;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ logger: createLogger({ service: 'sandbox', level: 'error' }) });
  h = await startBookingApi({
    env: {
      CALCOM_API_URL: sandbox.url,
      CALCOM_TIMEOUT_MS: '2000',
      CALCOM_BREAKER_CONSECUTIVE_FAILURES: '2',
      CALCOM_BREAKER_RESET_MS: '1000',
    },
  });
  t = await createTenant(h);
  addOpenAccount(sandbox, t);
});
afterAll(async () => {
  await h.close();
  await sandbox.close();
});

const review = () => h.http('GET', `/v1/tenants/${t.id}/sync/review`, { token: t.adminToken });
const keepCalcom = (id: string) =>
  h.http('POST', `/v1/tenants/${t.id}/appointments/${id}/sync/resolve`, {
    token: t.adminToken,
    body: { resolution: 'keep-calcom' },
  });

/** An appointment in review whose Cal.com version must be read live (no stored snapshot). */
async function inReview(n: number): Promise<{ id: string; uid: string }> {
  const live = await sandbox.customer.book(t.calcomApiKey, {
    start: slot(n).toISOString(),
    eventTypeId: t.eventTypeId,
    attendee: { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' },
  });
  const appt = await adminCreate(h, t, slot(n));
  await markSynced(h, appt.id, { uid: live.uid, bookingId: live.id });
  await h.testDb.db.execute(
    `UPDATE appointments SET requires_manual_review = 1, manual_review_flagged_at = NOW(3),
       manual_review_reason = 'conflict', sync_status = 'failed' WHERE id = ?`,
    [appt.id],
  );
  return { id: appt.id, uid: live.uid };
}

/** booking-api's own requests (the breaker's probe is a `list`, which these are not). */
const ownCalls = () => sandbox.calls({ kind: 'api' }).filter((c) => c.route === 'get' || c.route === 'slots');

it('while the breaker is open, review, keep-calcom and availability degrade without calling Cal.com, and recover after the probe', async () => {
  const a = await inReview(2);
  expect((await review()).body.items[0]).toMatchObject({ calcom: { uid: a.uid, status: 'accepted' } });

  sandbox.injectFault({ route: '*', mode: 'status', status: 503 });
  // Two failed reads (one per review view: the view stops at the first failure) open the circuit.
  for (let i = 0; i < 2; i++) expect((await review()).body.items[0]).toMatchObject({ calcom: null });
  const before = ownCalls().length;

  for (let i = 0; i < 3; i++) {
    const down = await review();
    expect(down.status).toBe(200);
    expect(down.body.items[0]).toMatchObject({ appointment: { id: a.id }, calcom: null, reason: 'conflict' });
  }
  const keep = await keepCalcom(a.id);
  expect(keep.status).toBe(503);
  expect(keep.body.error.code).toBe('unavailable');
  const avail = await checkAvailability(h, t);
  expect(avail.status).toBe(200);
  expect(avail.body).toMatchObject({ status: 'calendar_unavailable' });
  expect(avail.body.result).toMatch(/can't reach the calendar/);
  expect(ownCalls()).toHaveLength(before);

  // Cal.com is back: the half-open probe closes the circuit and the live version shows again.
  sandbox.clearFaults();
  await waitFor(async () => ((await review()).body.items[0]?.calcom ? true : null), {
    what: 'the review view to read Cal.com again',
    timeoutMs: 15_000,
  });
  expect((await checkAvailability(h, t)).body).toMatchObject({ status: 'ok' });
});
