/**
 * Reconciliation (SPEC §6.9): Cal.com changes whose webhooks never arrived are
 * found by listing bookings updated since the cursor. A booking unknown locally
 * is handed to the inbound path (origin calcom); a booking cancelled in Cal.com
 * under a booked, fully synced appointment goes to review. Drift is counted.
 */
import { HEADERS, type CalcomInboundEventV1 } from '@calsync/contracts';
import type { CalcomSyncApp } from '../src/app';
import { addTenant, book, createHarness, loadRow, slot, startApp, waitForRow, type Harness } from './harness';

jest.setTimeout(60_000);

let h: Harness;
let app: CalcomSyncApp | undefined;

beforeAll(async () => {
  h = await createHarness();
  app = await startApp(h);
});
afterAll(async () => {
  await app?.stop();
  await h.close();
});

it('hands a missed Cal.com booking to the inbound path and flags a missed cancellation for review', async () => {
  const t = await addTenant(h);
  const id = await book(h, t, slot(0));
  const synced = await waitForRow(h, id, (r) => r.sync_status === 'synced', 'synced');
  // Both happen in Cal.com with no webhook configured: the webhooks are "lost".
  await h.sandbox.customer.cancel(synced.calcom_booking_uid!, 'changed my mind');
  const walkIn = await h.sandbox.customer.book(t.apiKey, {
    start: slot(5).toISOString(),
    eventTypeId: t.eventTypeId,
    attendee: { name: 'Walk In', email: 'walk@example.com', timeZone: 'Europe/Berlin' },
  });

  const inbound: string[] = [];
  const sub = h.nats.nc.subscribe(h.nats.topology.subjects.calcomInbound(t.id, '*'));
  const collecting = (async () => {
    for await (const m of sub) {
      const event = m.json<CalcomInboundEventV1>();
      if (m.headers?.get(HEADERS.origin) === 'calcom') inbound.push(String(event.payload.uid));
    }
  })();

  const first = await app!.reconciler.runOnce();
  expect(first.drift).toBeGreaterThanOrEqual(2);
  const row = await loadRow(h, id);
  expect(row).toMatchObject({
    requires_manual_review: 1,
    manual_review_reason: 'calcom_cancelled',
    status: 'booked',
  });
  expect(JSON.parse(row.manual_review_calcom!)).toMatchObject({
    uid: synced.calcom_booking_uid,
    status: 'cancelled',
  });
  await waitForRow(h, id, () => inbound.includes(walkIn.uid), 'inbound event for the walk-in');

  const drift = await app!.metrics.registry.getSingleMetricAsString('reconcile_drift_total');
  expect(drift).toMatch(/kind="missing_locally"/);
  expect(drift).toMatch(/kind="cancelled_in_calcom"/);
  sub.unsubscribe();
  await collecting;
});

it('hands a missed customer reschedule of our booking to the inbound path as a reschedule of the old uid', async () => {
  const t = await addTenant(h);
  const id = await book(h, t, slot(10));
  const synced = await waitForRow(h, id, (r) => r.sync_status === 'synced', 'synced');
  const moved = await h.sandbox.customer.reschedule(synced.calcom_booking_uid!, slot(12).toISOString());

  const inbound: CalcomInboundEventV1[] = [];
  const sub = h.nats.nc.subscribe(h.nats.topology.subjects.calcomInbound(t.id, '*'));
  const collecting = (async () => {
    for await (const m of sub) inbound.push(m.json<CalcomInboundEventV1>());
  })();

  await app!.reconciler.runOnce();
  await waitForRow(
    h,
    id,
    () => inbound.some((e) => e.payload.uid === moved.uid),
    'inbound event for the moved booking',
  );
  const evt = inbound.find((e) => e.payload.uid === moved.uid)!;
  expect(evt.trigger).toBe('BOOKING_RESCHEDULED');
  expect(evt.payload.rescheduleUid).toBe(synced.calcom_booking_uid);
  expect(evt.payload.metadata).toMatchObject({ appointmentId: id });
  sub.unsubscribe();
  await collecting;
});
