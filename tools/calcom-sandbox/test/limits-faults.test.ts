import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { api, attendee, KEY, MONDAY_0900_BERLIN, OTHER_KEY } from './helpers';

const accounts = (sb: CalcomSandbox) => {
  sb.addAccount({ apiKey: KEY, eventTypes: [{ id: 101, lengthInMinutes: 30 }] });
  sb.addAccount({ apiKey: OTHER_KEY, eventTypes: [{ id: 201, lengthInMinutes: 30 }] });
};

describe('rate limits', () => {
  let sb: CalcomSandbox;
  let now = 0;
  beforeAll(async () => {
    sb = await createCalcomSandbox({
      port: 0,
      rateLimit: { limit: 3, windowMs: 10_000, blockMs: 30_000 },
      clock: { now: () => new Date(now) },
    });
  });
  afterAll(() => sb.close());
  beforeEach(() => {
    now = Date.parse('2050-01-01T00:00:00Z');
    sb.reset({ accounts: true });
    accounts(sb);
  });

  it('reports limit, remaining and reset seconds on every answer, 429s over the limit, blocks, then recovers', async () => {
    const first = await api(sb.url).get('/v2/bookings');
    expect(first.headers.get('x-ratelimit-limit-default')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining-default')).toBe('2');
    expect(first.headers.get('x-ratelimit-reset-default')).toBe('10');
    now += 4_000;
    const second = await api(sb.url).get('/v2/bookings');
    expect(second.headers.get('x-ratelimit-remaining-default')).toBe('1');
    expect(second.headers.get('x-ratelimit-reset-default')).toBe('6');
    await api(sb.url).get('/v2/bookings');

    const over = await api(sb.url).get('/v2/bookings');
    expect(over.status).toBe(429);
    expect(over.body).toEqual({
      status: 'error',
      error: { code: 'ThrottlerException', message: 'ThrottlerException: Too Many Requests' },
    });
    expect(over.headers.get('retry-after')).toBeNull();
    expect(over.headers.get('x-ratelimit-remaining-default')).toBe('0');
    expect(over.headers.get('x-ratelimit-reset-default')).toBe('30');

    // Other keys are unaffected; this key stays blocked past its window.
    expect((await api(sb.url, OTHER_KEY).get('/v2/bookings')).status).toBe(200);
    now += 15_000;
    const still = await api(sb.url).get('/v2/bookings');
    expect(still.status).toBe(429);
    expect(still.headers.get('x-ratelimit-reset-default')).toBe('15');

    now += 15_000;
    const back = await api(sb.url).get('/v2/bookings');
    expect(back.status).toBe(200);
    expect(back.headers.get('x-ratelimit-remaining-default')).toBe('2');
    expect(sb.calls({ kind: 'api' }).filter((c) => c.note === 'rate-limited')).toHaveLength(2);
  });
});

describe('faults', () => {
  let sb: CalcomSandbox;
  beforeAll(async () => {
    sb = await createCalcomSandbox({ port: 0 });
  });
  afterAll(() => sb.close());
  beforeEach(() => {
    sb.reset({ accounts: true });
    accounts(sb);
  });
  const create = () =>
    api(sb.url).post('/v2/bookings', { start: MONDAY_0900_BERLIN, eventTypeId: 101, attendee });

  it("'status' answers the status in the envelope without changing state, for `times` calls", async () => {
    sb.injectFault({ route: 'create', mode: 'status', status: 503, times: 1 });
    const failed = await create();
    expect(failed.status).toBe(503);
    expect(failed.body.status).toBe('error');
    expect(sb.bookings()).toHaveLength(0);
    expect((await create()).status).toBe(201);
    expect(sb.calls({ route: 'create' }).map((c) => [c.status, c.note])).toEqual([
      [503, 'fault:status'],
      [201, undefined],
    ]);
  });

  it("'latency' delays, then serves normally; only the matching route and key", async () => {
    sb.injectFault({ route: 'list', mode: 'latency', latencyMs: 200, apiKey: KEY });
    let t = Date.now();
    expect((await api(sb.url).get('/v2/bookings')).status).toBe(200);
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
    t = Date.now();
    await api(sb.url, OTHER_KEY).get('/v2/bookings');
    expect(Date.now() - t).toBeLessThan(150);
  });

  it("'429' answers like the throttler", async () => {
    sb.injectFault({ route: '*', mode: '429', times: 1 });
    const res = await api(sb.url).get('/v2/bookings');
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('ThrottlerException');
    expect(res.headers.get('x-ratelimit-reset-default')).toBe('60');
  });

  it("'429' announces the reset it is given", async () => {
    sb.injectFault({ route: '*', mode: '429', times: 1, resetSeconds: 3 });
    const res = await api(sb.url).get('/v2/bookings');
    expect(res.status).toBe(429);
    expect(res.headers.get('x-ratelimit-reset-default')).toBe('3');
  });

  it("'drop-after-commit' makes the booking and sends the webhook, but the client gets no answer", async () => {
    sb.injectFault({ route: 'create', mode: 'drop-after-commit', times: 1 });
    await expect(create()).rejects.toThrow();
    expect(sb.bookings()).toHaveLength(1);
    expect(sb.calls({ route: 'create' })[0]).toMatchObject({ status: 0, note: 'dropped-after-commit' });
    // A blind retry is the duplicate Cal.com refuses with "slot taken".
    expect((await create()).status).toBe(400);
  });

  it("'timeout' holds the request until the client gives up", async () => {
    sb.injectFault({ route: 'get', mode: 'timeout', times: 1 });
    await expect(
      fetch(`${sb.url}/v2/bookings/x`, {
        headers: { Authorization: `Bearer ${KEY}`, 'cal-api-version': '2024-08-13' },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 50));
    expect(sb.calls({ route: 'get' })[0]).toMatchObject({ status: 0, note: 'fault:timeout' });
  });

  it('can be set over the control API, and the call log masks keys', async () => {
    const res = await fetch(`${sb.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ route: 'cancel', mode: 'status', status: 500 }),
    });
    expect(res.status).toBe(201);
    expect(sb.faults()).toEqual([{ route: 'cancel', mode: 'status', status: 500 }]);
    await fetch(`${sb.url}/_sandbox/faults`, { method: 'DELETE' });
    expect(sb.faults()).toEqual([]);
    await api(sb.url).get('/v2/bookings');
    const calls = (await (await fetch(`${sb.url}/_sandbox/calls`)).json()) as { data: { apiKey: string }[] };
    expect(calls.data[0]!.apiKey).not.toContain(KEY);
    expect(JSON.stringify(calls)).not.toContain(KEY);
  });
});

describe('probes', () => {
  it('answers /livez for container health checks without counting as a Cal.com call', async () => {
    const sb = await createCalcomSandbox({ port: 0 });
    try {
      const res = await fetch(`${sb.url}/livez`);
      expect(res.status).toBe(200);
      expect(sb.calls()).toHaveLength(0);
    } finally {
      await sb.close();
    }
  });
});
