/**
 * The phone agent's functions end to end: requests signed as Retell signs them go
 * to booking-api, calcom-sync books in the Cal.com sandbox, and the caller is only
 * told "booked" when Cal.com has the booking (SPEC §4.3, issue 5). The accounts
 * here send no webhooks, so what Cal.com holds reaches us only through calcom-sync.
 * (Moved from booking-api's test/retell.test.ts, which ran calcom-sync in-process;
 * what needs booking-api alone — signatures, arguments, DST gaps — stayed there.)
 */
import { randomUUID } from 'node:crypto';
import { retellSignature, waitFor } from '@calsync/testkit';
import { PATIENCE_MS, startE2eSystem, type E2eSystem, type E2eTenant } from './system';

/** booking-api's RETELL_CONFIRM_TIMEOUT_MS: how long a booking waits for Cal.com before "pending". */
const BOUND_MS = 4_000;
const CALLER = '+4915112345678';

let sys: E2eSystem;

beforeAll(async () => {
  sys = await startE2eSystem({
    serviceEnv: { 'booking-api': { RETELL_CONFIRM_TIMEOUT_MS: String(BOUND_MS) } },
  });
});
afterAll(() => sys?.close());

/** A tenant plus its Cal.com account, open every day 09:00–17:00 Berlin (Sundays all day). */
function tenant(): Promise<E2eTenant> {
  const day = [{ start: '09:00', end: '17:00' }];
  return sys.addTenant({
    webhook: false,
    account: {
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
    },
  });
}

interface CallOpts {
  callId?: string;
  headers?: Record<string, string>;
  argsOnly?: boolean;
}

function retell(t: E2eTenant, name: string, args: object, o: CallOpts = {}) {
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
  return sys.api('POST', `/v1/tenants/${t.id}/retell/functions/${name}`, {
    raw,
    headers: {
      'content-type': 'application/json',
      'x-retell-signature': retellSignature(raw, t.retellApiKey),
      ...o.headers,
    },
  });
}

const bookingsOf = (t: E2eTenant) => sys.sandbox.bookings({ apiKey: t.calcomApiKey });
const settledAs = (t: E2eTenant, id: string, ok: (a: any) => boolean, what: string) =>
  waitFor(
    async () => {
      const a = await sys.appointment(t, id);
      return ok(a) ? a : null;
    },
    { what, timeoutMs: PATIENCE_MS },
  );

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

    const appointments = await sys.appointments(t);
    expect(appointments).toHaveLength(1);
    expect(appointments[0]).toMatchObject({
      id: booked.body.appointmentId,
      origin: 'retell',
      status: 'booked',
      customer: { phone: CALLER },
      sync: { status: 'synced' },
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
    await sys.sandbox.customer.book(t.calcomApiKey, {
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

    const [withdrawn] = await sys.appointments(t);
    expect(withdrawn).toMatchObject({
      status: 'cancelled',
      origin: 'retell',
      sync: { requiresManualReview: false },
    });
    // The withdrawal syncs as "nothing to do in Cal.com" and leaves no review entry behind.
    await settledAs(t, withdrawn.id, (a) => a.sync.status === 'skipped', 'withdrawal settled');
    expect(bookingsOf(t).filter((b) => b.status === 'accepted')).toHaveLength(1);
    const review = await sys.api('GET', `/v1/tenants/${t.id}/sync/review`, { token: t.adminToken });
    expect(review.body.items).toHaveLength(0);
  });

  it('Cal.com slower than the bound: the caller hears "pending" in time, and the booking still syncs afterwards', async () => {
    const t = await tenant();
    sys.sandbox.injectFault({ route: 'create', mode: 'latency', latencyMs: BOUND_MS + 3_000, times: 1 });
    const res = await retell(t, 'book_appointment', { start: '2050-09-07T10:00', name: 'Jane Roe' });
    // In time: Cal.com is still holding the create (it books only after its latency) when the caller hears.
    expect(bookingsOf(t)).toHaveLength(0);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending', appointmentId: expect.any(String) });
    expect(res.body.result).toMatch(/has not confirmed it yet/);

    await settledAs(t, res.body.appointmentId, (a) => a.sync.status === 'synced', 'late sync');
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
    expect(await sys.appointments(t)).toHaveLength(1);
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
    expect((await sys.appointments(t)).map((a) => a.status)).toEqual(['cancelled', 'booked']);
    // And a retry of that last request is still a retry: the same answer, nothing new.
    const retry = await retell(t, 'book_appointment', args, { callId });
    expect(retry.body).toEqual(again.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await sys.appointments(t)).toHaveLength(2);
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
});

describe('times around the DST changes in Europe/Berlin', () => {
  it('a booking on the spring-forward Sunday lands at the right UTC instant in Cal.com', async () => {
    const t = await tenant();
    const res = await retell(t, 'book_appointment', {
      start: '2050-03-27T10:00',
      timeZone: 'Europe/Berlin',
      name: 'Jane',
    });
    expect(res.body).toMatchObject({ status: 'confirmed', start: '2050-03-27T08:00:00.000Z' });
    expect(bookingsOf(t)[0]!.start.toISOString()).toBe('2050-03-27T08:00:00.000Z');
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
    expect((await sys.appointments(t))[0]!.customer.phone).toBe('+4917000000001');

    const cancelled = await retell(
      t,
      'cancel_appointment',
      { date: '2050-09-12' },
      { argsOnly: true, headers },
    );
    expect(cancelled.body).toMatchObject({ status: 'cancelled', appointmentId: booked.body.appointmentId });
    expect(cancelled.body.result).toBe('Your appointment on Monday 12 September at 14:00 is cancelled.');
    await waitFor(
      async () => {
        const r = await sys.row(booked.body.appointmentId);
        return r.sync_status === 'synced' && r.last_synced_status === 'cancelled';
      },
      { what: 'cancel synced', timeoutMs: PATIENCE_MS },
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
    expect((await sys.appointments(t)).every((a) => a.status === 'booked')).toBe(true);
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

    await sys.sandbox.customer.book(t.calcomApiKey, {
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
    const restored = await settledAs(t, id, (a) => a.sync.status === 'synced', 'restored');
    expect(restored).toMatchObject({
      status: 'booked',
      start: '2050-09-14T13:00:00.000Z',
      sync: { requiresManualReview: false },
    });
  });

  it("a customer's own reschedule in Cal.com (its webhook missed) is no 'taken': the caller is told staff will check, and the customer's booking is never moved back", async () => {
    const t = await tenant();
    const booked = await retell(t, 'book_appointment', { start: '2050-09-15T09:00', name: 'Jane' });
    expect(booked.body).toMatchObject({ status: 'confirmed' });
    const id = booked.body.appointmentId as string;
    const [mine] = bookingsOf(t);
    // The customer moves it on the Cal.com page; this account has no webhook, so nobody hears of it.
    const theirs = await sys.sandbox.customer.reschedule(mine!.uid, '2050-09-15T09:00:00Z');

    const answer = await retell(t, 'reschedule_appointment', {
      appointmentId: id,
      start: '2050-09-15T15:00',
    });
    expect(answer.body).toMatchObject({ status: 'not_confirmed' });
    const flagged = await settledAs(t, id, (a) => a.sync.requiresManualReview, 'conflict flagged');
    expect(flagged.sync).toMatchObject({ status: 'failed' });
    const review = await sys.api('GET', `/v1/tenants/${t.id}/sync/review`, { token: t.adminToken });
    expect(review.body.items.map((i: any) => [i.appointment.id, i.reason])).toEqual([[id, 'conflict']]);
    const live = bookingsOf(t).filter((b) => b.status === 'accepted');
    expect(live.map((b) => [b.uid, b.start.toISOString()])).toEqual([
      [theirs.uid, '2050-09-15T09:00:00.000Z'],
    ]);
  });
});
