/**
 * One appointment through the whole system, both ways: an admin books it, calcom-sync
 * books it in Cal.com, Cal.com's BOOKING_CREATED webhook comes back through the gateway
 * and the inbound applier links it; then the customer moves it on Cal.com's page and
 * the move arrives the same way, without being echoed back to Cal.com.
 */
import { waitFor } from '@calsync/testkit';
import { PATIENCE_MS, slot, startE2eSystem, type E2eSystem, type E2eTenant } from './system';

let sys: E2eSystem;
let t: E2eTenant;

beforeAll(async () => {
  sys = await startE2eSystem();
  t = await sys.addTenant();
});
afterAll(() => sys?.close());

it("an admin's appointment is booked in Cal.com and confirmed by its webhook; the customer's reschedule there comes back", async () => {
  const created = await sys.api('POST', `/v1/tenants/${t.id}/appointments`, {
    token: t.adminToken,
    body: {
      eventTypeId: t.eventTypeId,
      start: slot(2).toISOString(),
      customer: { name: 'Max Mustermann', email: 'max@example.com', timeZone: 'Europe/Berlin' },
    },
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ origin: 'admin', status: 'booked', sync: { status: 'pending' } });
  const id = created.body.id as string;

  // calcom-sync books it in Cal.com, tagged with our id.
  const booking = await waitFor(
    () => sys.sandbox.bookings({ apiKey: t.calcomApiKey }).find((b) => b.metadata.appointmentId === id),
    { what: 'calcom-sync to book it in Cal.com', timeoutMs: PATIENCE_MS },
  );
  expect(booking).toMatchObject({ status: 'accepted', eventTypeId: t.eventTypeId });
  expect(booking.start.toISOString()).toBe(slot(2).toISOString());

  // Cal.com's BOOKING_CREATED reaches the gateway, and the applier links it: synced and verified.
  let seen: unknown;
  const linked = await waitFor(
    async () => {
      const a = await sys.appointment(t, id);
      seen = a.sync;
      return a.sync.status === 'synced' && a.sync.verifiedAt ? a : null;
    },
    { what: "Cal.com's webhook to confirm the booking", timeoutMs: PATIENCE_MS },
  ).catch((err: Error) => {
    const webhooks = sys.sandbox.calls({ kind: 'webhook' });
    throw new Error(
      `${err.message}; last seen ${JSON.stringify(seen)}; webhooks ${JSON.stringify(webhooks)}`,
    );
  });
  expect(linked.sync).toMatchObject({
    calcomBookingUid: booking.uid,
    calcomBookingId: booking.id,
    attempts: 1, // one Cal.com call, whether its answer or its webhook came first
    requiresManualReview: false,
    errorCode: null,
  });
  // The sandbox logs a delivery once it has read the gateway's answer, which can come after the
  // applier has already linked the booking: wait for the log entry, then check it is the only one.
  const deliveries = await waitFor(
    () => {
      const mine = sys.sandbox.calls({ kind: 'webhook' }).filter((c) => c.bookingUid === booking.uid);
      return mine.length > 0 ? mine : null;
    },
    { what: 'the sandbox to log its BOOKING_CREATED delivery', timeoutMs: PATIENCE_MS },
  );
  expect(deliveries.map((c) => [c.triggerEvent, c.status])).toEqual([['BOOKING_CREATED', 200]]);

  // The customer moves it on Cal.com's page: the move comes back and is the appointment's new time.
  const moved = await sys.sandbox.customer.reschedule(booking.uid, slot(6).toISOString());
  const back = await waitFor(
    async () => {
      const a = await sys.appointment(t, id);
      return a.sync.calcomBookingUid === moved.uid ? a : null;
    },
    { what: 'the reschedule to arrive', timeoutMs: PATIENCE_MS },
  );
  expect(back).toMatchObject({
    status: 'booked',
    origin: 'admin',
    start: slot(6).toISOString(),
    sync: { status: 'synced', calcomBookingId: moved.id, requiresManualReview: false },
  });

  // Nothing went back to Cal.com: one create, no echo of the customer's own change.
  await sys.settled();
  expect(sys.sandbox.calls({ kind: 'api' }).map((c) => [c.route, c.status])).toEqual([['create', 201]]);
  expect(
    sys.sandbox
      .bookings({ apiKey: t.calcomApiKey })
      .filter((b) => b.status === 'accepted')
      .map((b) => [b.uid, b.start.toISOString()]),
  ).toEqual([[moved.uid, slot(6).toISOString()]]);
  expect(await sys.appointments(t)).toHaveLength(1);
});
