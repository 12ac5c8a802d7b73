import express from 'express';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { createTokenBuckets, rateLimit, rateLimitedRetryAfter, tenantOfPath } from './rate-limit';

const fakeClock = (start = 0) => {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
};

describe('token buckets', () => {
  it('allow `limit` requests at once, then say how long until the next token', () => {
    const clock = fakeClock();
    const b = createTokenBuckets({ limit: 3, windowMs: 60_000, maxKeys: 10, clock });
    expect([b.take('a'), b.take('a'), b.take('a')]).toEqual([0, 0, 0]);
    expect(b.take('a')).toBe(20_000);
    expect(b.take('b')).toBe(0); // another key has its own budget
    clock.advance(20_000);
    expect(b.take('a')).toBe(0);
  });

  it('take a refund back up to the limit, never beyond', () => {
    const b = createTokenBuckets({ limit: 1, windowMs: 60_000, maxKeys: 10, clock: fakeClock() });
    expect(b.take('a')).toBe(0);
    b.refund('a');
    b.refund('a');
    expect(b.take('a')).toBe(0);
    expect(b.take('a')).toBeGreaterThan(0);
  });

  it('keep at most maxKeys, forgetting the least recently used first', () => {
    const b = createTokenBuckets({ limit: 1, windowMs: 60_000, maxKeys: 100, clock: fakeClock() });
    b.take('hot');
    for (let i = 0; i < 10_000; i++) {
      b.take(`k${i}`);
      if (i % 50 === 0) b.take('hot');
    }
    expect(b.size()).toBe(100);
    expect(b.take('hot')).toBeGreaterThan(0); // still remembered: it was used recently
  });
});

describe('tenantOfPath', () => {
  const of = (path: string) => tenantOfPath('/v1/tenants/')({ path } as express.Request);
  it('names a valid tenant id only', () => {
    expect(of('/v1/tenants/acme/appointments')).toBe('acme');
    expect(of('/v1/tenants/acme')).toBe('acme');
    expect(of(`/v1/tenants/${'a'.repeat(16_000)}/x`)).toBeUndefined();
    expect(of('/v1/tenants/ACME')).toBeUndefined();
    expect(of('/livez')).toBeUndefined();
  });
});

describe('rateLimit middleware', () => {
  async function serve(mode: 'refuse' | 'defer') {
    const clock = fakeClock(1_000_000);
    const registry = new Registry();
    let ran = 0;
    const app = express();
    app.use(
      rateLimit({
        budgets: [
          { name: 'client', key: () => 'one-client', perMinute: 2, refundIf: (s) => s === 202 },
          { name: 'tenant', key: tenantOfPath('/t/'), perMinute: 100 },
        ],
        maxKeys: 10,
        clock,
        registry,
        mode: () => mode,
      }),
    );
    app.post('/t/:id/:answer', (req, res) => {
      ran++;
      const deferred = rateLimitedRetryAfter(res);
      res.status(deferred ? 299 : Number(req.params.answer)).json({ deferred: deferred ?? null });
    });
    const server = app.listen(0);
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      post: (path: string) => fetch(base + path, { method: 'POST' }),
      ran: () => ran,
      registry,
      close: () => new Promise((r) => server.close(r)),
    };
  }

  it('answers 429 with Retry-After over budget, and the route never runs', async () => {
    const s = await serve('refuse');
    try {
      expect((await s.post('/t/a/200')).status).toBe(200);
      expect((await s.post('/t/a/200')).status).toBe(200);
      const r = await s.post('/t/a/200');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBe('30');
      expect(await r.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
      expect(s.ran()).toBe(2);
      expect(await s.registry.getSingleMetricAsString('http_rate_limited_total')).toContain(
        'http_rate_limited_total{budget="client",outcome="refused"} 1',
      );
    } finally {
      await s.close();
    }
  });

  it('gives back the tokens of answers the budget should not pay for', async () => {
    const s = await serve('refuse');
    try {
      for (let i = 0; i < 10; i++) expect((await s.post('/t/a/202')).status).toBe(202);
    } finally {
      await s.close();
    }
  });

  it('in defer mode lets the route run and decide', async () => {
    const s = await serve('defer');
    try {
      await s.post('/t/a/200');
      await s.post('/t/a/200');
      const r = await s.post('/t/a/200');
      expect(r.status).toBe(299);
      expect(await r.json()).toEqual({ deferred: 30 });
      expect(s.ran()).toBe(3);
    } finally {
      await s.close();
    }
  });
});
