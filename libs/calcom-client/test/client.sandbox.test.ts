/** Every client method against the running Cal.com sandbox. */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import {
  createCalcomClient,
  CalcomApiError,
  CalcomTransportError,
  type CalcomClient,
  type RateLimitInfo,
} from '@calsync/calcom-client';

const KEY = 'cal_test_client_0123456789';
const attendee = { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' };
const MON_0900 = '2050-09-05T07:00:00Z'; // 09:00 Berlin

let sb: CalcomSandbox;
let client: CalcomClient;
const seen: RateLimitInfo[] = [];

beforeAll(async () => {
  sb = await createCalcomSandbox({ port: 0, rateLimit: { limit: 1000, windowMs: 60_000, blockMs: 60_000 } });
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.reset({ accounts: true });
  sb.addAccount({ apiKey: KEY, eventTypes: [{ id: 101, lengthInMinutes: 30 }], timeZone: 'Europe/Berlin' });
  seen.length = 0;
  client = createCalcomClient({
    baseUrl: sb.url,
    apiKey: KEY,
    timeoutMs: 2_000,
    onRateLimit: (i) => seen.push(i),
  });
});

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('calcom-client against the sandbox', () => {
  it('creates, gets, lists, reschedules and cancels', async () => {
    const created = await client.createBooking({
      start: MON_0900,
      eventTypeId: 101,
      attendee,
      metadata: { appointmentId: 'a-1' },
    });
    expect(created).toMatchObject({
      status: 'accepted',
      start: '2050-09-05T07:00:00.000Z',
      eventTypeId: 101,
      metadata: { appointmentId: 'a-1' },
    });

    expect((await client.getBooking(created.uid))?.uid).toBe(created.uid);
    expect(await client.getBooking('does-not-exist')).toBeNull();

    const page = await client.listBookings({ eventTypeId: 101, take: 10 });
    expect(page.bookings.map((b) => b.uid)).toEqual([created.uid]);
    expect(page.pagination.totalItems).toBe(1);

    const moved = await client.rescheduleBooking(created.uid, {
      start: '2050-09-05T09:00:00Z',
      reason: 'later',
    });
    expect(moved.uid).not.toBe(created.uid);
    expect(moved).toMatchObject({ rescheduledFromUid: created.uid, metadata: { appointmentId: 'a-1' } });
    expect(await client.getBooking(created.uid)).toMatchObject({
      status: 'cancelled',
      rescheduledToUid: moved.uid,
    });

    const cancelled = await client.cancelBooking(moved.uid);
    expect(cancelled).toMatchObject({ status: 'cancelled', cancellationReason: 'Cancelled' });
  });

  it('finds a booking by metadata (the exactly-once lookup after an unknown outcome)', async () => {
    for (let i = 0; i < 16; i++) {
      const start = new Date(Date.parse(MON_0900) + i * 30 * 60_000);
      await client.createBooking({
        start,
        eventTypeId: 101,
        attendee,
        metadata: { appointmentId: `a-${i}` },
      });
    }
    sb.injectFault({ route: 'create', mode: 'drop-after-commit', times: 1 });
    const err = await errorOf(
      client.createBooking({
        start: '2050-09-06T07:00:00Z',
        eventTypeId: 101,
        attendee,
        metadata: { appointmentId: 'lost' },
      }),
    );
    expect(err).toBeInstanceOf(CalcomTransportError);
    expect(err).toMatchObject({ kind: 'network', outcomeUnknown: true, retryable: true });

    const found = await client.findBookingsByMetadata(
      101,
      { afterStart: '2050-09-05T00:00:00Z', beforeEnd: '2050-09-07T00:00:00Z' },
      'appointmentId',
      'lost',
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.start).toBe('2050-09-06T07:00:00.000Z');
    expect(await client.listAllBookings({ eventTypeId: 101 })).toHaveLength(17);
  });

  it('classifies slot taken, already cancelled, already rescheduled, validation and unauthorized', async () => {
    const b = await client.createBooking({ start: MON_0900, eventTypeId: 101, attendee });
    expect(
      await errorOf(client.createBooking({ start: MON_0900, eventTypeId: 101, attendee })),
    ).toMatchObject({
      name: 'CalcomApiError',
      status: 400,
      kind: 'slot_taken',
      retryable: false,
    });
    const moved = await client.rescheduleBooking(b.uid, { start: '2050-09-05T08:00:00Z' });
    expect(await errorOf(client.rescheduleBooking(b.uid, { start: '2050-09-05T10:00:00Z' }))).toMatchObject({
      kind: 'already_rescheduled',
    });
    await client.cancelBooking(moved.uid, 'done');
    expect(await errorOf(client.cancelBooking(moved.uid, 'again'))).toMatchObject({
      kind: 'already_cancelled',
    });
    expect(
      await errorOf(client.rescheduleBooking(moved.uid, { start: '2050-09-05T11:00:00Z' })),
    ).toMatchObject({ kind: 'already_rescheduled' });
    expect(
      await errorOf(
        client.createBooking({ start: MON_0900, eventTypeId: 101, attendee: { name: 'x', timeZone: 'UTC' } }),
      ),
    ).toMatchObject({
      kind: 'validation',
    });
    const bad = createCalcomClient({ baseUrl: sb.url, apiKey: 'cal_wrong_key_1234567' });
    const unauthorized = await errorOf(bad.listBookings());
    expect(unauthorized).toMatchObject({ status: 401, kind: 'unauthorized', code: 'UnauthorizedException' });
    expect((unauthorized as Error).message).not.toContain('cal_wrong_key_1234567');
  });

  it('reports rate-limit headers and classifies 429 and 5xx as retryable', async () => {
    await client.listBookings();
    expect(seen.at(-1)).toEqual({ limit: 1000, remaining: 999, resetSeconds: 60 });
    sb.injectFault({ route: 'list', mode: '429', times: 1 });
    const limited = await errorOf(client.listBookings());
    expect(limited).toBeInstanceOf(CalcomApiError);
    expect(limited).toMatchObject({
      kind: 'rate_limited',
      retryable: true,
      rateLimit: { remaining: 0, resetSeconds: 60 },
    });
    sb.injectFault({ route: 'get', mode: 'status', status: 503, times: 1 });
    expect(await errorOf(client.getBooking('x'))).toMatchObject({
      kind: 'server',
      status: 503,
      retryable: true,
    });
  });

  it('gives up after timeoutMs with a timeout whose outcome is unknown', async () => {
    const quick = createCalcomClient({ baseUrl: sb.url, apiKey: KEY, timeoutMs: 150 });
    sb.injectFault({ route: 'create', mode: 'timeout', times: 1 });
    const err = await errorOf(quick.createBooking({ start: MON_0900, eventTypeId: 101, attendee }));
    expect(err).toBeInstanceOf(CalcomTransportError);
    expect(err).toMatchObject({ kind: 'timeout', outcomeUnknown: true });
  });

  it('reports a refused connection as a network error that never reached Cal.com', async () => {
    const dead = await createCalcomSandbox({ port: 0 });
    const url = dead.url;
    await dead.close();
    const err = await errorOf(
      createCalcomClient({ baseUrl: url, apiKey: KEY }).createBooking({
        start: MON_0900,
        eventTypeId: 101,
        attendee,
      }),
    );
    expect(err).toMatchObject({ name: 'CalcomTransportError', kind: 'network', outcomeUnknown: false });
  });

  it('reads slots in the requested zone', async () => {
    await client.createBooking({ start: MON_0900, eventTypeId: 101, attendee });
    const slots = await client.getSlots({
      eventTypeId: 101,
      start: '2050-09-05',
      end: '2050-09-05',
      timeZone: 'Europe/Berlin',
    });
    expect(slots['2050-09-05']?.[0]?.start).toBe('2050-09-05T09:30:00.000+02:00');
  });
});
