/**
 * Event types, /v2/me and webhook subscriptions (FACTS "Event types and webhook
 * subscriptions"): shapes with the errata, ownership, and every active
 * subscription getting its own delivery signed with its own secret.
 */
import { createHmac } from 'node:crypto';
import { createCalcomSandbox, type CalcomSandbox } from '../src';
import {
  KEY,
  MONDAY_0900_BERLIN,
  OTHER_KEY,
  attendee,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers';

let sb: CalcomSandbox;
let legacy: WebhookReceiver;
let first: WebhookReceiver;
let second: WebhookReceiver;

beforeAll(async () => {
  sb = await createCalcomSandbox({ port: 0 });
  [legacy, first, second] = await Promise.all([
    startWebhookReceiver(),
    startWebhookReceiver(),
    startWebhookReceiver(),
  ]);
});
afterAll(async () => {
  await sb.close();
  await Promise.all([legacy.close(), first.close(), second.close()]);
});
beforeEach(() => {
  sb.reset({ accounts: true });
  for (const r of [legacy, first, second]) r.received.length = 0;
  sb.addAccount({
    apiKey: KEY,
    eventTypes: [{ id: 101, title: 'Beratung', lengthInMinutes: 30 }],
    webhook: { url: legacy.url, secret: 'legacy-secret' },
    name: 'Praxis Muster',
  });
  sb.addAccount({ apiKey: OTHER_KEY, eventTypes: [{ id: 202, lengthInMinutes: 60 }] });
});

async function call(
  method: string,
  path: string,
  opts: { key?: string; version?: string; body?: unknown } = {},
) {
  const headers: Record<string, string> = { Authorization: `Bearer ${opts.key ?? KEY}` };
  if (opts.version) headers['cal-api-version'] = opts.version;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${sb.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const hmac = (secret: string, raw: string) => createHmac('sha256', secret).update(raw).digest('hex');
const subscribe = (url: string, extra: Record<string, unknown> = {}, key = KEY) =>
  call('POST', '/v2/webhooks', {
    key,
    body: { subscriberUrl: url, active: true, triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'], ...extra },
  });

describe('GET /v2/event-types', () => {
  it("lists the key owner's event types with cal-api-version 2024-06-14, users as objects", async () => {
    const res = await call('GET', '/v2/event-types', { version: '2024-06-14' });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({
        id: 101,
        lengthInMinutes: 30,
        title: 'Beratung',
        slug: '30min-101',
        users: [expect.objectContaining({ name: 'Praxis Muster' })],
      }),
    ]);
  });

  it('refuses a missing or other version loudly (real Cal.com would answer a legacy shape)', async () => {
    expect((await call('GET', '/v2/event-types')).status).toBe(400);
    expect((await call('GET', '/v2/event-types', { version: '2024-08-13' })).status).toBe(400);
  });
});

it("GET /v2/me identifies the key's user; an unknown key is 401", async () => {
  const me = await call('GET', '/v2/me');
  expect(me.body.data).toMatchObject({
    username: expect.any(String),
    email: expect.any(String),
    timeZone: 'Europe/Berlin',
  });
  expect((await call('GET', '/v2/me', { key: 'cal_live_nobody' })).status).toBe(401);
});

describe('webhook subscriptions', () => {
  it('creates one: uuid id, triggers an array, secret and payloadTemplate null when not set', async () => {
    const res = await subscribe(first.url);
    expect(res.status).toBe(201);
    expect(res.body.data).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      userId: expect.any(Number),
      subscriberUrl: first.url,
      active: true,
      triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'],
      payloadTemplate: null,
      secret: null,
    });
    expect((await call('GET', '/v2/webhooks')).body.data).toHaveLength(1);
    expect((await call('GET', `/v2/webhooks/${res.body.data.id}`)).body.data.id).toBe(res.body.data.id);
  });

  it('validates like CreateWebhookInputDto: unknown property, a trigger string, a bad trigger → 400', async () => {
    expect((await subscribe(first.url, { extra: 1 })).status).toBe(400);
    expect((await subscribe(first.url, { triggers: 'BOOKING_CREATED' })).status).toBe(400);
    expect((await subscribe(first.url, { triggers: ['NOPE'] })).status).toBe(400);
    expect((await call('POST', '/v2/webhooks', { body: { subscriberUrl: first.url } })).status).toBe(400);
  });

  it('the same subscriber URL twice is 409; another account may use it', async () => {
    expect((await subscribe(first.url)).status).toBe(201);
    const again = await subscribe(first.url);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ConflictException');
    expect((await subscribe(first.url, {}, OTHER_KEY)).status).toBe(201);
  });

  it("another user's subscription is 403 on GET, PATCH and DELETE; an unknown id 404", async () => {
    const id = (await subscribe(first.url)).body.data.id as string;
    expect((await call('GET', `/v2/webhooks/${id}`, { key: OTHER_KEY })).status).toBe(403);
    expect(
      (await call('PATCH', `/v2/webhooks/${id}`, { key: OTHER_KEY, body: { active: false } })).status,
    ).toBe(403);
    expect((await call('DELETE', `/v2/webhooks/${id}`, { key: OTHER_KEY })).status).toBe(403);
    expect((await call('GET', `/v2/webhooks/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await call('GET', '/v2/webhooks', { key: OTHER_KEY })).body.data).toEqual([]);
  });

  it('every active subscription listening for the trigger gets its own delivery, signed with its own secret', async () => {
    await subscribe(first.url, { secret: 'first-secret' });
    await subscribe(second.url, { secret: 'second-secret', triggers: ['BOOKING_CANCELLED'] });
    const b = await sb.customer.book(KEY, { start: MONDAY_0900_BERLIN, eventTypeId: 101, attendee });
    expect(legacy.received).toHaveLength(1);
    expect(second.received).toHaveLength(0);
    const [got] = first.received;
    expect(got?.body.triggerEvent).toBe('BOOKING_CREATED');
    expect(got?.headers['x-cal-signature-256']).toBe(hmac('first-secret', got!.raw));
    expect(legacy.received[0]?.headers['x-cal-signature-256']).toBe(
      hmac('legacy-secret', legacy.received[0]!.raw),
    );

    await sb.customer.cancel(b.uid, 'no');
    expect(first.received).toHaveLength(2);
    expect(second.received[0]?.headers['x-cal-signature-256']).toBe(
      hmac('second-secret', second.received[0]!.raw),
    );
  });

  it('PATCH changes the secret for the next delivery; inactive and deleted subscriptions get nothing', async () => {
    const id = (await subscribe(first.url, { secret: 'old' })).body.data.id as string;
    const patched = await call('PATCH', `/v2/webhooks/${id}`, { body: { secret: 'new' } });
    expect(patched.body.data).toMatchObject({ id, secret: 'new', active: true });
    await sb.customer.book(KEY, { start: MONDAY_0900_BERLIN, eventTypeId: 101, attendee });
    expect(first.received[0]?.headers['x-cal-signature-256']).toBe(hmac('new', first.received[0]!.raw));

    await call('PATCH', `/v2/webhooks/${id}`, { body: { active: false } });
    await sb.ping(KEY);
    expect(first.received).toHaveLength(1);

    const deleted = await call('DELETE', `/v2/webhooks/${id}`);
    expect(deleted.status).toBe(200);
    expect(sb.webhooks({ apiKey: KEY })).toEqual([]);
    expect((await call('GET', `/v2/webhooks/${id}`)).status).toBe(404);
  });

  it('a subscription without a secret is signed no-secret-provided', async () => {
    await subscribe(first.url);
    await sb.ping(KEY);
    expect(first.received[0]?.headers['x-cal-signature-256']).toBe('no-secret-provided');
  });

  it('faults apply to the webhooks route', async () => {
    sb.injectFault({ route: 'webhooks', mode: 'status', status: 503, times: 1 });
    expect((await subscribe(first.url)).status).toBe(503);
    expect((await subscribe(first.url)).status).toBe(201);
  });
});
