/**
 * Reconciliation (SPEC §6.9): Cal.com changes whose webhooks never arrived are
 * found by listing bookings updated since the cursor. A booking unknown locally
 * is handed to the inbound path (origin calcom), and so is a cancellation made
 * in Cal.com: applied exactly as its webhook would have been, not sent to
 * review — unless one round would cancel an unusual share of a tenant's
 * appointments (the mass-deletion guard). Drift is counted.
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

it('hands a missed Cal.com booking and a missed cancellation to the inbound path, as their webhooks would have been', async () => {
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

  const inbound: CalcomInboundEventV1[] = [];
  const sub = h.nats.nc.subscribe(h.nats.topology.subjects.calcomInbound(t.id, '*'));
  const collecting = (async () => {
    for await (const m of sub) {
      if (m.headers?.get(HEADERS.origin) === 'calcom') inbound.push(m.json<CalcomInboundEventV1>());
    }
  })();

  const first = await app!.reconciler.runOnce();
  expect(first.drift).toBeGreaterThanOrEqual(2);
  await waitForRow(h, id, () => inbound.length >= 2, 'inbound events for the walk-in and the cancellation');
  expect(inbound.find((e) => e.payload.uid === walkIn.uid)?.trigger).toBe('BOOKING_CREATED');
  expect(inbound.find((e) => e.payload.uid === synced.calcom_booking_uid)).toMatchObject({
    trigger: 'BOOKING_CANCELLED',
    payload: { status: 'CANCELLED', eventTypeId: t.eventTypeId },
  });
  // Nothing changed locally: this is no conflict, so it is not the review queue's business.
  expect(await loadRow(h, id)).toMatchObject({ requires_manual_review: 0, status: 'booked' });

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

it('refuses a round that would cancel an unusual share of the tenant at once: flagged, not applied', async () => {
  const t = await addTenant(h);
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push(await book(h, t, slot(40 + i)));
  const rows = await Promise.all(
    ids.map((id) => waitForRow(h, id, (r) => r.sync_status === 'synced', 'synced')),
  );
  for (const r of rows) await h.sandbox.customer.cancel(r.calcom_booking_uid!, 'gone');

  const published: string[] = [];
  const sub = h.nats.nc.subscribe(h.nats.topology.subjects.calcomInbound(t.id, 'BOOKING_CANCELLED'));
  const collecting = (async () => {
    for await (const m of sub) published.push(String(m.json<CalcomInboundEventV1>().payload.uid));
  })();
  await app!.reconciler.runOnce();
  for (const id of ids) {
    expect(await loadRow(h, id)).toMatchObject({
      requires_manual_review: 1,
      manual_review_reason: 'mass_cancellation',
      sync_status: 'failed',
      status: 'booked',
    });
  }
  await h.nats.nc.flush();
  expect(published).toEqual([]);
  sub.unsubscribe();
  await collecting;
});

it('an appointment still standing on a booking rescheduled twice (all webhooks missed) is moved to the live end of the chain', async () => {
  const t = await addTenant(h);
  const id = await book(h, t, slot(70));
  const synced = await waitForRow(h, id, (r) => r.sync_status === 'synced', 'synced');
  const hop = await h.sandbox.customer.reschedule(synced.calcom_booking_uid!, slot(72).toISOString());
  const end = await h.sandbox.customer.reschedule(hop.uid, slot(74).toISOString());

  const inbound: CalcomInboundEventV1[] = [];
  const sub = h.nats.nc.subscribe(h.nats.topology.subjects.calcomInbound(t.id, '*'));
  const collecting = (async () => {
    for await (const m of sub) inbound.push(m.json<CalcomInboundEventV1>());
  })();
  await app!.reconciler.runOnce();
  await waitForRow(
    h,
    id,
    () => inbound.some((e) => e.payload.uid === end.uid),
    'inbound event for the live end',
  );
  const evt = inbound.find((e) => e.payload.uid === end.uid)!;
  // From the booking the appointment stands on, so the applier moves it (not a new appointment).
  expect(evt).toMatchObject({
    trigger: 'BOOKING_RESCHEDULED',
    payload: { rescheduleUid: synced.calcom_booking_uid },
  });
  sub.unsubscribe();
  await collecting;
});

it('rescheduled and then cancelled on Cal.com, every webhook missed: replayed as the cancellation of the booking the appointment stands on', async () => {
  const t = await addTenant(h);
  const id = await book(h, t, slot(80));
  const synced = await waitForRow(h, id, (r) => r.sync_status === 'synced', 'synced');
  const moved = await h.sandbox.customer.reschedule(synced.calcom_booking_uid!, slot(82).toISOString());
  await h.sandbox.customer.cancel(moved.uid, 'changed my mind');

  const inbound: CalcomInboundEventV1[] = [];
  const sub = h.nats.nc.subscribe(h.nats.topology.subjects.calcomInbound(t.id, 'BOOKING_CANCELLED'));
  const collecting = (async () => {
    for await (const m of sub) inbound.push(m.json<CalcomInboundEventV1>());
  })();
  await app!.reconciler.runOnce();
  await waitForRow(
    h,
    id,
    () => inbound.some((e) => e.payload.uid === synced.calcom_booking_uid),
    'cancellation replayed',
  );
  sub.unsubscribe();
  await collecting;
});

it('a booking compared while no appointment stood on it is compared again once one does (a late delivery linked it): chaos seed 822', async () => {
  const t = await addTenant(h);
  // A customer books and reschedules on Cal.com; every webhook is lost or still waiting somewhere.
  const first = await h.sandbox.customer.book(t.apiKey, {
    start: slot(80).toISOString(),
    eventTypeId: t.eventTypeId,
    attendee: { name: 'Late Link', email: 'late@example.com', timeZone: 'Europe/Berlin' },
  });
  const moved = await h.sandbox.customer.reschedule(first.uid, slot(82).toISOString());
  // A later change moves the cursor past the reschedule.
  await new Promise((r) => setTimeout(r, 20));
  await h.sandbox.customer.book(t.apiKey, {
    start: slot(84).toISOString(),
    eventTypeId: t.eventTypeId,
    attendee: { name: 'Walk In', email: 'walk@example.com', timeZone: 'Europe/Berlin' },
  });
  // This round finds the reschedule's booking missing and hands it over; nothing stands on the old one yet.
  await app!.reconciler.runOnce();

  // Then the deliveries land late: the old booking's creation becomes appointment A, and the handed-over
  // reschedule, whose predecessor it waited for in vain, becomes appointment B.
  const linkedFromCalcom = async (uid: string, bookingId: number, start: Date) => {
    const id = await book(h, t, start, 'calcom');
    await h.db.db.execute(
      `UPDATE appointments SET calcom_booking_uid = ?, calcom_booking_id = ?, synced_version = version,
         sync_status = 'synced', last_synced_status = 'booked', last_synced_start_at = start_at WHERE id = ?`,
      [uid, bookingId, id],
    );
    return id;
  };
  const a = await linkedFromCalcom(first.uid, first.id, slot(80));
  const b = await linkedFromCalcom(moved.uid, moved.id, slot(82));

  // Nothing changed on Cal.com since: only looking again finds that A stands on a booking moved away,
  // whose successor B already claims. Two appointments for one booking: a human decides.
  await app!.reconciler.runOnce();
  expect(await loadRow(h, a)).toMatchObject({ requires_manual_review: 1, manual_review_reason: 'duplicate' });
  expect(await loadRow(h, b)).toMatchObject({ requires_manual_review: 0, status: 'booked' });
});
