import { createLogger, hmacSha256Hex } from '@calsync/platform';
import type { TenantRecord } from '@calsync/db';
import type { CalcomInboundEventV1 } from '@calsync/contracts';
import { Writable } from 'node:stream';
import { createWebhookReceiver, type DeliveryStore, type ReceiveResult } from './receiver';

const now = new Date('2026-05-24T12:00:00.000Z');
const LOOKUP_FROM_AGE_MS = 4 * 60_000;
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
const secret = 'whsec_unit';

function tenant(id: string, eventTypeIds: number[], webhookSecret: string | null = secret): TenantRecord {
  return {
    id,
    name: id,
    timeZone: 'Europe/Berlin',
    adminTokenHash: 'x',
    calcomApiKey: 'cal_live_x',
    calcomWebhookSecret: webhookSecret,
    calcomPreviousWebhookSecret: null,
    calcomWebhookId: null,
    calcomRateLimitPerMinute: 120,
    retellApiKey: null,
    eventTypes: eventTypeIds.map((n) => ({ id: n, title: 't', lengthInMinutes: 30 })),
    createdAt: now,
    updatedAt: now,
  };
}

function setup(opts: { publishFails?: boolean; findFails?: boolean } = {}) {
  const tenants = new Map([
    ['acme', tenant('acme', [123])],
    ['other', tenant('other', [999])],
    ['nosecret', tenant('nosecret', [555], null)],
  ]);
  const rows = new Map<string, { publishedAt: Date | null }>();
  const published: CalcomInboundEventV1[] = [];
  const lookups: string[] = [];
  const deliveries: DeliveryStore = {
    find: (t, d) => {
      lookups.push(d);
      if (opts.findFails) return Promise.reject(new Error('MySQL away'));
      return Promise.resolve(rows.get(`${t}/${d}`) ?? null);
    },
    recordReceived: (d) => {
      if (!rows.has(`${d.tenantId}/${d.deliveryId}`))
        rows.set(`${d.tenantId}/${d.deliveryId}`, { publishedAt: null });
    },
    recordPublished: (d) => {
      rows.set(`${d.tenantId}/${d.deliveryId}`, { publishedAt: d.publishedAt });
    },
  };
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test',
    level: 'debug',
    stream: new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }),
  });
  // Like JetStream within its duplicate window: a second msgId is acknowledged as a duplicate.
  const msgIds = new Set<string>();
  const receiver = createWebhookReceiver({
    tenants: { get: (id) => Promise.resolve(tenants.get(id) ?? null) },
    deliveries,
    publisher: {
      publish: (event, meta) => {
        if (opts.publishFails) return Promise.reject(new Error('timeout'));
        if (msgIds.has(meta.msgId)) return Promise.resolve({ duplicate: true });
        msgIds.add(meta.msgId);
        published.push(event);
        return Promise.resolve({ duplicate: false });
      },
    },
    clock: { now: () => now },
    logger,
    window: { windowSeconds: 1800, maxFutureSkewSeconds: 300 },
    lookupFromAgeMs: LOOKUP_FROM_AGE_MS,
  });
  return { receiver, rows, published, lines, lookups, msgIds };
}

const body = (trigger: string, payload: unknown, createdAt = now.toISOString()) =>
  Buffer.from(JSON.stringify({ triggerEvent: trigger, createdAt, payload }));
const signed = (tenantId: string, raw: Buffer, key = secret) => ({
  tenantId,
  raw,
  signature: hmacSha256Hex(key, raw),
});
const rejection = (r: ReceiveResult) => (r.ok ? null : r.rejection);

describe('webhook receiver: the order of checks', () => {
  it('answers every authentication failure the same way', async () => {
    const { receiver } = setup();
    const raw = body('BOOKING_CREATED', { uid: 'u1', eventTypeId: 123 });
    const results = await Promise.all([
      receiver.receive({ tenantId: 'unknown', raw, signature: hmacSha256Hex(secret, raw) }),
      receiver.receive({ tenantId: 'Not A Tenant!', raw, signature: hmacSha256Hex(secret, raw) }),
      receiver.receive({ tenantId: 'acme', raw, signature: undefined }),
      receiver.receive({ tenantId: 'acme', raw, signature: 'no-secret-provided' }),
      receiver.receive({ ...signed('acme', raw, 'wrong') }),
      receiver.receive({ ...signed('nosecret', raw, '') }),
    ]);
    const answers = results.map((r) => {
      const j = rejection(r);
      return j && { code: j.code, message: j.message };
    });
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({ code: 'unauthorized', message: 'Invalid webhook signature' });
    expect(results.map((r) => rejection(r)?.reason)).toEqual([
      'unknown_tenant',
      'unknown_tenant',
      'missing_signature',
      'no_secret_signature',
      'invalid_signature',
      'secret_not_configured',
    ]);
  });

  it('checks the signature before it parses the body (malformed and unsigned → 401)', async () => {
    const { receiver } = setup();
    const r = await receiver.receive({ tenantId: 'acme', raw: Buffer.from('{nope'), signature: 'x' });
    expect(rejection(r)?.reason).toBe('invalid_signature');
    const r2 = await receiver.receive(signed('acme', Buffer.from('{nope')));
    expect(rejection(r2)).toMatchObject({ code: 'invalid_request', reason: 'malformed' });
  });

  it('answers a signed PING without publishing, even a stale one', async () => {
    const { receiver, published } = setup();
    const r = await receiver.receive(signed('acme', body('PING', {}, '2020-01-01T00:00:00Z')));
    expect(r).toEqual({ ok: true, outcome: 'ping', trigger: 'PING' });
    expect(published).toHaveLength(0);
  });

  it("refuses another tenant's event type before the replay window, with a security log line", async () => {
    const { receiver, published, lines } = setup();
    const stale = '2020-01-01T00:00:00Z';
    const r = await receiver.receive(
      signed('acme', body('BOOKING_CREATED', { uid: 'u', eventTypeId: 999 }, stale)),
    );
    expect(rejection(r)).toMatchObject({ code: 'forbidden', reason: 'cross_tenant' });
    const noType = await receiver.receive(signed('acme', body('BOOKING_CANCELLED', { uid: 'u' })));
    expect(rejection(noType)?.reason).toBe('cross_tenant');
    expect(published).toHaveLength(0);
    const warn = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 'warn');
    expect(warn).toMatchObject({
      message: 'Cross-tenant webhook rejected',
      tenant: 'acme',
      eventTypeId: 999,
    });
  });

  it('refuses stale and far-future deliveries, then ignores unknown triggers', async () => {
    const { receiver } = setup();
    const old = new Date(now.getTime() - 2 * 3600_000).toISOString();
    const ahead = new Date(now.getTime() + 6 * 60_000).toISOString();
    for (const createdAt of [old, ahead, 'not a date']) {
      const r = await receiver.receive(
        signed('acme', body('BOOKING_CREATED', { uid: 'u', eventTypeId: 123 }, createdAt)),
      );
      expect(rejection(r)).toMatchObject({ code: 'unauthorized', reason: 'replayed' });
    }
    expect(rejection(await receiver.receive(signed('acme', body('MEETING_ENDED', {}, old))))?.reason).toBe(
      'replayed',
    );
    expect(await receiver.receive(signed('acme', body('MEETING_ENDED', {})))).toEqual({
      ok: true,
      outcome: 'ignored',
      trigger: 'MEETING_ENDED',
    });
  });
});

describe('webhook receiver: publishing', () => {
  it('publishes a fresh booking once and answers its copy as a duplicate through JetStream, without a lookup', async () => {
    const { receiver, published, lookups, rows } = setup();
    const raw = body('BOOKING_CREATED', { uid: 'u1', eventTypeId: 123 });
    const first = await receiver.receive(signed('acme', raw));
    const again = await receiver.receive(signed('acme', raw));
    expect(first).toMatchObject({ ok: true, outcome: 'published' });
    expect(again).toMatchObject({ ok: true, outcome: 'duplicate' });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      tenantId: 'acme',
      trigger: 'BOOKING_CREATED',
      payload: { uid: 'u1' },
    });
    expect(lookups).toEqual([]);
    expect([...rows.values()]).toEqual([{ publishedAt: now }]);
  });

  it('looks a delivery up once it is old enough for its first copy to have left the duplicate window', async () => {
    const { receiver, published, lookups, msgIds } = setup();
    const young = body('BOOKING_CREATED', { uid: 'young', eventTypeId: 123 }, minutesAgo(3.9));
    const old = body('BOOKING_CREATED', { uid: 'old', eventTypeId: 123 }, minutesAgo(4));
    await receiver.receive(signed('acme', young));
    expect(lookups).toHaveLength(0);
    expect(await receiver.receive(signed('acme', old))).toMatchObject({ outcome: 'published' });
    expect(lookups).toHaveLength(1);

    msgIds.clear(); // JetStream's window has passed: only the table knows the delivery now
    expect(await receiver.receive(signed('acme', old))).toMatchObject({ ok: true, outcome: 'duplicate' });
    expect(published.map((e) => e.payload.uid)).toEqual(['young', 'old']);
  });

  it('answers unavailable when an old delivery cannot be looked up, and publishes a fresh one all the same', async () => {
    const { receiver, published } = setup({ findFails: true });
    const old = body('BOOKING_CREATED', { uid: 'old', eventTypeId: 123 }, minutesAgo(10));
    expect(rejection(await receiver.receive(signed('acme', old)))).toMatchObject({ code: 'unavailable' });
    const fresh = body('BOOKING_CREATED', { uid: 'fresh', eventTypeId: 123 });
    expect(await receiver.receive(signed('acme', fresh))).toMatchObject({ ok: true, outcome: 'published' });
    expect(published.map((e) => e.payload.uid)).toEqual(['fresh']);
  });

  it('answers unavailable when JetStream does not acknowledge, and leaves the delivery open for a retry', async () => {
    const { receiver, rows } = setup({ publishFails: true });
    const raw = body('BOOKING_CREATED', { uid: 'u1', eventTypeId: 123 });
    const r = await receiver.receive(signed('acme', raw));
    expect(rejection(r)).toMatchObject({ code: 'unavailable' });
    expect([...rows.values()]).toEqual([{ publishedAt: null }]);
  });
});
