import { createLogger, systemClock } from '@calsync/platform';
import { BreakerOpenError, createBreakerRegistry, type BreakerRegistry } from './breakers';
import { isBusinessError, rateLimitWaitOf } from './errors';
import { createRateLimiter } from './rate-limiter';
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
  const fetchImpl: typeof fetch = (input) => {
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

/** A shared budget that refuses the first `refusals` takes with `waitMs`, then counts. */
function countingBudget(refusals = 0, waitMs = 1_000) {
  const taken: string[] = [];
  let refused = 0;
  const budget: SharedBudget = {
    take(tenantId) {
      if (refused < refusals) {
        refused += 1;
        return Promise.resolve(waitMs);
      }
      taken.push(tenantId);
      return Promise.resolve(0);
    },
  };
  return { budget, taken };
}

let breakers: BreakerRegistry;
afterEach(() => breakers.shutdown());

function setup(budget: SharedBudget, extra: { waitForSharedBudget?: boolean } = {}) {
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
    timeoutMs: 1_000,
    limiter: createRateLimiter({ windowMs: 60_000, clock: systemClock }),
    sharedBudget: budget,
    breakers,
    maxInPlaceWaitMs: 50,
    fetchImpl: cal.fetchImpl,
    ...extra,
  });
  return { cal, client: calcom.clientFor(tenant) };
}

describe("a tenant's Cal.com client", () => {
  it('counts every HTTP request in the shared budget, pages of one lookup too', async () => {
    const { budget, taken } = countingBudget();
    const { cal, client } = setup(budget);
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

  it('does not send a request the shared budget refuses, and the refusal does not trip the breaker', async () => {
    const { budget } = countingBudget(5);
    const { cal, client } = setup(budget);
    for (let i = 0; i < 5; i++) {
      const err: unknown = await client.getBooking('b0').catch((e: unknown) => e);
      expect(rateLimitWaitOf(err)?.waitMs).toBe(1_000);
    }
    expect(cal.state.requests).toBe(0);
    expect(breakers.state('acme')).toBe('closed');
    expect((await client.getBooking('b0'))?.uid).toBe('b0');
  });

  it('waits in place for a short refusal when asked to, and then sends the request once', async () => {
    const { budget, taken } = countingBudget(1, 10);
    const { cal, client } = setup(budget, { waitForSharedBudget: true });
    expect((await client.getBooking('b0'))?.uid).toBe('b0');
    expect(cal.state.requests).toBe(1);
    expect(taken).toEqual(['acme']);
  });

  it('refuses every call without a request while the circuit is open', async () => {
    const { budget } = countingBudget();
    const { cal, client } = setup(budget);
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
