/**
 * The inbound applier against real MariaDB + NATS: Cal.com-shaped deliveries on
 * CALCOM_INBOUND (as webhook-gateway publishes them) become local state with
 * origin calcom, and nothing ever calls Cal.com.
 */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import type { CalcomWebhookBooking } from '@calsync/contracts';
import type { Counter } from 'prom-client';
import { createTenant, startBookingApi, streamMessages, type Harness, type TestTenant } from './harness';
import { createSyncStateStore } from '@calsync/sync-state';
import { waitFor } from '@calsync/testkit';
import {
  adminCreate,
  bookingPayload,
  cancelPayload,
  inboundDrained,
  markSynced,
  newUid,
  publishInbound,
  reschedulePayload,
  rowById,
  rowByUid,
  rowsOf,
  slot,
} from './inbound-helpers';

let sandbox: CalcomSandbox;
let h: Harness;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ port: 0 });
  // A short wait for an overtaken delivery, so the "missed for good" case is quick.
  h = await startBookingApi({ env: { CALCOM_API_URL: sandbox.url, INBOUND_REORDER_WINDOW_MS: '3000' } });
  a = await createTenant(h);
  b = await createTenant(h);
});
afterAll(async () => {
  await h.close();
  await sandbox.close();
});
afterEach(() => {
  // The applier never calls Cal.com, whatever it receives.
  expect(sandbox.calls({ kind: 'api' })).toEqual([]);
});

async function counter(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = h.api.metrics.registry.getSingleMetric(name) as Counter | undefined;
  const values = (await m?.get())?.values ?? [];
  return values
    .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
    .reduce((n, v) => n + v.value, 0);
}

async function eventsOf(appointmentId: string) {
  return (await streamMessages(h.nats)).filter((m) => m.data.appointmentId === appointmentId);
}

describe('a booking made in Cal.com', () => {
  it('BOOKING_CREATED creates one synced, verified appointment with origin calcom and a booked event', async () => {
    const p = bookingPayload(a, slot(0));
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    const row = await rowByUid(h, p.uid!);
    expect(row).toMatchObject({
      tenant_id: a.id,
      event_type_id: a.eventTypeId,
      status: 'booked',
      origin: 'calcom',
      customer_name: 'Jane Roe',
      customer_email: 'jane@example.com',
      customer_time_zone: 'Europe/Berlin',
      version: 1,
      synced_version: 1,
      sync_status: 'synced',
      calcom_booking_id: p.bookingId,
      last_synced_status: 'booked',
      requires_manual_review: 0,
    });
    expect(row!.start_at.toISOString()).toBe(slot(0).toISOString());
    expect(row!.end_at.toISOString()).toBe(slot(1).toISOString());
    expect(row!.sync_verified_at).not.toBeNull();
    const res = await h.http('GET', `/v1/tenants/${a.id}/appointments/${row!.id}`, { token: a.adminToken });
    expect(res.body).toMatchObject({ origin: 'calcom', sync: { status: 'synced', calcomBookingUid: p.uid } });
    const events = await eventsOf(row!.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.headers).toMatchObject({ 'Sync-Origin': 'calcom', 'Event-Type': 'appointment.booked' });
    expect(events[0]!.data.origin).toBe('calcom');
  });

  it('the same booking delivered five times (new delivery ids, so past every de-duplication) is one appointment', async () => {
    const p = bookingPayload(a, slot(2));
    for (let i = 0; i < 5; i++) await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    const rows = (await rowsOf(h, a.id)).filter((r) => r.calcom_booking_uid === p.uid);
    expect(rows).toHaveLength(1);
    expect(await eventsOf(rows[0]!.id)).toHaveLength(1);
  });

  it('BOOKING_REQUESTED (needs confirmation) is recorded booked; the later BOOKING_CREATED changes nothing', async () => {
    const p = bookingPayload(a, slot(4), { status: 'PENDING' });
    await publishInbound(h, a.id, 'BOOKING_REQUESTED', p);
    await publishInbound(h, a.id, 'BOOKING_CREATED', { ...p, status: 'ACCEPTED' });
    await inboundDrained(h);
    const rows = (await rowsOf(h, a.id)).filter((r) => r.calcom_booking_uid === p.uid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'booked', version: 1 });
  });

  it('an attendee with a phone only and an unknown zone gets the phone and the tenant zone', async () => {
    const p = bookingPayload(a, slot(6), {
      attendees: [
        {
          name: 'Max',
          email: '4915112345678@sms.cal.com',
          phoneNumber: '+4915112345678',
          timeZone: 'Nowhere/City',
        },
      ],
    });
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    expect(await rowByUid(h, p.uid!)).toMatchObject({
      customer_phone: '+4915112345678',
      customer_time_zone: 'Europe/Berlin',
    });
  });

  it('overlapping a local booked appointment: Cal.com is kept, both go to review as double_booked', async () => {
    const local = await adminCreate(h, a, slot(8));
    const p = bookingPayload(a, new Date(slot(8).getTime() + 15 * 60_000));
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    const remote = await rowByUid(h, p.uid!);
    expect(remote).toMatchObject({
      status: 'booked',
      requires_manual_review: 1,
      manual_review_reason: 'double_booked',
    });
    expect(await rowById(h, local.id)).toMatchObject({
      status: 'booked',
      requires_manual_review: 1,
      manual_review_reason: 'double_booked',
    });
  });

  it('an event type of another tenant is ignored (the tenant comes from the event, never from the payload)', async () => {
    const p = bookingPayload(b, slot(10)); // b's event type, published as tenant a
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    expect(await rowByUid(h, p.uid!)).toBeUndefined();
    expect(await counter('inbound_changes_total', { outcome: 'ignored' })).toBeGreaterThan(0);
  });

  it('an invalid message is terminated and counted; the next one is applied', async () => {
    await h.nats.js.publish(h.nats.topology.subjects.calcomInbound(a.id, 'BOOKING_CREATED'), '{"nope":1}');
    const p = bookingPayload(a, slot(12));
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    expect(await rowByUid(h, p.uid!)).toBeDefined();
    expect(await counter('events_invalid_total')).toBe(1);
  });
});

describe('echo suppression (SPEC §6.2)', () => {
  it('our own booking echoed BEFORE the create returned (no uid yet) links and verifies, never a second appointment', async () => {
    const before = await counter('sync_echo_suppressed_total');
    const appt = await adminCreate(h, a, slot(14));
    const p = bookingPayload(a, slot(14), { metadata: { appointmentId: appt.id } });
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    const row = await rowById(h, appt.id);
    expect(row).toMatchObject({ calcom_booking_uid: p.uid, calcom_booking_id: p.bookingId, origin: 'admin' });
    expect(row.sync_verified_at).not.toBeNull();
    expect(row.sync_status).toBe('pending'); // calcom-sync still owns the outcome of its call
    expect((await rowsOf(h, a.id)).filter((r) => r.start_at.getTime() === slot(14).getTime())).toHaveLength(
      1,
    );
    expect(await counter('sync_echo_suppressed_total')).toBe(before + 1);
    expect((await eventsOf(appt.id)).map((e) => e.data.event)).toEqual(['booked']);
  });

  it('our own booking echoed AFTER calcom-sync linked it is a no-op that verifies', async () => {
    const appt = await adminCreate(h, a, slot(16));
    const p = bookingPayload(a, slot(16), { metadata: { appointmentId: appt.id } });
    await markSynced(h, appt.id, p);
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    const row = await rowById(h, appt.id);
    expect(row.sync_verified_at).not.toBeNull();
    expect((await rowsOf(h, a.id)).filter((r) => r.calcom_booking_uid === p.uid)).toHaveLength(1);
  });

  /**
   * Delivers while calcom-sync records its call's answer: this test holds the appointment's row as
   * calcom-sync's transaction would, the applier finds no appointment with the delivered uid yet
   * and waits for the row, then the answer links the booking and commits.
   */
  async function deliverDuringAnswer(
    id: string,
    deliver: () => Promise<void>,
    answer: CalcomWebhookBooking,
    linkedTo?: string,
  ): Promise<void> {
    const db = h.testDb.db;
    const applierWaits = async () =>
      (
        await db.query<{ n: number }>(
          `SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST
            WHERE DB = DATABASE() AND COMMAND = 'Query' AND INFO LIKE 'SELECT * FROM appointments WHERE %FOR UPDATE'`,
        )
      )[0]!.n;
    await db.transaction(async (tx) => {
      // `linkedTo`: locked through the old booking's uid, so the applier waits in its lookup of that
      // uid and finds it gone once the answer commits: the state of an answer that commits between
      // the applier's two lookups. (Locked by id, as calcom-sync locks it, the two would deadlock and
      // one of them retry.)
      if (linkedTo)
        await db.query('SELECT id FROM appointments WHERE calcom_booking_uid = ? FOR UPDATE', [linkedTo], tx);
      else await db.query('SELECT id FROM appointments WHERE id = ? FOR UPDATE', [id], tx);
      await deliver();
      await waitFor(async () => (await applierWaits()) > 0, { what: 'the applier to wait for the row' });
      await markSynced(h, id, answer, tx);
    });
    await inboundDrained(h);
  }

  it('our own booking echoed while calcom-sync records the answer (it holds the row) still verifies', async () => {
    const appt = await adminCreate(h, a, slot(26));
    const p = bookingPayload(a, slot(26), { metadata: { appointmentId: appt.id } });
    await deliverDuringAnswer(appt.id, () => publishInbound(h, a.id, 'BOOKING_CREATED', p), p);
    const row = await rowById(h, appt.id);
    expect(row).toMatchObject({ calcom_booking_uid: p.uid, sync_status: 'synced' });
    expect(row.sync_verified_at).not.toBeNull();
    expect((await rowsOf(h, a.id)).filter((r) => r.calcom_booking_uid === p.uid)).toHaveLength(1);
  });

  it('our own reschedule echoed while calcom-sync records the answer still verifies, and moves nothing', async () => {
    const appt = await adminCreate(h, a, slot(28));
    const old = bookingPayload(a, slot(28), { metadata: { appointmentId: appt.id } });
    await markSynced(h, appt.id, old);
    await h.http('POST', `/v1/tenants/${a.id}/appointments/${appt.id}/reschedule`, {
      token: a.adminToken,
      body: { start: slot(32).toISOString() },
    });
    const moved = reschedulePayload(a, old, slot(32));
    await deliverDuringAnswer(
      appt.id,
      () => publishInbound(h, a.id, 'BOOKING_RESCHEDULED', moved),
      moved,
      old.uid,
    );
    const row = await rowById(h, appt.id);
    expect(row).toMatchObject({ calcom_booking_uid: moved.uid, requires_manual_review: 0, version: 2 });
    expect(row.start_at.toISOString()).toBe(slot(32).toISOString());
    expect(row.sync_verified_at).not.toBeNull();
    expect((await eventsOf(appt.id)).map((e) => e.data.event)).toEqual(['booked', 'rescheduled']);
  });

  it("metadata naming another tenant's appointment is not an echo: that appointment is untouched", async () => {
    const theirs = await adminCreate(h, b, slot(18));
    const p = bookingPayload(a, slot(18), { metadata: { appointmentId: theirs.id } });
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    expect(await rowById(h, theirs.id)).toMatchObject({ calcom_booking_uid: null, sync_verified_at: null });
    expect(await rowByUid(h, p.uid!)).toMatchObject({ tenant_id: a.id, origin: 'calcom' });
  });

  it('the echo of our own reschedule links the new uid and changes nothing else', async () => {
    const appt = await adminCreate(h, a, slot(20));
    const old = bookingPayload(a, slot(20), { metadata: { appointmentId: appt.id } });
    await markSynced(h, appt.id, old);
    await h.http('POST', `/v1/tenants/${a.id}/appointments/${appt.id}/reschedule`, {
      token: a.adminToken,
      body: { start: slot(22).toISOString() },
    });
    const moved = reschedulePayload(a, old, slot(22));
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', moved);
    await inboundDrained(h);
    const row = await rowById(h, appt.id);
    expect(row).toMatchObject({
      calcom_booking_uid: moved.uid,
      requires_manual_review: 0,
      version: 2,
      synced_version: 1,
      last_synced_status: 'booked',
    });
    expect(row.last_synced_start_at?.toISOString()).toBe(slot(22).toISOString());
    expect((await eventsOf(appt.id)).map((e) => e.data.event)).toEqual(['booked', 'rescheduled']);
  });

  it('the echo of our own cancel only verifies', async () => {
    const appt = await adminCreate(h, a, slot(24));
    const p = bookingPayload(a, slot(24), { metadata: { appointmentId: appt.id } });
    await markSynced(h, appt.id, p);
    await h.http('POST', `/v1/tenants/${a.id}/appointments/${appt.id}/cancel`, {
      token: a.adminToken,
      body: {},
    });
    await publishInbound(h, a.id, 'BOOKING_CANCELLED', cancelPayload(p));
    await inboundDrained(h);
    const row = await rowById(h, appt.id);
    expect(row).toMatchObject({
      status: 'cancelled',
      requires_manual_review: 0,
      version: 2,
      last_synced_status: 'cancelled',
    });
    expect(row.sync_verified_at).not.toBeNull();
    expect((await eventsOf(appt.id)).map((e) => e.data.event)).toEqual(['booked', 'cancelled']);
  });
});

describe('changes made in Cal.com', () => {
  it('BOOKING_RESCHEDULED of a synced appointment moves it: new uid, next version synced, rescheduled event', async () => {
    const appt = await adminCreate(h, a, slot(30));
    const old = bookingPayload(a, slot(30), { metadata: { appointmentId: appt.id } });
    await markSynced(h, appt.id, old);
    const moved = reschedulePayload(a, old, slot(34));
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', moved);
    await inboundDrained(h);
    const row = await rowById(h, appt.id);
    expect(row).toMatchObject({
      status: 'booked',
      calcom_booking_uid: moved.uid,
      calcom_booking_id: moved.bookingId,
      version: 2,
      synced_version: 2,
      sync_status: 'synced',
    });
    expect(row.start_at.toISOString()).toBe(slot(34).toISOString());
    expect(row.last_synced_start_at?.toISOString()).toBe(slot(34).toISOString());
    const events = await eventsOf(appt.id);
    expect(events.map((e) => [e.data.event, e.headers['Sync-Origin']])).toEqual([
      ['booked', 'admin'],
      ['rescheduled', 'calcom'],
    ]);
    expect(events[1]!.data.previousStart).toBe(slot(30).toISOString());
    // Redelivered: nothing more.
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', moved);
    await inboundDrained(h);
    expect(await rowById(h, appt.id)).toMatchObject({ version: 2 });
  });

  it('BOOKING_CANCELLED (no metadata) of a synced appointment cancels it by uid', async () => {
    const p = bookingPayload(a, slot(36));
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await publishInbound(h, a.id, 'BOOKING_CANCELLED', cancelPayload(p));
    await inboundDrained(h);
    const row = await rowByUid(h, p.uid!);
    expect(row).toMatchObject({
      status: 'cancelled',
      cancel_reason: 'Customer cancelled',
      version: 2,
      synced_version: 2,
      sync_status: 'synced',
      last_synced_status: 'cancelled',
    });
    const events = await eventsOf(row!.id);
    expect(events.map((e) => [e.data.event, e.headers['Sync-Origin']])).toEqual([
      ['booked', 'calcom'],
      ['cancelled', 'calcom'],
    ]);
  });

  it('BOOKING_REJECTED cancels like a cancel', async () => {
    const p = bookingPayload(a, slot(38), { status: 'PENDING' });
    await publishInbound(h, a.id, 'BOOKING_REQUESTED', p);
    await publishInbound(h, a.id, 'BOOKING_REJECTED', cancelPayload(p, 'REJECTED'));
    await inboundDrained(h);
    expect(await rowByUid(h, p.uid!)).toMatchObject({ status: 'cancelled', sync_status: 'synced' });
  });

  it('a cancel for an unknown uid is ignored, and a late BOOKING_CREATED for it creates nothing', async () => {
    const p = bookingPayload(a, slot(40));
    await publishInbound(h, a.id, 'BOOKING_CANCELLED', cancelPayload(p));
    await inboundDrained(h);
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    expect(await rowByUid(h, p.uid!)).toBeUndefined();
  });

  it('a reschedule that overtakes its booking: one appointment, at the new time, and the late create adds nothing', async () => {
    const first = bookingPayload(a, slot(42));
    const moved = reschedulePayload(a, first, slot(44));
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', moved);
    await publishInbound(h, a.id, 'BOOKING_CREATED', first);
    await inboundDrained(h);
    const rows = (await rowsOf(h, a.id)).filter((r) =>
      [first.uid, moved.uid].includes(r.calcom_booking_uid!),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.start_at.toISOString()).toBe(slot(44).toISOString());
  });

  it("a customer's two reschedules delivered in reverse order (the first one redelivered late): one appointment, at the last time (chaos seed 201)", async () => {
    const first = bookingPayload(a, slot(80));
    await publishInbound(h, a.id, 'BOOKING_CREATED', first);
    await inboundDrained(h);
    const appt = (await rowByUid(h, first.uid!))!;
    const second = reschedulePayload(a, first, slot(82));
    const third = reschedulePayload(a, second, slot(84));
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', third);
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', second);
    await inboundDrained(h);
    const rows = (await rowsOf(h, a.id)).filter((r) =>
      [first.uid, second.uid, third.uid].includes(r.calcom_booking_uid!),
    );
    expect(rows.map((r) => [r.id, r.calcom_booking_uid, r.start_at.toISOString()])).toEqual([
      [appt.id, third.uid, slot(84).toISOString()],
    ]);
  });

  it('a late redelivery of the BOOKING_CREATED of a booking we have since rescheduled creates nothing (chaos seed 411)', async () => {
    const first = bookingPayload(a, slot(90));
    await publishInbound(h, a.id, 'BOOKING_CREATED', first);
    await inboundDrained(h);
    const appt = (await rowByUid(h, first.uid!))!;
    // calcom-sync's reschedule succeeded: the store links Cal.com's new uid (as callSucceeded does).
    await createSyncStateStore(h.testDb.db).transact(a.id, appt.id, new Date(), ({ state }) => ({
      next: { ...state, uid: newUid(), start: slot(92), calcomStart: slot(92) },
      result: undefined,
    }));
    // The first delivery's ack was lost while NATS was away: JetStream delivers it again.
    await publishInbound(h, a.id, 'BOOKING_CREATED', first);
    await inboundDrained(h);
    const family = (await rowsOf(h, a.id)).filter(
      (r) => r.id === appt.id || r.calcom_booking_uid === first.uid,
    );
    expect(family.map((r) => r.id)).toEqual([appt.id]);
  });

  it('a reschedule of a booking whose webhook was missed for good becomes an appointment once the wait is over', async () => {
    const lost = bookingPayload(a, slot(86));
    const moved = reschedulePayload(a, lost, slot(88));
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', moved);
    await waitFor(async () => !!(await rowByUid(h, moved.uid!)), {
      what: 'the appointment',
      timeoutMs: 20_000,
    });
    expect((await rowByUid(h, moved.uid!))!.start_at.toISOString()).toBe(slot(88).toISOString());
  });

  it('a Cal.com reschedule on top of an unsynced local change goes to review with both versions (SPEC §6.8)', async () => {
    const appt = await adminCreate(h, a, slot(50));
    const old = bookingPayload(a, slot(50), { metadata: { appointmentId: appt.id } });
    await markSynced(h, appt.id, old);
    await h.http('POST', `/v1/tenants/${a.id}/appointments/${appt.id}/reschedule`, {
      token: a.adminToken,
      body: { start: slot(52).toISOString() },
    });
    const theirs = reschedulePayload(a, old, slot(54));
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', theirs);
    await inboundDrained(h);
    const row = await rowById(h, appt.id);
    expect(row).toMatchObject({ requires_manual_review: 1, manual_review_reason: 'conflict', version: 2 });
    expect(row.start_at.toISOString()).toBe(slot(52).toISOString()); // ours, not overwritten
    expect(JSON.parse(row.manual_review_calcom!)).toMatchObject({
      uid: theirs.uid,
      start: slot(54).toISOString(),
    });
    // Issue 8 #7 (SPEC §6.8): held in review reads as failed with a code naming why, never "pending".
    const shown = await h.http('GET', `/v1/tenants/${a.id}/appointments/${appt.id}`, { token: a.adminToken });
    expect(shown.body).toMatchObject({
      sync: { status: 'failed', errorCode: 'conflict', requiresManualReview: true },
    });
  });

  it('issue 8 #3: a customer change after our create echo (its answer still in flight) is applied, not a conflict', async () => {
    const appt = await adminCreate(h, a, slot(60));
    // calcom-sync has sent the create and waits for the answer (what it records before every call).
    await h.testDb.db.execute(
      "UPDATE appointments SET sync_call_in_flight = 'create', sync_call_start_at = start_at WHERE id = ?",
      [appt.id],
    );
    const created = bookingPayload(a, slot(60), { metadata: { appointmentId: appt.id } });
    await publishInbound(h, a.id, 'BOOKING_CREATED', created); // the echo: Cal.com holds version 1
    const moved = reschedulePayload(a, created, slot(64)); // then the customer moves it
    await publishInbound(h, a.id, 'BOOKING_RESCHEDULED', moved);
    await inboundDrained(h);
    const row = await rowById(h, appt.id);
    expect(row).toMatchObject({
      requires_manual_review: 0,
      status: 'booked',
      calcom_booking_uid: moved.uid,
      sync_status: 'synced',
      sync_call_in_flight: null,
    });
    expect(row.start_at.toISOString()).toBe(slot(64).toISOString());
    expect(row.synced_version).toBe(row.version);
    expect((await eventsOf(appt.id)).map((e) => e.data.event)).toEqual(['booked', 'rescheduled']);
  });

  it('a Cal.com cancel on top of an unsynced local change goes to review too', async () => {
    const appt = await adminCreate(h, a, slot(56));
    const p = bookingPayload(a, slot(56), { metadata: { appointmentId: appt.id } });
    await markSynced(h, appt.id, p);
    await h.http('PATCH', `/v1/tenants/${a.id}/appointments/${appt.id}`, {
      token: a.adminToken,
      body: { start: slot(58).toISOString() },
    });
    await publishInbound(h, a.id, 'BOOKING_CANCELLED', cancelPayload(p));
    await inboundDrained(h);
    expect(await rowById(h, appt.id)).toMatchObject({
      status: 'booked',
      requires_manual_review: 1,
      manual_review_reason: 'conflict',
      last_synced_status: 'cancelled',
    });
  });

  it('log lines carry tenant, appointment id, uid, origin and trace id, never the e-mail', () => {
    const applied = h.logs.lines().filter((l) => l.message === 'Cal.com change applied');
    expect(applied.length).toBeGreaterThan(0);
    expect(applied[0]).toMatchObject({ origin: 'calcom', traceId: 'a'.repeat(32) });
    expect(applied[0]!.tenant).toBeDefined();
    expect(applied[0]!.appointmentId).toBeDefined();
    expect(applied[0]!.uid).toBeDefined();
    h.logs.assertNoneOf(['jane@example.com']);
  });
});
