import { request } from 'node:http';
import { BOOKING_TRIGGERS } from '@calsync/contracts';
import { hmacSha256Hex } from '@calsync/platform';
import { createLogCapture, createTestNats, type TestNats } from '@calsync/testkit';
import { CUSTOMER_EMAIL, TRIGGER_OVERRIDES, bookingPayload, webhookBody } from './fixtures';
import {
  createClient,
  createTestDb,
  insertTenant,
  postSigned,
  startGateway,
  streamCount,
  streamMessages,
  webhookPath,
  type Client,
  type GatewayUnderTest,
} from './harness';

const A = { id: 'praxis-a', webhookSecret: 'whsec_a_0123456789abcdef', eventTypeIds: [1101, 1102] };
const B = { id: 'salon-b', webhookSecret: 'whsec_b_fedcba9876543210', eventTypeIds: [2201] };
const NO_SECRET = { id: 'no-secret', webhookSecret: null, eventTypeIds: [3301] };

const logs = createLogCapture();
let testDb: Awaited<ReturnType<typeof createTestDb>>;
let nats: TestNats;
let gw: GatewayUnderTest;
let client: Client;

beforeAll(async () => {
  [testDb, nats] = await Promise.all([createTestDb(), createTestNats()]);
  for (const t of [A, B, NO_SECRET]) await insertTenant(testDb.db, t);
  gw = await startGateway({
    db: testDb.db,
    nats,
    topology: nats.topology,
    logger: logs.logger('webhook-gateway'),
  });
  client = createClient(gw.url);
});

afterAll(async () => {
  client?.close();
  await gw?.close();
  await nats?.close();
  await testDb?.drop();
});

const count = () => streamCount(nats, nats.topology);
const rejections = async (reason: string) =>
  (await gw.metrics.rejections.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
const UNAUTHORIZED = { error: { code: 'unauthorized', message: 'Invalid webhook signature' } };

describe('POST /v1/webhooks/calcom/:tenantId', () => {
  it.each(BOOKING_TRIGGERS)(
    'publishes a signed %s once, with origin calcom, to the tenant subject',
    async (trigger) => {
      const before = await count();
      const payload = bookingPayload(1102, TRIGGER_OVERRIDES[trigger]);
      const raw = webhookBody(trigger, payload);
      const r = await postSigned(client, A.id, raw, A.webhookSecret);
      expect(r.status).toBe(200);
      expect(r.json()).toMatchObject({ status: 'accepted', duplicate: false });
      expect(await count()).toBe(before + 1);
      const last = (await streamMessages(nats, nats.topology)).at(-1)!;
      expect(last.subject).toBe(nats.topology.subjects.calcomInbound(A.id, trigger));
      expect(last.meta).toMatchObject({
        origin: 'calcom',
        tenantId: A.id,
        eventType: 'calcom.inbound',
        eventVersion: '1',
      });
      expect(last.meta.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(last.decoded.ok).toBe(true);
      if (!last.decoded.ok) return;
      expect(last.meta.msgId).toBe(last.decoded.value.deliveryId);
      expect(last.decoded.value).toMatchObject({
        tenantId: A.id,
        trigger,
        payload: { uid: payload.uid, eventTypeId: 1102 },
      });
    },
  );

  it('answers forged, missing and no-secret-provided signatures and unknown tenants with one 401, publishing nothing', async () => {
    const before = await count();
    const raw = webhookBody('BOOKING_CREATED', bookingPayload(1101));
    const replies = await Promise.all([
      postSigned(client, A.id, raw, 'forged-secret'),
      postSigned(client, A.id, raw, null),
      client.request('POST', webhookPath(A.id), raw, { 'Content-Type': 'application/json' }),
      postSigned(client, 'no-such-tenant', raw, A.webhookSecret),
      postSigned(client, 'INVALID_ID', raw, A.webhookSecret),
      postSigned(client, NO_SECRET.id, webhookBody('BOOKING_CREATED', bookingPayload(3301)), null),
    ]);
    for (const r of replies) {
      expect(r.status).toBe(401);
      expect(r.json()).toEqual(UNAUTHORIZED);
    }
    expect(new Set(replies.map((r) => r.body)).size).toBe(1);
    expect(await count()).toBe(before);
    expect(await rejections('invalid_signature')).toBeGreaterThanOrEqual(1);
  });

  it("refuses tenant A's valid signature on tenant B's event type: 403, warn log, metric, nothing published", async () => {
    const before = await count();
    const metricBefore = await rejections('cross_tenant');
    const payload = bookingPayload(B.eventTypeIds[0]!);
    const r = await postSigned(client, A.id, webhookBody('BOOKING_CREATED', payload), A.webhookSecret);
    expect(r.status).toBe(403);
    expect(r.json()).toMatchObject({ error: { code: 'forbidden' } });
    const noType = await postSigned(
      client,
      A.id,
      webhookBody('BOOKING_CANCELLED', bookingPayload(null)),
      A.webhookSecret,
    );
    expect(noType.status).toBe(403);
    expect(await count()).toBe(before);
    expect(await rejections('cross_tenant')).toBe(metricBefore + 2);
    const line = logs
      .lines()
      .find((l) => l.message === 'Cross-tenant webhook rejected' && l.eventTypeId === 2201);
    expect(line).toMatchObject({ level: 'warn', tenant: A.id, uid: payload.uid });
  });

  it('accepts the same delivery five times, sequentially and concurrently, and publishes it once', async () => {
    for (const mode of ['sequential', 'concurrent'] as const) {
      const before = await count();
      const raw = webhookBody('BOOKING_CREATED', bookingPayload(1101));
      const send = () => postSigned(client, A.id, raw, A.webhookSecret);
      const replies =
        mode === 'sequential'
          ? [await send(), await send(), await send(), await send(), await send()]
          : await Promise.all([send(), send(), send(), send(), send()]);
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(replies.filter((r) => (r.json() as { duplicate: boolean }).duplicate)).toHaveLength(4);
      expect(await count()).toBe(before + 1);
    }
  });

  it('refuses a delivery two hours old and one more than five minutes ahead with 401', async () => {
    const before = await count();
    const old = new Date(Date.now() - 2 * 3600_000).toISOString();
    const ahead = new Date(Date.now() + 6 * 60_000).toISOString();
    for (const createdAt of [old, ahead]) {
      const r = await postSigned(
        client,
        A.id,
        webhookBody('BOOKING_CREATED', bookingPayload(1101), createdAt),
        A.webhookSecret,
      );
      expect(r.status).toBe(401);
    }
    expect(await count()).toBe(before);
    expect(await rejections('replayed')).toBeGreaterThanOrEqual(2);
  });

  it('answers malformed JSON 400, an oversized body 413 and text/plain 415', async () => {
    const before = await count();
    const malformed = await postSigned(client, A.id, '{"triggerEvent":"BOOKING_CREATED",', A.webhookSecret);
    expect(malformed.status).toBe(400);
    const notWebhook = await postSigned(client, A.id, '{"hello":"world"}', A.webhookSecret);
    expect(notWebhook.status).toBe(400);
    const huge = webhookBody('BOOKING_CREATED', bookingPayload(1101, { notes: 'x'.repeat(300 * 1024) }));
    const tooLarge = await postSigned(client, A.id, huge, A.webhookSecret);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    const raw = webhookBody('BOOKING_CREATED', bookingPayload(1101));
    const text = await client.request('POST', webhookPath(A.id), raw, { 'Content-Type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    const charset = await client.request('POST', webhookPath(A.id), raw, {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Cal-Signature-256': hmacSha256Hex(A.webhookSecret, raw),
    });
    expect(charset.status).toBe(200);
    expect(await count()).toBe(before + 1);
  });

  it('refuses a chunked body that grows past 256 KiB while it is read', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${gw.url}${webhookPath(A.id)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
      });
      req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < 5; i++) req.write(chunk);
      req.end();
    });
    expect(status).toBe(413);
  });

  it('answers a signed PING 200 and an unknown trigger 202, publishing neither', async () => {
    const before = await count();
    const ping = await postSigned(client, A.id, webhookBody('PING', { message: 'test' }), A.webhookSecret);
    expect(ping.status).toBe(200);
    const unsignedPing = await postSigned(client, A.id, webhookBody('PING', {}), 'nope');
    expect(unsignedPing.status).toBe(401);
    const other = await postSigned(
      client,
      A.id,
      webhookBody('MEETING_ENDED', bookingPayload(1101)),
      A.webhookSecret,
    );
    expect(other.status).toBe(202);
    expect(await count()).toBe(before);
    expect(await rejections('unknown_trigger')).toBeGreaterThanOrEqual(1);
  });

  it('serves /livez, /readyz and Prometheus /metrics', async () => {
    expect((await client.get('/livez')).status).toBe(200);
    expect((await client.get('/readyz')).json()).toEqual({ status: 'ready' });
    const metrics = await client.get('/metrics');
    expect(metrics.body).toContain(
      'webhook_rejections_total{reason="cross_tenant",service="webhook-gateway"}',
    );
    expect(metrics.body).toContain('webhook_deliveries_total');
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
  });

  it('answers a 16,000-character tenant id 401 and never logs the path value whole', async () => {
    const hostile = 'a'.repeat(16_000);
    const r = await postSigned(client, hostile, webhookBody('PING', {}), A.webhookSecret);
    expect(r.status).toBe(401);
    expect(logs.lines().length).toBeGreaterThan(0);
    expect(logs.text()).not.toContain('a'.repeat(100));
  });

  it('never logs a secret, a signature or a customer e-mail', () => {
    expect(logs.lines().length).toBeGreaterThan(10);
    logs.assertNoneOf([A.webhookSecret, B.webhookSecret, CUSTOMER_EMAIL, 'cal_live_praxis-a', 'Jane Roe']);
  });
});
