/**
 * The phone agent's functions end to end: signed requests against booking-api,
 * calcom-sync running in this process, and the Cal.com sandbox. The caller is
 * only told "booked" when Cal.com has the booking (SPEC §4.3, issue 5).
 */
import { randomUUID } from 'node:crypto';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import type { AppointmentRow } from '@calsync/db';
import { createLogger } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import type { CalcomSyncApp } from '../../calcom-sync/src/app';
import { startCalcomSync } from './calcom-helpers';
import { signRetell } from '../src/domain/retell/signature';
import { createTenant, OPERATOR_TOKEN, startBookingApi, type Harness, type TestTenant } from './harness';

const BOUND_MS = 3_000;
const CALLER = '+4915112345678';

let h: Harness;
let sandbox: CalcomSandbox;
let calcomSync: CalcomSyncApp;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ logger: createLogger({ service: 'sandbox', level: 'error' }) });
  h = await startBookingApi({
    env: {
      CALCOM_API_URL: sandbox.url,
      RETELL_CONFIRM_TIMEOUT_MS: String(BOUND_MS),
      CALCOM_TIMEOUT_MS: '2000',
    },
  });
  calcomSync = await startCalcomSync(h, sandbox.url, { CALCOM_TIMEOUT_MS: '8000' });
});
afterAll(async () => {
  await calcomSync.stop();
  await h.close();
  await sandbox.close();
});

/** A tenant in booking-api plus its Cal.com account (open every day 09:00–17:00 Berlin). */
async function tenant(): Promise<TestTenant> {
  const t = await createTenant(h);
  const day = [{ start: '09:00', end: '17:00' }];
  sandbox.addAccount({
    apiKey: t.calcomApiKey,
    eventTypes: [{ id: t.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
    timeZone: 'Europe/Berlin',
    availability: {
      mon: day,
      tue: day,
      wed: day,
      thu: day,
      fri: day,
      sat: day,
      sun: [{ start: '00:00', end: '23:30' }],
    },
  });
  return t;
}

interface CallOpts {
  callId?: string;
  /** Signature override: null = none; a function = sign yourself. */
  sign?: null | ((raw: string) => string);
  headers?: Record<string, string>;
  argsOnly?: boolean;
}

function retell(t: TestTenant, name: string, args: object, o: CallOpts = {}) {
  const body = o.argsOnly
    ? args
    : {
        name,
        args,
        call: {
          call_id: o.callId ?? `call_${randomUUID()}`,
          call_type: 'phone_call',
          direction: 'inbound',
          from_number: CALLER,
          to_number: '+493012345678',
        },
      };
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...o.headers };
  const signature = o.sign === undefined ? signRetell(raw, t.retellApiKey, Date.now()) : o.sign?.(raw);
  if (signature) headers['x-retell-signature'] = signature;
  return h.http('POST', `/v1/tenants/${t.id}/retell/functions/${name}`, { raw, headers });
}

const rowsOf = (t: TestTenant) =>
  h.testDb.db.query<AppointmentRow>('SELECT * FROM appointments WHERE tenant_id = ? ORDER BY created_at', [
    t.id,
  ]);
const bookingsOf = (t: TestTenant) => sandbox.bookings({ apiKey: t.calcomApiKey });
const rowSettled = (t: TestTenant, id: string, ok: (r: AppointmentRow) => boolean, what: string) =>
  waitFor(async () => (await rowsOf(t)).find((r) => r.id === id && ok(r)), { what, timeoutMs: 15_000 });

describe('a phone call books only what Cal.com confirms', () => {
  it('a full call (availability → book → confirmed) ends with one appointment and one Cal.com booking', async () => {
    const t = await tenant();
    const callId = `call_${randomUUID()}`;
    const avail = await retell(t, 'check_availability', { date: '2050-09-05' }, { callId });
    expect(avail.status).toBe(200);
    expect(avail.body).toMatchObject({ status: 'ok', timeZone: 'Europe/Berlin' });
    expect(avail.body.result).toMatch(
      /^On Monday 5 September I have 9:00, 9:30, 10:00 or 10:30, and \d+ more/,
    );
    expect(avail.body.slots[0]).toEqual({
      start: '2050-09-05T07:00:00.000Z',
      localStart: '2050-09-05T09:00',
    });

    const booked = await retell(
      t,
      'book_appointment',
      { start: '2050-09-05T09:00', name: 'Jane Roe' },
      { callId },
    );
    expect(booked.status).toBe(200);
    expect(booked.body).toMatchObject({
      status: 'confirmed',
      result: "You're booked for Monday 5 September at 9:00.",
      start: '2050-09-05T07:00:00.000Z',
    });

    const rows = await rowsOf(t);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: booked.body.appointmentId,
      origin: 'retell',
      status: 'booked',
      customer_phone: CALLER,
      sync_status: 'synced',
    });
    const bookings = bookingsOf(t);
    expect(bookings).toHaveLength(1);
    expect(bookings[0]!.start.toISOString()).toBe('2050-09-05T07:00:00.000Z');
    expect(bookings[0]!.metadata).toMatchObject({ appointmentId: booked.body.appointmentId });

    const again = await retell(t, 'check_availability', { date: '2050-09-05' }, { callId });
    expect(again.body.slots.map((s: { localStart: string }) => s.localStart)).not.toContain(
      '2050-09-05T09:00',
    );
  });

  it('a slot taken in Cal.com a moment before: the caller hears it is taken plus alternatives, and no appointment stays booked', async () => {
    const t = await tenant();
    await sandbox.customer.book(t.calcomApiKey, {
      start: '2050-09-06T07:00:00Z',
      eventTypeId: t.eventTypeId,
      attendee: { name: 'Someone Else', email: 'else@example.com', timeZone: 'Europe/Berlin' },
    });
    const res = await retell(t, 'book_appointment', { start: '2050-09-06T09:00', name: 'Jane Roe' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'taken' });
    expect(res.body.result).toBe(
      'Sorry, Tuesday 6 September at 9:00 is already taken. The nearest free times are Tuesday 6 September at 9:30, 10:00 or 10:30. Would one of those work?',
    );
    expect(res.body.alternatives.map((a: { start: string }) => a.start)).toEqual([
      '2050-09-06T07:30:00.000Z',
      '2050-09-06T08:00:00.000Z',
      '2050-09-06T08:30:00.000Z',
    ]);

    const [row] = await rowsOf(t);
    expect(row).toMatchObject({ status: 'cancelled', origin: 'retell', requires_manual_review: 0 });
    // The withdrawal syncs as "nothing to do in Cal.com" and leaves no review entry behind.
    await rowSettled(t, row!.id, (r) => r.sync_status === 'skipped', 'withdrawal settled');
    expect(bookingsOf(t).filter((b) => b.status === 'accepted')).toHaveLength(1);
    const review = await h.testDb.db.query(
      'SELECT id FROM appointments WHERE tenant_id = ? AND requires_manual_review = 1',
      [t.id],
    );
    expect(review).toHaveLength(0);
  });

  it('Cal.com slower than the bound: the caller hears "pending" in time, and the booking still syncs afterwards', async () => {
    const t = await tenant();
    sandbox.injectFault({ route: 'create', mode: 'latency', latencyMs: BOUND_MS + 1_500, times: 1 });
    const started = Date.now();
    const res = await retell(t, 'book_appointment', { start: '2050-09-07T10:00', name: 'Jane Roe' });
    const took = Date.now() - started;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending', appointmentId: expect.any(String) });
    expect(res.body.result).toMatch(/has not confirmed it yet/);
    expect(took).toBeLessThan(BOUND_MS + 500);

    await rowSettled(t, res.body.appointmentId, (r) => r.sync_status === 'synced', 'late sync');
    expect(bookingsOf(t)).toHaveLength(1);
    expect(bookingsOf(t)[0]!.start.toISOString()).toBe('2050-09-07T08:00:00.000Z');
  });

  it('the same request three times (two of them at once) makes one appointment and gets one answer', async () => {
    const t = await tenant();
    const callId = `call_${randomUUID()}`;
    const args = { start: '2050-09-08T11:00', name: 'Jane Roe', notes: 'retried by Retell' };
    const [first, second] = await Promise.all([
      retell(t, 'book_appointment', args, { callId }),
      retell(t, 'book_appointment', args, { callId }),
    ]);
    const third = await retell(t, 'book_appointment', args, { callId });
    expect(first.body.status).toBe('confirmed');
    expect(second.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(third.headers.get('idempotent-replayed')).toBe('true');
    expect(await rowsOf(t)).toHaveLength(1);
    expect(bookingsOf(t)).toHaveLength(1);
  });

  it('book, cancel, book the same slot in one call: the second book really books (a retry is not a repeat)', async () => {
    const t = await tenant();
    const callId = `call_${randomUUID()}`;
    const args = { start: '2050-09-09T10:00', name: 'Jane Roe' };
    const first = await retell(t, 'book_appointment', args, { callId });
    expect(first.body.status).toBe('confirmed');
    const cancelled = await retell(
      t,
      'cancel_appointment',
      { appointmentId: first.body.appointmentId },
      { callId },
    );
    expect(cancelled.body.status).toBe('cancelled');
    const again = await retell(t, 'book_appointment', args, { callId });
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body.status).toBe('confirmed');
    expect(again.body.appointmentId).not.toBe(first.body.appointmentId);
    const rows = await rowsOf(t);
    expect(rows.map((r) => r.status)).toEqual(['cancelled', 'booked']);
    // And a retry of that last request is still a retry: the same answer, nothing new.
    const retry = await retell(t, 'book_appointment', args, { callId });
    expect(retry.body).toEqual(again.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await rowsOf(t)).toHaveLength(2);
  });

  it('without a call id, identical requests of different callers never share an answer', async () => {
    const t = await tenant();
    const args = { start: '2050-09-09T12:00', name: 'Jane Roe' };
    const headers = (from: string) => ({ 'x-retell-from-number': from });
    const first = await retell(t, 'book_appointment', args, {
      argsOnly: true,
      headers: headers('+4917000000011'),
    });
    expect(first.body.status).toBe('confirmed');
    const other = await retell(t, 'book_appointment', args, {
      argsOnly: true,
      headers: headers('+4917000000012'),
    });
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    expect(other.body.status).not.toBe('confirmed'); // the slot is the first caller's now
  });

  it('refuses stale, forged, tampered and missing signatures with 401 and changes nothing', async () => {
    const t = await tenant();
    const args = { start: '2050-09-09T09:00', name: 'Mallory' };
    const stale = await retell(t, 'book_appointment', args, {
      sign: (raw) => signRetell(raw, t.retellApiKey, Date.now() - 6 * 60_000),
    });
    const forged = await retell(t, 'book_appointment', args, {
      sign: (raw) => signRetell(raw, 'key_guessed', Date.now()),
    });
    const tampered = await retell(t, 'book_appointment', args, {
      sign: (raw) => signRetell(raw.replace('Mallory', 'Alice'), t.retellApiKey, Date.now()),
    });
    const missing = await retell(t, 'book_appointment', args, { sign: null });
    for (const res of [stale, forged, tampered, missing]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: { code: 'unauthorized', message: 'Missing or invalid Retell signature' },
      });
    }
    // Another tenant's valid signature does not open this tenant's path.
    const other = await tenant();
    const cross = await retell(t, 'book_appointment', args, {
      sign: (raw) => signRetell(raw, other.retellApiKey, Date.now()),
    });
    expect(cross.status).toBe(401);
    expect(await rowsOf(t)).toHaveLength(0);
  });

  it('refuses a tenant without a Retell key, answers 404 to an unknown function and explains missing arguments', async () => {
    const t = await tenant();
    const put = await h.http('PUT', `/v1/tenants/${t.id}`, {
      token: OPERATOR_TOKEN,
      body: {
        name: 'No phone',
        timeZone: 'Europe/Berlin',
        adminToken: t.adminToken,
        calcom: {
          apiKey: t.calcomApiKey,
          eventTypes: [{ id: t.eventTypeId, title: 'Beratung', lengthInMinutes: 30 }],
        },
      },
    });
    expect(put.status).toBe(200);
    await waitFor(
      async () => (await retell(t, 'check_availability', { date: '2050-09-05' })).status === 401,
      {
        what: 'tenant cache to expire',
        timeoutMs: 10_000,
      },
    );

    const u = await tenant();
    expect((await retell(u, 'delete_everything', {})).status).toBe(404);
    const missing = await retell(u, 'book_appointment', { start: '2050-09-05T09:00' });
    expect(missing.status).toBe(200);
    expect(missing.body).toEqual({ result: "I still need the caller's name.", error: 'invalid_arguments' });
    const nonsense = await retell(u, 'book_appointment', { start: 'next Tuesday', name: 'Jane' });
    expect(nonsense.body).toEqual({ result: 'I need a valid date and time.', error: 'invalid_arguments' });
  });
});

describe('times around the DST changes in Europe/Berlin', () => {
  it('a booking on the spring-forward Sunday lands at the right UTC instant in Cal.com; 02:30 that night does not exist', async () => {
    const t = await tenant();
    const res = await retell(t, 'book_appointment', {
      start: '2050-03-27T10:00',
      timeZone: 'Europe/Berlin',
      name: 'Jane',
    });
    expect(res.body).toMatchObject({ status: 'confirmed', start: '2050-03-27T08:00:00.000Z' });
    expect(bookingsOf(t)[0]!.start.toISOString()).toBe('2050-03-27T08:00:00.000Z');

    const gap = await retell(t, 'book_appointment', { start: '2050-03-27T02:30', name: 'Jane' });
    expect(gap.body).toEqual({
      result:
        '2050-03-27T02:30 does not exist in Europe/Berlin: the clocks go forward that night. Please choose another time.',
      error: 'invalid_arguments',
    });

    const night = await retell(t, 'check_availability', { from: '2050-03-27T01:00', to: '2050-03-27T04:00' });
    expect(night.body.slots.map((s: { localStart: string }) => s.localStart)).toEqual([
      '2050-03-27T01:00',
      '2050-03-27T01:30',
      '2050-03-27T03:00',
      '2050-03-27T03:30',
    ]);
  });

  it('02:30 on the fall-back Sunday is the first (summer-time) 02:30, and the caller is told so', async () => {
    const t = await tenant();
    const res = await retell(t, 'book_appointment', { start: '2050-10-30T02:30', name: 'Jane' });
    expect(res.body).toMatchObject({ status: 'confirmed', start: '2050-10-30T00:30:00.000Z' });
    expect(res.body.result).toMatch(/occurs twice that night/);
    expect(bookingsOf(t)[0]!.start.toISOString()).toBe('2050-10-30T00:30:00.000Z');
  });
});

describe('args-only mode, cancel and reschedule', () => {
  it('reads the call id and caller number from headers, and cancels the caller’s appointment by date', async () => {
    const t = await tenant();
    const headers = { 'x-retell-call-id': `call_${randomUUID()}`, 'x-retell-from-number': '+4917000000001' };
    const booked = await retell(
      t,
      'book_appointment',
      { start: '2050-09-12T14:00', name: 'Max' },
      { argsOnly: true, headers },
    );
    expect(booked.body.status).toBe('confirmed');
    expect((await rowsOf(t))[0]!.customer_phone).toBe('+4917000000001');

    const cancelled = await retell(
      t,
      'cancel_appointment',
      { date: '2050-09-12' },
      { argsOnly: true, headers },
    );
    expect(cancelled.body).toMatchObject({ status: 'cancelled', appointmentId: booked.body.appointmentId });
    expect(cancelled.body.result).toBe('Your appointment on Monday 12 September at 14:00 is cancelled.');
    await rowSettled(
      t,
      booked.body.appointmentId,
      (r) => r.sync_status === 'synced' && r.last_synced_status === 'cancelled',
      'cancel synced',
    );
    expect(bookingsOf(t)[0]!.status).toBe('cancelled');
  });

  it('asks which one when the caller has two appointments that day', async () => {
    const t = await tenant();
    await retell(t, 'book_appointment', { start: '2050-09-13T09:00', name: 'Jane' });
    await retell(t, 'book_appointment', { start: '2050-09-13T11:00', name: 'Jane' });
    const res = await retell(t, 'cancel_appointment', { date: '2050-09-13' });
    expect(res.body).toMatchObject({ status: 'ambiguous' });
    expect(res.body.result).toBe(
      'You have 2 appointments on Tuesday 13 September, at 9:00 or 11:00. Which one do you mean?',
    );
    expect((await rowsOf(t)).every((r) => r.status === 'booked')).toBe(true);
  });

  it('reschedules with the same confirmation rule: confirmed when Cal.com moved it; taken keeps the old time', async () => {
    const t = await tenant();
    const booked = await retell(t, 'book_appointment', { start: '2050-09-14T09:00', name: 'Jane' });
    const id = booked.body.appointmentId as string;
    const moved = await retell(t, 'reschedule_appointment', { appointmentId: id, start: '2050-09-14T15:00' });
    expect(moved.body).toMatchObject({ status: 'confirmed', start: '2050-09-14T13:00:00.000Z' });
    expect(
      bookingsOf(t)
        .find((b) => b.status === 'accepted')!
        .start.toISOString(),
    ).toBe('2050-09-14T13:00:00.000Z');

    await sandbox.customer.book(t.calcomApiKey, {
      start: '2050-09-14T14:00:00Z',
      eventTypeId: t.eventTypeId,
      attendee: { name: 'Someone Else', email: 'else@example.com', timeZone: 'Europe/Berlin' },
    });
    const refused = await retell(t, 'reschedule_appointment', {
      appointmentId: id,
      start: '2050-09-14T16:00',
    });
    expect(refused.body).toMatchObject({ status: 'taken' });
    expect(refused.body.result).toMatch(
      /^Sorry, Wednesday 14 September at 16:00 is already taken\. Your appointment stays on Wednesday 14 September at 15:00\./,
    );
    const row = await rowSettled(t, id, (r) => r.sync_status === 'synced', 'restored');
    expect(row).toMatchObject({ status: 'booked', requires_manual_review: 0 });
    expect(row.start_at.toISOString()).toBe('2050-09-14T13:00:00.000Z');
  });

  it("a customer's own reschedule in Cal.com (its webhook missed) is no 'taken': the caller is told staff will check, and the customer's booking is never moved back", async () => {
    const t = await tenant();
    const booked = await retell(t, 'book_appointment', { start: '2050-09-15T09:00', name: 'Jane' });
    expect(booked.body).toMatchObject({ status: 'confirmed' });
    const id = booked.body.appointmentId as string;
    const [mine] = bookingsOf(t);
    // The customer moves it on the Cal.com page; this account has no webhook, so nobody hears of it.
    const theirs = await sandbox.customer.reschedule(mine!.uid, '2050-09-15T09:00:00Z');

    const answer = await retell(t, 'reschedule_appointment', {
      appointmentId: id,
      start: '2050-09-15T15:00',
    });
    expect(answer.body).toMatchObject({ status: 'not_confirmed' });
    const row = await rowSettled(t, id, (r) => r.requires_manual_review === 1, 'conflict flagged');
    expect(row).toMatchObject({ manual_review_reason: 'conflict', sync_status: 'failed' });
    const live = bookingsOf(t).filter((b) => b.status === 'accepted');
    expect(live.map((b) => [b.uid, b.start.toISOString()])).toEqual([
      [theirs.uid, '2050-09-15T09:00:00.000Z'],
    ]);
  });
});
