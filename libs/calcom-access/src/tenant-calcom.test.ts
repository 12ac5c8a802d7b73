import { createLogger, sleep, systemClock } from '@calsync/platform';
import { BreakerOpenError, createBreakerRegistry, type BreakerRegistry } from './breakers';
import { isBusinessError, rateLimitWaitOf } from './errors';
import { createRateLimiter, RateLimitedError, type TenantRateLimiter } from './rate-limiter';
import type { SharedBudget } from './shared-budget';
import { createTenantCalcom } from './tenant-calcom';

const tenant = { id: 'acme', calcomApiKey: 'cal_test_key', calcomRateLimitPerMinute: 100 };
const booking = (uid: string) => ({
  uid,
  id: 1,
  status: 'accepted',
  start: '2050-09-05T07:00:00.000Z',
  end: '2050-09-05T07:30:00.000Z',
  attendees: [],
  eventTypeId: 7,
  metadata: { appointmentId: 'a1' },
});
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Answers a booking, or a list in two pages; 503 while `down`. */
function fakeCalcom() {
  const state = { requests: 0, down: false };
  const fetchImpl: typeof fetch = (input, init) => {
    // A request whose timeout already ran out never leaves, as with undici.
    if (init?.signal?.aborted) return Promise.reject(init.signal.reason as Error);
    state.requests += 1;
    if (state.down) return Promise.resolve(json(503, { statusCode: 503, message: 'down' }));
    const url = new URL(input instanceof Request ? input.url : String(input));
    const one = /^\/v2\/bookings\/([^/]+)$/.exec(url.pathname);
    if (one) return Promise.resolve(json(200, { status: 'success', data: booking(one[1]!) }));
    const skip = Number(url.searchParams.get('skip'));
    const page = skip / 250;
    const pagination = {
      totalItems: 2,
      remainingItems: 1 - page,
      returnedItems: 1,
      itemsPerPage: 250,
      currentPage: page + 1,
      totalPages: 2,
      hasNextPage: page === 0,
      hasPreviousPage: page === 1,
    };
    return Promise.resolve(json(200, { status: 'success', data: [booking(`b${skip}`)], pagination }));
  };
  return { state, fetchImpl };
}

/** The slots in MySQL: another process holds every slot until `heldUntil` (ms epoch, 0 = none); counts our claims. */
function sharedSlots() {
  const taken: string[] = [];
  const state = { heldUntil: 0 };
  const budget: SharedBudget = {
    claim(tenantId, start) {
      if (start.getTime() <= state.heldUntil) return Promise.resolve(false);
      taken.push(tenantId);
      return Promise.resolve(true);
    },
    lastClaimed: () => Promise.resolve(state.heldUntil ? new Date(state.heldUntil) : null),
  };
  return { budget, taken, state };
}

let breakers: BreakerRegistry;
afterEach(() => breakers.shutdown());

function setup(
  limiter: TenantRateLimiter,
  extra: { waitForSharedBudget?: boolean; timeoutMs?: number } = {},
) {
  const cal = fakeCalcom();
  breakers = createBreakerRegistry({
    consecutiveFailures: 2,
    errorThresholdPercentage: 50,
    volumeThreshold: 20,
    rollingWindowMs: 10_000,
    resetTimeoutMs: 60_000,
    isBusinessError,
    probe: () => Promise.resolve(),
    logger: createLogger({ service: 'test', level: 'error' }),
  });
  const calcom = createTenantCalcom({
    apiUrl: 'http://calcom.test',
    timeoutMs: extra.timeoutMs ?? 1_000,
    limiter,
    breakers,
    maxInPlaceWaitMs: 50,
    fetchImpl: cal.fetchImpl,
    ...(extra.waitForSharedBudget ? { waitForSharedBudget: true } : {}),
  });
  return { cal, client: calcom.clientFor(tenant) };
}

// 100 calls per 100 ms: slots 8 ms apart, so the in-place waits here stay within a few ms.
const pacing = (shared: SharedBudget) => createRateLimiter({ windowMs: 100, clock: systemClock, shared });

/** A limiter whose first `refusals` acquires are refused with `waitMs`, and whose acquires take `delayMs`. */
function stubLimiter(o: { refusals?: number; waitMs?: number; delayMs?: number }): TenantRateLimiter {
  let refused = 0;
  const real = createRateLimiter({ windowMs: 60_000, clock: systemClock });
  return {
    ...real,
    async acquire() {
      if (refused < (o.refusals ?? 0)) {
        refused += 1;
        throw new RateLimitedError(o.waitMs ?? 1_000);
      }
      if (o.delayMs) await sleep(o.delayMs);
    },
  };
}

describe("a tenant's Cal.com client", () => {
  it('claims a slot in the shared budget for every HTTP request, pages of one lookup too', async () => {
    const { budget, taken } = sharedSlots();
    const { cal, client } = setup(pacing(budget));
    const found = await client.findBookingsByMetadata(
      7,
      { afterStart: '2050-09-05T00:00:00Z', beforeEnd: '2050-09-06T00:00:00Z' },
      'appointmentId',
      'a1',
    );
    expect(found.map((b) => b.uid)).toEqual(['b0', 'b250']);
    expect(cal.state.requests).toBe(2);
    expect(taken).toEqual(['acme', 'acme']);
  });

  it('does not send a request whose slot is further away than it may wait, and the refusal does not trip the breaker', async () => {
    const { budget, state } = sharedSlots();
    state.heldUntil = Date.now() + 60_000; // other replicas hold the next minute
    const { cal, client } = setup(pacing(budget));
    for (let i = 0; i < 5; i++) {
      const err: unknown = await client.getBooking('b0').catch((e: unknown) => e);
      expect(rateLimitWaitOf(err)?.waitMs).toBeGreaterThan(50);
    }
    expect(cal.state.requests).toBe(0);
    expect(breakers.state('acme')).toBe('closed');
    state.heldUntil = 0;
    const again = setup(pacing(budget));
    expect((await again.client.getBooking('b0'))?.uid).toBe('b0');
  });

  it('waits in place for the next slot when another process holds the current one, then sends once', async () => {
    const { budget, taken, state } = sharedSlots();
    state.heldUntil = Date.now();
    const { cal, client } = setup(pacing(budget));
    expect((await client.getBooking('b0'))?.uid).toBe('b0');
    expect(cal.state.requests).toBe(1);
    expect(taken).toEqual(['acme']);
  });

  it('tries an operation again after a short refusal when asked to; nothing was sent before', async () => {
    const { cal, client } = setup(stubLimiter({ refusals: 1, waitMs: 10 }), { waitForSharedBudget: true });
    expect((await client.getBooking('b0'))?.uid).toBe('b0');
    expect(cal.state.requests).toBe(1);
    const plain = setup(stubLimiter({ refusals: 1, waitMs: 10 }));
    expect(rateLimitWaitOf(await plain.client.getBooking('b0').catch((e: unknown) => e))).toBeDefined();
    expect(plain.cal.state.requests).toBe(0);
  });

  it('gives the request its whole timeout once it is sent, however long it waited for its slot', async () => {
    const { cal, client } = setup(stubLimiter({ delayMs: 40 }), { timeoutMs: 20 });
    expect((await client.getBooking('b0'))?.uid).toBe('b0');
    expect(cal.state.requests).toBe(1);
  });

  it('refuses every call without a request while the circuit is open', async () => {
    const { budget } = sharedSlots();
    const { cal, client } = setup(pacing(budget));
    cal.state.down = true;
    for (let i = 0; i < 2; i++) await expect(client.getBooking('b0')).rejects.toMatchObject({ status: 503 });
    expect(breakers.state('acme')).toBe('open');
    const sent = cal.state.requests;
    await expect(
      client.getSlots({ eventTypeId: 7, start: 'a', end: 'b', timeZone: 'UTC' }),
    ).rejects.toBeInstanceOf(BreakerOpenError);
    await expect(client.listBookings({ take: 1 })).rejects.toBeInstanceOf(BreakerOpenError);
    expect(cal.state.requests).toBe(sent);
  });
});
