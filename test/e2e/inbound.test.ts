/**
 * Cal.com → local, end to end: the sandbox's customer books, reschedules and cancels;
 * its signed webhooks go to webhook-gateway, through JetStream to booking-api's
 * inbound applier, and calcom-sync, running beside them, sends nothing back.
 * (Moved from booking-api's test/inbound-e2e.test.ts, which ran the gateway in-process.)
 */
import { waitFor } from '@calsync/testkit';
import { bookingCreated } from './calcom-webhook';
import { PATIENCE_MS, slot, startE2eSystem, type E2eSystem, type E2eTenant } from './system';

let sys: E2eSystem;
let a: E2eTenant;

beforeAll(async () => {
  sys = await startE2eSystem();
  a = await sys.addTenant();
});
afterAll(() => sys?.close());

const attendee = { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' };
const withUid = (uid: string) => async () =>
  (await sys.appointments(a)).find((x) => x.sync.calcomBookingUid === uid);

it("a customer's book, reschedule and cancel on Cal.com reach the local appointment, with zero Cal.com API calls", async () => {
  const booked = await sys.sandbox.customer.book(a.calcomApiKey, {
    start: slot(1).toISOString(),
    eventTypeId: a.eventTypeId,
    attendee,
  });
  const created = await waitFor(withUid(booked.uid), {
    what: 'the booking to arrive',
    timeoutMs: PATIENCE_MS,
  });
  expect(created).toMatchObject({
    origin: 'calcom',
    status: 'booked',
    start: slot(1).toISOString(),
    customer: { name: 'Jane Roe' },
    sync: { status: 'synced' },
  });

  const moved = await sys.sandbox.customer.reschedule(booked.uid, slot(5).toISOString());
  const rescheduled = await waitFor(
    async () => {
      const r = await sys.appointment(a, created.id);
      return r.sync.calcomBookingUid === moved.uid ? r : null;
    },
    { what: 'the reschedule to arrive', timeoutMs: PATIENCE_MS },
  );
  expect(rescheduled).toMatchObject({
    status: 'booked',
    start: slot(5).toISOString(),
    sync: { calcomBookingId: moved.id },
  });
  expect(await sys.row(created.id)).toMatchObject({ version: 2, synced_version: 2 });

  await sys.sandbox.customer.cancel(moved.uid, 'cannot come');
  await waitFor(async () => (await sys.appointment(a, created.id)).status === 'cancelled', {
    what: 'the cancel to arrive',
    timeoutMs: PATIENCE_MS,
  });
  expect(await sys.row(created.id)).toMatchObject({
    version: 3,
    synced_version: 3,
    last_synced_status: 'cancelled',
  });

  expect(await sys.appointments(a)).toHaveLength(1);
  expect(sys.sandbox.calls({ kind: 'webhook' }).map((c) => c.status)).toEqual([200, 200, 200]);
  // calcom-sync saw all three changes and answered none of them with a call to Cal.com.
  await sys.settled();
  expect(sys.sandbox.calls({ kind: 'api' })).toEqual([]);
});

it('the same signed delivery posted five times to the gateway is one appointment', async () => {
  const { raw, uid } = bookingCreated(a.eventTypeId, slot(9));
  for (let i = 0; i < 5; i++) expect((await sys.deliver(a, raw)).status).toBe(200);
  await waitFor(withUid(uid), { what: 'the booking to arrive', timeoutMs: PATIENCE_MS });
  await sys.settled();
  expect((await sys.appointments(a)).filter((x) => x.sync.calcomBookingUid === uid)).toHaveLength(1);
});
