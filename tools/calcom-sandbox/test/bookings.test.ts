import { hmacSha256Hex } from '@calsync/platform';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import {
  api,
  attendee,
  KEY,
  MONDAY_0900_BERLIN,
  OTHER_KEY,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers';

const SECRET = 'whsec_test';
let sb: CalcomSandbox;
let hook: WebhookReceiver;

beforeAll(async () => {
  hook = await startWebhookReceiver();
  sb = await createCalcomSandbox({ port: 0 });
});
afterAll(async () => {
  await sb.close();
  await hook.close();
});
beforeEach(() => {
  sb.reset({ accounts: true });
  hook.received.length = 0;
  hook.behave({ status: 200, delayMs: 0 });
  sb.addAccount({
    apiKey: KEY,
    eventTypes: [
      { id: 101, title: 'Beratung', lengthInMinutes: 30 },
      { id: 102, title: 'Anfrage', lengthInMinutes: 60, requiresConfirmation: true },
    ],
    webhook: { url: hook.url, secret: SECRET },
    timeZone: 'Europe/Berlin',
    name: 'Praxis Muster',
  });
  sb.addAccount({ apiKey: OTHER_KEY, eventTypes: [{ id: 201, lengthInMinutes: 30 }] });
});

const create = (extra: Record<string, unknown> = {}) =>
  api(sb.url).post('/v2/bookings', { start: MONDAY_0900_BERLIN, eventTypeId: 101, attendee, ...extra });

describe('POST /v2/bookings', () => {
  it('answers 201 with the booking and has delivered a signed BOOKING_CREATED webhook before answering', async () => {
    hook.behave({ delayMs: 150 });
    const started = Date.now();
    const res = await create({ metadata: { appointmentId: 'a-1' } });
    expect(res.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const b = res.body.data;
    expect(res.body.status).toBe('success');
    expect(b).toMatchObject({
      status: 'accepted',
      start: '2050-09-05T07:00:00.000Z',
      end: '2050-09-05T07:30:00.000Z',
      duration: 30,
      eventTypeId: 101,
      metadata: { appointmentId: 'a-1' },
      attendees: [expect.objectContaining({ name: 'Jane Roe', email: 'jane@example.com' })],
    });
    expect(typeof b.id).toBe('number');
    expect(b.uid).toMatch(/^[A-Za-z0-9_-]{22}$/);

    expect(hook.received).toHaveLength(1);
    const w = hook.received[0]!;
    expect(w.headers['content-type']).toBe('application/json');
    expect(w.headers['x-cal-signature-256']).toBe(hmacSha256Hex(SECRET, w.raw));
    expect(w.headers['x-cal-webhook-version']).toBe('2021-10-20');
    expect(w.body.triggerEvent).toBe('BOOKING_CREATED');
    expect(w.body.payload).toMatchObject({
      uid: b.uid,
      bookingId: b.id,
      eventTypeId: 101,
      startTime: '2050-09-05T07:00:00Z',
      endTime: '2050-09-05T07:30:00Z',
      status: 'ACCEPTED',
      metadata: { appointmentId: 'a-1' },
      length: 30,
      organizer: expect.objectContaining({ name: 'Praxis Muster', timeZone: 'Europe/Berlin' }),
    });
  });

  it('sends BOOKING_REQUESTED and answers pending for an event type that needs confirmation', async () => {
    const res = await create({ eventTypeId: 102 });
    expect(res.status).toBe(201);
    expect(res.body.data.status).toBe('pending');
    expect(hook.received[0]?.body.triggerEvent).toBe('BOOKING_REQUESTED');
    expect(hook.received[0]?.body.payload.status).toBe('PENDING');
  });

  it('signs with the literal no-secret-provided when the webhook has no secret', async () => {
    sb.setWebhook(KEY, { url: hook.url, secret: null });
    await create();
    expect(hook.received[0]?.headers['x-cal-signature-256']).toBe('no-secret-provided');
  });

  it('still answers 201 when the webhook delivery fails, records the failure and does not retry', async () => {
    hook.behave({ status: 500 });
    const res = await create();
    expect(res.status).toBe(201);
    const deliveries = sb.calls({ kind: 'webhook' });
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 500, triggerEvent: 'BOOKING_CREATED' });
  });

  it('answers 400 slot taken in the {statusCode, message} shape when the host is busy (any event type)', async () => {
    expect((await create()).status).toBe(201);
    const again = await create({ eventTypeId: 102, start: '2050-09-05T07:15:00Z' });
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      statusCode: 400,
      message: 'User either already has booking at this time or is not available',
      error: 'Bad Request',
    });
    expect(sb.bookings()).toHaveLength(1);
  });

  it('answers slot taken outside working hours and 400 for the past', async () => {
    const night = await create({ start: '2050-09-05T02:00:00Z' });
    expect(night.status).toBe(400);
    expect(night.body.statusCode).toBe(400);
    const past = await create({ start: '2020-01-06T08:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.status).toBe('error');
  });

  it('rejects unknown body properties with 400 in the error envelope', async () => {
    const res = await create({ end: '2050-09-05T07:30:00Z' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      status: 'error',
      path: '/v2/bookings',
      error: { code: 'BadRequestException' },
    });
    expect(res.body.error.message).toContain('property end should not exist');
    expect(typeof res.body.timestamp).toBe('string');
  });

  it.each([
    ['51 keys', Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))],
    ['a 41-character key', { ['k'.repeat(41)]: 'v' }],
    ['a 501-character value', { note: 'x'.repeat(501) }],
    ['an object value', { nested: { a: 1 } }],
  ])('rejects metadata with %s', async (_what, metadata) => {
    const res = await create({ metadata });
    expect(res.status).toBe(400);
    expect(sb.bookings()).toHaveLength(0);
  });

  it('accepts metadata at the limits', async () => {
    const metadata = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [`${'k'.repeat(38)}${i}`.slice(-40), 'x'.repeat(500)]),
    );
    expect((await create({ metadata })).status).toBe(201);
  });

  it('requires an attendee email or phone number; a phone-only attendee gets a placeholder email', async () => {
    const none = await create({ attendee: { name: 'A', timeZone: 'Europe/Berlin' } });
    expect(none.status).toBe(400);
    const phone = await create({
      attendee: { name: 'A', timeZone: 'Europe/Berlin', phoneNumber: '+4915112345678' },
    });
    expect(phone.status).toBe(201);
    expect(phone.body.data.attendees[0]).toMatchObject({
      phoneNumber: '+4915112345678',
      email: '4915112345678@sms.cal.com',
    });
  });

  it("answers 404 for another account's event type", async () => {
    const res = await create({ eventTypeId: 201 });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NotFoundException');
  });

  it('answers 401 in the envelope for a missing or unknown key', async () => {
    expect((await api(sb.url, 'cal_wrong').post('/v2/bookings', {})).status).toBe(401);
    const none = await api(sb.url, null).get('/v2/bookings');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('UnauthorizedException');
  });

  it('refuses bookings calls without cal-api-version 2024-08-13 (documented choice)', async () => {
    const res = await api(sb.url, KEY, '').get('/v2/bookings');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('2024-08-13');
  });
});

describe('GET /v2/bookings/{uid}', () => {
  it('answers 200 for an own booking and 404 otherwise', async () => {
    const uid = (await create()).body.data.uid as string;
    const got = await api(sb.url).get(`/v2/bookings/${uid}`);
    expect(got.status).toBe(200);
    expect(got.body.data.uid).toBe(uid);
    expect((await api(sb.url, OTHER_KEY).get(`/v2/bookings/${uid}`)).status).toBe(404);
    expect((await api(sb.url).get('/v2/bookings/nope')).status).toBe(404);
  });
});

describe('POST /v2/bookings/{uid}/cancel', () => {
  it('needs a reason from the host, cancels once, sends BOOKING_CANCELLED without metadata, then 400 twice', async () => {
    const uid = (await create({ metadata: { appointmentId: 'a-2' } })).body.data.uid as string;
    hook.received.length = 0;
    const noReason = await api(sb.url).post(`/v2/bookings/${uid}/cancel`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toBe('Cancellation reason is required when you are the host');

    const ok = await api(sb.url).post(`/v2/bookings/${uid}/cancel`, {
      cancellationReason: 'Customer called',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ uid, status: 'cancelled', cancellationReason: 'Customer called' });
    expect(hook.received).toHaveLength(1);
    const w = hook.received[0]!.body;
    expect(w.triggerEvent).toBe('BOOKING_CANCELLED');
    expect(w.payload).toMatchObject({ uid, status: 'CANCELLED', cancellationReason: 'Customer called' });
    expect(w.payload).not.toHaveProperty('metadata');

    const twice = await api(sb.url).post(`/v2/bookings/${uid}/cancel`, { cancellationReason: 'again' });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toMatch(/already cancelled/);
  });

  it('frees the slot', async () => {
    const uid = (await create()).body.data.uid as string;
    await api(sb.url).post(`/v2/bookings/${uid}/cancel`, { cancellationReason: 'x' });
    expect((await create()).status).toBe(201);
  });
});

describe('POST /v2/bookings/{uid}/reschedule', () => {
  it('creates a new booking, cancels the old with rescheduledToUid, carries metadata, sends one BOOKING_RESCHEDULED', async () => {
    const old = (await create({ metadata: { appointmentId: 'a-3' } })).body.data;
    hook.received.length = 0;
    const res = await api(sb.url).post(`/v2/bookings/${old.uid}/reschedule`, {
      start: '2050-09-05T09:00:00Z',
      reschedulingReason: 'Later please',
    });
    expect(res.status).toBe(201);
    const fresh = res.body.data;
    expect(fresh.uid).not.toBe(old.uid);
    expect(fresh).toMatchObject({
      rescheduledFromUid: old.uid,
      status: 'accepted',
      start: '2050-09-05T09:00:00.000Z',
      end: '2050-09-05T09:30:00.000Z',
      metadata: { appointmentId: 'a-3' },
    });
    const oldNow = (await api(sb.url).get(`/v2/bookings/${old.uid}`)).body.data;
    expect(oldNow).toMatchObject({ status: 'cancelled', rescheduledToUid: fresh.uid });

    expect(hook.received.map((w) => w.body.triggerEvent)).toEqual(['BOOKING_RESCHEDULED']);
    expect(hook.received[0]!.body.payload).toMatchObject({
      uid: fresh.uid,
      rescheduleUid: old.uid,
      rescheduleId: old.id,
      rescheduleStartTime: '2050-09-05T07:00:00Z',
      rescheduleEndTime: '2050-09-05T07:30:00Z',
      metadata: { appointmentId: 'a-3' },
    });
  });

  it('may move a booking onto an overlapping part of its own slot', async () => {
    const old = (await create()).body.data;
    const res = await api(sb.url).post(`/v2/bookings/${old.uid}/reschedule`, {
      start: '2050-09-05T07:15:00Z',
    });
    expect(res.status).toBe(201);
  });

  it('answers 400 for a cancelled or already rescheduled booking, a busy target and unknown properties', async () => {
    const a = (await create()).body.data;
    const moved = await api(sb.url).post(`/v2/bookings/${a.uid}/reschedule`, {
      start: '2050-09-05T08:00:00Z',
    });
    const again = await api(sb.url).post(`/v2/bookings/${a.uid}/reschedule`, {
      start: '2050-09-05T10:00:00Z',
    });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/already rescheduled/);

    const b = (await create()).body.data;
    await api(sb.url).post(`/v2/bookings/${b.uid}/cancel`, { cancellationReason: 'x' });
    const ofCancelled = await api(sb.url).post(`/v2/bookings/${b.uid}/reschedule`, {
      start: '2050-09-05T11:00:00Z',
    });
    expect(ofCancelled.status).toBe(400);
    expect(ofCancelled.body.error.message).toMatch(/cancelled/);

    const c = (await create()).body.data;
    const busy = await api(sb.url).post(`/v2/bookings/${c.uid}/reschedule`, { start: moved.body.data.start });
    expect(busy.status).toBe(400);
    expect(busy.body).toMatchObject({
      statusCode: 400,
      message: expect.stringContaining('already has booking'),
    });

    const unknown = await api(sb.url).post(`/v2/bookings/${c.uid}/reschedule`, {
      start: '2050-09-05T12:00:00Z',
      end: 'x',
    });
    expect(unknown.status).toBe(400);
  });
});

describe('customer-side actions', () => {
  it('book, reschedule and cancel as on the Cal.com page, each with its webhook', async () => {
    const booked = await sb.customer.book(KEY, { start: MONDAY_0900_BERLIN, eventTypeId: 101, attendee });
    expect(booked.source).toBe('customer');
    const moved = await sb.customer.reschedule(booked.uid, '2050-09-05T10:00:00Z');
    const cancelled = await sb.customer.cancel(moved.uid); // customers need no reason
    expect(cancelled.status).toBe('cancelled');
    expect(hook.received.map((w) => w.body.triggerEvent)).toEqual([
      'BOOKING_CREATED',
      'BOOKING_RESCHEDULED',
      'BOOKING_CANCELLED',
    ]);
    expect(hook.received[0]!.body.payload.metadata).toEqual({});
    expect(hook.received[2]!.body.payload.cancelledBy).toBe('jane@example.com');
  });

  it('are available over the control API, and PING is signed like any delivery', async () => {
    const res = await fetch(`${sb.url}/_sandbox/customer/book`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiKey: KEY, start: MONDAY_0900_BERLIN, eventTypeId: 101, attendee }),
    });
    expect(res.status).toBe(201);
    const ping = await fetch(`${sb.url}/_sandbox/ping`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiKey: KEY }),
    });
    expect(ping.status).toBe(200);
    const w = hook.received[1]!;
    expect(w.body.triggerEvent).toBe('PING');
    expect(w.headers['x-cal-signature-256']).toBe(hmacSha256Hex(SECRET, w.raw));
  });

  it('host confirm of a pending booking sends BOOKING_CREATED', async () => {
    const b = (await create({ eventTypeId: 102 })).body.data;
    const confirmed = await sb.host.confirm(b.uid as string);
    expect(confirmed.status).toBe('accepted');
    expect(hook.received.map((w) => w.body.triggerEvent)).toEqual(['BOOKING_REQUESTED', 'BOOKING_CREATED']);
  });
});
