import { createCalcomClient, CalcomApiError, CalcomTransportError, type RateLimitInfo } from './index';

const KEY = 'cal_live_supersecretkey123456';
const booking = {
  id: 7,
  uid: 'u1',
  status: 'accepted',
  start: '2050-09-05T07:00:00.000Z',
  end: '2050-09-05T07:30:00.000Z',
  eventTypeId: 101,
  metadata: { appointmentId: 'a' },
  attendees: [{ name: 'Jane', email: 'jane@example.com', timeZone: 'UTC' }],
  somethingNew: { ignored: true },
};
const INPUT = {
  start: '2050-09-05T07:00:00Z',
  eventTypeId: 101,
  attendee: { name: 'Jane', email: 'jane@example.com', timeZone: 'UTC' },
};
const RL = {
  'X-RateLimit-Limit-Default': '120',
  'X-RateLimit-Remaining-Default': '7',
  'X-RateLimit-Reset-Default': '42',
};

interface Seen {
  url: URL;
  init: RequestInit;
}
function fakeFetch(status: number, body: unknown, headers: Record<string, string> = RL) {
  const seen: Seen[] = [];
  const impl = ((url: URL | string, init?: RequestInit) => {
    seen.push({ url: new URL(String(url)), init: init ?? {} });
    return Promise.resolve(
      new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers }),
    );
  }) as typeof fetch;
  return { impl, seen };
}
const header = (s: Seen, name: string) => (s.init.headers as Record<string, string>)[name];

const clientWith = (f: { impl: typeof fetch }, onRateLimit?: (i: RateLimitInfo) => void) =>
  createCalcomClient({ baseUrl: 'https://api.cal.example/', apiKey: KEY, fetchImpl: f.impl, onRateLimit });

async function errorOf(p: Promise<unknown>): Promise<CalcomApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CalcomApiError);
  return err as CalcomApiError;
}

describe('requests', () => {
  it('sends the bearer key, cal-api-version 2024-08-13 on bookings and a UTC start', async () => {
    const f = fakeFetch(201, { status: 'success', data: booking });
    const b = await clientWith(f).createBooking({
      start: '2050-09-05T09:00:00+02:00',
      eventTypeId: 101,
      attendee: { name: 'Jane', email: 'jane@example.com', timeZone: 'Europe/Berlin' },
      metadata: { appointmentId: 'a' },
    });
    expect(b).toMatchObject({ uid: 'u1', status: 'accepted', metadata: { appointmentId: 'a' } });
    const s = f.seen[0]!;
    expect(s.url.href).toBe('https://api.cal.example/v2/bookings');
    expect(header(s, 'Authorization')).toBe(`Bearer ${KEY}`);
    expect(header(s, 'cal-api-version')).toBe('2024-08-13');
    expect(JSON.parse(s.init.body as string) as unknown).toMatchObject({ start: '2050-09-05T07:00:00.000Z' });
    expect(s.init.signal).toBeInstanceOf(AbortSignal);
  });

  it('uses 2024-09-04 for slots', async () => {
    const f = fakeFetch(200, {
      status: 'success',
      data: { '2050-09-05': [{ start: '2050-09-05T09:00:00.000+02:00' }] },
    });
    const slots = await clientWith(f).getSlots({
      eventTypeId: 1,
      start: '2050-09-05',
      end: '2050-09-06',
      timeZone: 'Europe/Berlin',
    });
    expect(slots['2050-09-05']).toHaveLength(1);
    expect(header(f.seen[0]!, 'cal-api-version')).toBe('2024-09-04');
    expect(f.seen[0]!.url.searchParams.get('timeZone')).toBe('Europe/Berlin');
  });

  it('always sends a cancellation reason', async () => {
    const f = fakeFetch(200, { status: 'success', data: { ...booking, status: 'cancelled' } });
    await clientWith(f).cancelBooking('u1');
    await clientWith(f).cancelBooking('u1', '  ');
    expect(f.seen.map((s) => JSON.parse(s.init.body as string) as unknown)).toEqual([
      { cancellationReason: 'Cancelled' },
      { cancellationReason: 'Cancelled' },
    ]);
  });

  it('reports the X-RateLimit-*-Default headers of every answer, errors included', async () => {
    const seen: RateLimitInfo[] = [];
    const f = fakeFetch(404, { status: 'error', error: { code: 'NotFoundException', message: 'no' } });
    const c = clientWith(f, (i) => seen.push(i));
    expect(await c.getBooking('x')).toBeNull();
    expect(seen).toEqual([{ limit: 120, remaining: 7, resetSeconds: 42 }]);
    expect(c.lastRateLimit()).toEqual({ limit: 120, remaining: 7, resetSeconds: 42 });
  });
});

describe('error classification', () => {
  const envelope = (message: string, code = 'BadRequestException') => ({
    status: 'error',
    timestamp: 'now',
    path: '/v2/bookings',
    error: { code, message, details: {} },
  });
  it.each([
    [
      400,
      {
        statusCode: 400,
        message: 'User either already has booking at this time or is not available',
        error: 'Bad Request',
      },
      'slot_taken',
      false,
    ],
    [400, envelope('Booking with uid=x is already cancelled.'), 'already_cancelled', false],
    [400, envelope('This booking has already been cancelled'), 'already_cancelled', false],
    [
      400,
      envelope("Can't reschedule booking with uid=x because it has been cancelled."),
      'already_rescheduled',
      false,
    ],
    [
      400,
      envelope('Cannot reschedule: it was already rescheduled to booking with uid=y'),
      'already_rescheduled',
      false,
    ],
    [400, envelope('property end should not exist'), 'validation', false],
    [422, envelope('bad'), 'validation', false],
    [401, envelope('Invalid Access Token.', 'UnauthorizedException'), 'unauthorized', false],
    [403, envelope('nope', 'ForbiddenException'), 'unauthorized', false],
    [404, envelope('Booking not found', 'NotFoundException'), 'not_found', false],
    [
      409,
      { statusCode: 409, message: 'Booking for this time slot is already being created' },
      'conflict',
      false,
    ],
    [
      429,
      {
        status: 'error',
        error: { code: 'ThrottlerException', message: 'ThrottlerException: Too Many Requests' },
      },
      'rate_limited',
      true,
    ],
    [500, envelope('Internal', 'InternalServerErrorException'), 'server', true],
    [502, '<html>bad gateway</html>', 'server', true],
  ])('%i %j → %s (retryable %s)', async (status, body, kind, retryable) => {
    const err = await errorOf(clientWith(fakeFetch(status, body)).cancelBooking('u1', 'r'));
    expect(err).toMatchObject({ name: 'CalcomApiError', status, kind, retryable });
  });

  it('reads both error shapes into code and calcomMessage', async () => {
    const a = await errorOf(clientWith(fakeFetch(400, envelope('bad start'))).createBooking(INPUT));
    expect(a).toMatchObject({ code: 'BadRequestException', calcomMessage: 'bad start' });
    const b = await errorOf(
      clientWith(
        fakeFetch(400, {
          statusCode: 400,
          message: 'User either already has booking at this time or is not available',
          error: 'Bad Request',
        }),
      ).rescheduleBooking('u', { start: '2050-01-01T00:00:00Z' }),
    );
    expect(b).toMatchObject({ code: 'BadRequest', kind: 'slot_taken' });
  });

  it('puts the reset seconds on a 429', async () => {
    const err = await errorOf(
      clientWith(
        fakeFetch(
          429,
          { status: 'error', error: { code: 'ThrottlerException', message: 'x' } },
          {
            ...RL,
            'X-RateLimit-Remaining-Default': '0',
            'X-RateLimit-Reset-Default': '60',
          },
        ),
      ).listBookings(),
    );
    expect(err.rateLimit).toEqual({ limit: 120, remaining: 0, resetSeconds: 60 });
  });

  it('never puts the API key into an error', async () => {
    const err = await errorOf(
      clientWith(fakeFetch(401, envelope('Invalid Access Token.'))).getSlots({
        eventTypeId: 1,
        start: 'a',
        end: 'b',
        timeZone: 'UTC',
      }),
    );
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(KEY);
  });

  it('treats a 2xx with an unexpected shape as a non-retryable server error', async () => {
    const err = await errorOf(
      clientWith(fakeFetch(201, { status: 'success', data: { id: 'x' } })).createBooking(INPUT),
    );
    expect(err).toMatchObject({ kind: 'server', code: 'invalid_response', retryable: false });
  });
});

describe('transport errors', () => {
  const failing = (err: Error) => ({ impl: (() => Promise.reject(err)) as typeof fetch });
  it('a timeout is retryable and its outcome unknown', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const err = await clientWith(failing(timeout))
      .createBooking(INPUT)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CalcomTransportError);
    expect(err).toMatchObject({ kind: 'timeout', retryable: true, outcomeUnknown: true });
  });
  it('a refused connection never reached Cal.com; a reset socket may have', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const reset = Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } });
    await expect(clientWith(failing(refused)).createBooking(INPUT)).rejects.toMatchObject({
      kind: 'network',
      outcomeUnknown: false,
    });
    await expect(clientWith(failing(reset)).createBooking(INPUT)).rejects.toMatchObject({
      kind: 'network',
      outcomeUnknown: true,
    });
  });
});

describe('paging', () => {
  it('listAllBookings follows pages of 250 and findBookingsByMetadata matches client-side', async () => {
    const seen: URL[] = [];
    const page = (n: number, skip: number, total: number) => ({
      status: 'success',
      data: Array.from({ length: n }, (_, i) => ({
        ...booking,
        id: skip + i,
        uid: `u${skip + i}`,
        metadata: { appointmentId: `a${skip + i}` },
      })),
      pagination: {
        totalItems: total,
        remainingItems: total - skip - n,
        returnedItems: n,
        itemsPerPage: 250,
        currentPage: skip / 250 + 1,
        totalPages: 2,
        hasNextPage: skip + n < total,
        hasPreviousPage: skip > 0,
      },
    });
    const impl = ((url: URL | string) => {
      const u = new URL(String(url));
      seen.push(u);
      const skip = Number(u.searchParams.get('skip'));
      return Promise.resolve(
        new Response(JSON.stringify(page(skip === 0 ? 250 : 10, skip, 260)), { status: 200 }),
      );
    }) as typeof fetch;
    const c = createCalcomClient({ baseUrl: 'https://x', apiKey: KEY, fetchImpl: impl });
    const found = await c.findBookingsByMetadata(
      101,
      { afterStart: '2050-01-01T00:00:00Z', beforeEnd: '2050-02-01T00:00:00Z' },
      'appointmentId',
      'a255',
    );
    expect(found.map((b) => b.uid)).toEqual(['u255']);
    expect(
      seen.map((u) => [
        u.searchParams.get('take'),
        u.searchParams.get('skip'),
        u.searchParams.get('eventTypeId'),
      ]),
    ).toEqual([
      ['250', '0', '101'],
      ['250', '250', '101'],
    ]);
    expect(seen[0]!.searchParams.get('afterStart')).toBe('2050-01-01T00:00:00Z');
  });
});
