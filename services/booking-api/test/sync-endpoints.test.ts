/**
 * GET /sync/status, GET /sync/review, POST /appointments/:id/sync/retry and
 * /sync/resolve against real MariaDB + NATS, with the Cal.com sandbox for the
 * live side of the review queue.
 */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { waitFor } from '@calsync/testkit';
import { createTenant, startBookingApi, streamMessages, type Harness, type TestTenant } from './harness';
import {
  adminCreate,
  bookingPayload,
  cancelPayload,
  inboundDrained,
  markSynced,
  publishInbound,
  reschedulePayload,
  rowById,
  slot,
} from './inbound-helpers';

let sandbox: CalcomSandbox;
let h: Harness;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ port: 0 });
  h = await startBookingApi({ env: { CALCOM_API_URL: sandbox.url, CALCOM_TIMEOUT_MS: '2000' } });
  a = await createTenant(h);
  b = await createTenant(h);
  sandbox.addAccount({
    apiKey: a.calcomApiKey,
    eventTypes: [{ id: a.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
  });
});
afterAll(async () => {
  await h.close();
  await sandbox.close();
});

const sync = (t: TestTenant, p: string) => `/v1/tenants/${t.id}${p}`;
const get = (t: TestTenant, p: string, token = t.adminToken) => h.http('GET', sync(t, p), { token });
const post = (t: TestTenant, p: string, body?: unknown, token = t.adminToken) =>
  h.http('POST', sync(t, p), { token, body });
const resolve = (t: TestTenant, id: string, resolution: unknown) =>
  post(t, `/appointments/${id}/sync/resolve`, { resolution });

async function flag(id: string, reason: string, extra = '') {
  await h.testDb.db.execute(
    `UPDATE appointments SET requires_manual_review = 1, manual_review_flagged_at = NOW(3), manual_review_reason = ?,
       sync_status = 'failed', sync_attempts = 4, sync_error_code = ?, sync_error_message = 'boom' ${extra} WHERE id = ?`,
    [reason, reason, id],
  );
}

async function eventsOf(id: string, count: number) {
  return waitFor(
    async () => {
      const all = (await streamMessages(h.nats)).filter((m) => m.data.appointmentId === id);
      return all.length >= count ? all : null;
    },
    { what: `${count} events for ${id}` },
  );
}

/** A conflict: synced at slot n, rescheduled locally to n+2, rescheduled in Cal.com to n+4. */
async function conflict(t: TestTenant, n: number) {
  const appt = await adminCreate(h, t, slot(n));
  const old = bookingPayload(t, slot(n), { metadata: { appointmentId: appt.id } });
  await markSynced(h, appt.id, old);
  await post(t, `/appointments/${appt.id}/reschedule`, { start: slot(n + 2).toISOString() });
  const theirs = reschedulePayload(t, old, slot(n + 4));
  await publishInbound(h, t.id, 'BOOKING_RESCHEDULED', theirs);
  await inboundDrained(h);
  expect((await rowById(h, appt.id)).manual_review_reason).toBe('conflict');
  return { id: appt.id, theirs };
}

describe('GET /sync/status', () => {
  it('counts by origin × sync status since the given time, with success rate and review queue', async () => {
    const c = await createTenant(h);
    const since = new Date(Date.now() - 1000).toISOString();
    const pending = await adminCreate(h, c, slot(100));
    const failed = await adminCreate(h, c, slot(102));
    await flag(failed.id, 'retries_exhausted');
    const skipped = await adminCreate(h, c, slot(104));
    await h.testDb.db.execute("UPDATE appointments SET sync_status = 'skipped' WHERE id = ?", [skipped.id]);
    await publishInbound(h, c.id, 'BOOKING_CREATED', bookingPayload(c, slot(106)));
    await publishInbound(h, c.id, 'BOOKING_CREATED', bookingPayload(c, slot(108)));
    await inboundDrained(h);
    const res = await get(c, `/sync/status?since=${encodeURIComponent(since)}`);
    expect(res.status).toBe(200);
    const zero = { pending: 0, synced: 0, failed: 0, skipped: 0 };
    expect(res.body).toEqual({
      since: new Date(since).toISOString(),
      total: 5,
      successRate: 0.75, // (2 synced + 1 skipped) / (those + 1 failed); pending is not finished
      byOrigin: {
        retell: zero,
        admin: { pending: 1, synced: 0, failed: 1, skipped: 1 },
        calcom: { ...zero, synced: 2 },
        system: zero,
      },
      reviewQueue: 1,
    });
    expect(pending.id).toBeDefined();
    const later = await get(
      c,
      `/sync/status?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(later.body).toMatchObject({ total: 0, successRate: null, reviewQueue: 1 });
    const dflt = await get(c, '/sync/status');
    expect(dflt.body.total).toBe(5);
    expect(Date.now() - Date.parse(dflt.body.since)).toBeGreaterThan(24 * 3600_000 - 60_000);
  });

  it('rejects a bad since or an unknown parameter with 400', async () => {
    expect((await get(a, '/sync/status?since=yesterday')).status).toBe(400);
    expect((await get(a, '/sync/status?since=2026-01-01T00:00:00')).status).toBe(400);
    expect((await get(a, '/sync/status?foo=1')).status).toBe(400);
  });
});

describe('GET /sync/review', () => {
  it('shows a conflict with both versions: ours and the stored Cal.com one', async () => {
    const { id, theirs } = await conflict(a, 200);
    const res = await get(a, '/sync/review');
    expect(res.status).toBe(200);
    const item = res.body.items.find((i: { appointment: { id: string } }) => i.appointment.id === id);
    expect(item).toMatchObject({
      appointment: { id, start: slot(202).toISOString(), sync: { requiresManualReview: true } },
      calcom: { uid: theirs.uid, start: slot(204).toISOString(), status: 'accepted' },
      reason: 'conflict',
    });
    expect(Date.parse(item.flaggedAt)).not.toBeNaN();
  });

  it("fetches the live Cal.com booking with the tenant's key, and tolerates Cal.com being down", async () => {
    const live = await sandbox.customer.book(a.calcomApiKey, {
      start: slot(3).toISOString(),
      eventTypeId: a.eventTypeId,
      attendee: { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' },
    });
    const appt = await adminCreate(h, a, slot(3));
    await markSynced(h, appt.id, { uid: live.uid, bookingId: live.id });
    await flag(appt.id, 'slot_taken');
    const noUid = await adminCreate(h, a, slot(5));
    await flag(noUid.id, 'validation');

    const res = await get(a, '/sync/review');
    const byId = (id: string) =>
      res.body.items.find((i: { appointment: { id: string } }) => i.appointment.id === id);
    expect(byId(appt.id)).toMatchObject({
      calcom: { uid: live.uid, status: 'accepted' },
      reason: 'slot_taken',
    });
    expect(byId(noUid.id)).toMatchObject({ calcom: null, reason: 'validation' });
    expect(sandbox.calls({ kind: 'api', route: 'get' }).length).toBeGreaterThan(0);

    sandbox.injectFault({ route: 'get', mode: 'status', status: 503 });
    try {
      const down = await get(a, '/sync/review');
      expect(down.status).toBe(200);
      expect(
        down.body.items.find((i: { appointment: { id: string } }) => i.appointment.id === appt.id),
      ).toMatchObject({
        calcom: null,
        reason: 'slot_taken',
      });
    } finally {
      sandbox.clearFaults();
    }
  });
});

describe('POST /appointments/:id/sync/retry', () => {
  it('answers 202, clears the review, resets attempts and asks calcom-sync again (sync-requested, origin admin)', async () => {
    const appt = await adminCreate(h, a, slot(300));
    await flag(appt.id, 'retries_exhausted');
    const res = await post(a, `/appointments/${appt.id}/sync/retry`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      id: appt.id,
      sync: { status: 'pending', attempts: 0, errorCode: null, requiresManualReview: false, flaggedAt: null },
    });
    const row = await rowById(h, appt.id);
    expect(row.synced_version).toBeLessThan(row.version);
    const events = await eventsOf(appt.id, 2);
    expect(events.map((e) => [e.data.event, e.headers['Sync-Origin']])).toEqual([
      ['booked', 'admin'],
      ['sync-requested', 'admin'],
    ]);
    expect(events[1]!.headers['Event-Type']).toBe('appointment.sync-requested');
  });
});

describe('POST /appointments/:id/sync/resolve', () => {
  it('keep-local pushes our version again: out of review, pending, sync-requested', async () => {
    const { id, theirs } = await conflict(a, 210);
    const res = await resolve(a, id, 'keep-local');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      start: slot(212).toISOString(),
      sync: { status: 'pending', requiresManualReview: false, calcomBookingUid: theirs.uid },
    });
    const events = await eventsOf(id, 3);
    expect(events.at(-1)!.data.event).toBe('sync-requested');
  });

  it('keep-local after Cal.com cancelled our booking forgets that booking, so calcom-sync books anew', async () => {
    const appt = await adminCreate(h, a, slot(220));
    const p = bookingPayload(a, slot(220), { metadata: { appointmentId: appt.id } });
    await markSynced(h, appt.id, p);
    await post(a, `/appointments/${appt.id}/reschedule`, { start: slot(222).toISOString() });
    await publishInbound(h, a.id, 'BOOKING_CANCELLED', cancelPayload(p));
    await inboundDrained(h);
    const res = await resolve(a, appt.id, 'keep-local');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'booked', sync: { status: 'pending', calcomBookingUid: null } });
    // A late echo of the forgotten booking does not link it again.
    await publishInbound(h, a.id, 'BOOKING_CREATED', p);
    await inboundDrained(h);
    expect(await rowById(h, appt.id)).toMatchObject({ calcom_booking_uid: null, requires_manual_review: 0 });
  });

  it('keep-calcom applies the stored Cal.com version locally as an origin-calcom change', async () => {
    const { id, theirs } = await conflict(a, 230);
    const res = await resolve(a, id, 'keep-calcom');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      start: slot(234).toISOString(),
      status: 'booked',
      sync: { status: 'synced', calcomBookingUid: theirs.uid, requiresManualReview: false },
    });
    expect(res.body.sync.verifiedAt).not.toBeNull();
    const row = await rowById(h, id);
    expect(row.synced_version).toBe(row.version);
    const events = await eventsOf(id, 3);
    expect([events.at(-1)!.data.event, events.at(-1)!.headers['Sync-Origin']]).toEqual([
      'rescheduled',
      'calcom',
    ]);
  });

  it('keep-calcom without a stored version takes the live booking', async () => {
    const live = await sandbox.customer.book(a.calcomApiKey, {
      start: slot(7).toISOString(),
      eventTypeId: a.eventTypeId,
      attendee: { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' },
    });
    const appt = await adminCreate(h, a, slot(9));
    await markSynced(h, appt.id, { uid: live.uid, bookingId: live.id });
    await flag(appt.id, 'slot_taken');
    const res = await resolve(a, appt.id, 'keep-calcom');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      start: slot(7).toISOString(),
      sync: { status: 'synced', requiresManualReview: false },
    });
  });

  it('dismiss only clears the flag', async () => {
    const { id } = await conflict(a, 240);
    const before = await rowById(h, id);
    const res = await resolve(a, id, 'dismiss');
    expect(res.status).toBe(200);
    const after = await rowById(h, id);
    expect(after).toMatchObject({
      requires_manual_review: 0,
      manual_review_reason: null,
      manual_review_calcom: null,
      version: before.version,
      sync_status: before.sync_status,
    });
    expect(after.start_at).toEqual(before.start_at);
  });

  it('409 not_in_review when nothing is flagged; 404 for unknown ids; 400 for bad bodies', async () => {
    const appt = await adminCreate(h, a, slot(250));
    for (const r of ['keep-local', 'keep-calcom', 'dismiss']) {
      const res = await resolve(a, appt.id, r);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('not_in_review');
    }
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await resolve(a, unknown, 'dismiss')).status).toBe(404);
    expect((await post(a, `/appointments/${unknown}/sync/retry`)).status).toBe(404);
    expect((await post(a, '/appointments/not-a-uuid/sync/retry')).status).toBe(404);
    expect((await resolve(a, appt.id, 'keep-both')).status).toBe(400);
    expect((await post(a, `/appointments/${appt.id}/sync/resolve`, {})).status).toBe(400);
    expect(
      (await post(a, `/appointments/${appt.id}/sync/resolve`, { resolution: 'dismiss', x: 1 })).status,
    ).toBe(400);
    expect((await post(a, `/appointments/${appt.id}/sync/retry`, { force: true })).status).toBe(400);
  });
});

describe('tenant isolation', () => {
  it("tenant A's token on tenant B's sync routes is 403 and changes nothing", async () => {
    const theirs = await adminCreate(h, b, slot(400));
    await flag(theirs.id, 'retries_exhausted');
    const before = await rowById(h, theirs.id);
    expect((await get(b, '/sync/status', a.adminToken)).status).toBe(403);
    expect((await get(b, '/sync/review', a.adminToken)).status).toBe(403);
    expect((await post(b, `/appointments/${theirs.id}/sync/retry`, undefined, a.adminToken)).status).toBe(
      403,
    );
    const res = await h.http('POST', sync(b, `/appointments/${theirs.id}/sync/resolve`), {
      token: a.adminToken,
      body: { resolution: 'dismiss' },
    });
    expect(res.status).toBe(403);
    expect(await rowById(h, theirs.id)).toEqual(before);
    // And B's appointment is invisible on A's own path.
    expect((await post(a, `/appointments/${theirs.id}/sync/retry`)).status).toBe(404);
    expect((await get(a, '/sync/status')).status).toBe(200);
    expect((await h.http('GET', sync(a, '/sync/review'))).status).toBe(401);
  });
});
