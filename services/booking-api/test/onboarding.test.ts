/**
 * SPEC §4.1 onboarding, rotation and offboarding end to end: one operator call
 * against the Cal.com sandbox makes a working tenant (event types read, webhook
 * registered with a generated secret); a customer's booking reaches booking-api
 * through webhook-gateway signed with that secret; a rotation loses no
 * delivery; offboarding removes the webhook and locks the tenant out while its
 * appointments stay readable to the operator.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { BOOKING_TRIGGERS } from '@calsync/contracts';
import { createTenantReader, type TenantReader } from '@calsync/db';
import { closeServer, createSecretBox, hmacSha256Hex, portOf, systemClock } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import { createWebhookGatewayApp } from '../../webhook-gateway/src/app';
import { loadConfig as loadGatewayConfig } from '../../webhook-gateway/src/config';
import { createGatewayMetrics } from '../../webhook-gateway/src/metrics';
import { DEV_SECRETS_KEY } from '../src/config';
import { OPERATOR_TOKEN, startBookingApi, type Harness, type TestTenant } from './harness';
import { bookingPayload, slot } from './inbound-helpers';

const KEY = 'cal_live_onboarding_aaaaaaaa';
const EVENT_TYPE = 7_300_001;
const ADMIN_TOKEN = 'admin-token-onboarded-0123456789';

let sandbox: CalcomSandbox;
let h: Harness;
let gateway: Server;
let gatewayUrl: string;
let gatewayTenants: TenantReader;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ port: 0 });
  // The gateway's address must be known before booking-api starts (PUBLIC_WEBHOOK_BASE_URL), and the
  // gateway needs booking-api's database: listen first, attach the gateway app once it exists.
  let handler: RequestListener = (_req, res) => res.writeHead(503).end();
  gateway = createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  gatewayUrl = `http://127.0.0.1:${portOf(gateway)}`;
  h = await startBookingApi({ env: { CALCOM_API_URL: sandbox.url, PUBLIC_WEBHOOK_BASE_URL: gatewayUrl } });
  gatewayTenants = createTenantReader({ db: h.testDb.db, secrets: createSecretBox(DEV_SECRETS_KEY) });
  handler = createWebhookGatewayApp({
    config: loadGatewayConfig({ NODE_ENV: 'test' }),
    logger: h.logs.logger('webhook-gateway'),
    db: h.testDb.db,
    js: h.nats.js,
    nc: h.nats.nc,
    topology: h.nats.topology,
    tenants: gatewayTenants,
    clock: systemClock,
    metrics: createGatewayMetrics(),
  });
  sandbox.addAccount({
    apiKey: KEY,
    eventTypes: [{ id: EVENT_TYPE, title: 'Beratung', lengthInMinutes: 30 }],
  });
});
afterAll(async () => {
  await closeServer(gateway);
  await h.close();
  await sandbox.close();
});

const op = (method: string, path: string, body?: unknown) =>
  h.http(method, path, { token: OPERATOR_TOKEN, body });
const connectBody = (apiKey: string, adminToken = ADMIN_TOKEN) => ({
  name: 'Praxis Muster',
  timeZone: 'Europe/Berlin',
  adminToken,
  calcom: { apiKey, connect: true },
});
const attendee = { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' };
const asTenant = { eventTypeId: EVENT_TYPE } as Pick<TestTenant, 'eventTypeId'> as TestTenant;

/** A delivery as Cal.com would sign it with `secret`, posted straight to the gateway. */
async function deliver(tenantId: string, secret: string, start: Date) {
  const payload = bookingPayload(asTenant, start);
  const raw = JSON.stringify({
    triggerEvent: 'BOOKING_CREATED',
    createdAt: new Date().toISOString(),
    payload,
  });
  const res = await fetch(`${gatewayUrl}/v1/webhooks/calcom/${tenantId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cal-signature-256': hmacSha256Hex(secret, raw) },
    body: raw,
  });
  return { status: res.status, uid: payload.uid! };
}

const appointmentWithUid = (tenantId: string, uid: string) =>
  waitFor(
    async () => {
      const res = await op('GET', `/v1/tenants/${tenantId}/appointments?limit=200`);
      return (res.body.items as { sync: { calcomBookingUid: string } }[]).find(
        (a) => a.sync.calcomBookingUid === uid,
      );
    },
    { what: `the appointment of booking ${uid}` },
  );

const subscriptionOf = (tenantId: string, apiKey = KEY) =>
  sandbox
    .webhooks({ apiKey })
    .find((w) => w.subscriberUrl === `${gatewayUrl}/v1/webhooks/calcom/${tenantId}`);

it('onboards in one call, receives a signed booking, rotates without losing a delivery, and offboards', async () => {
  const put = await op('PUT', '/v1/tenants/praxis', connectBody(KEY));
  expect(put.status).toBe(201);
  const hook = subscriptionOf('praxis');
  expect(hook).toMatchObject({ active: true, triggers: [...BOOKING_TRIGGERS] });
  expect(hook?.secret).toMatch(/^[0-9a-f]{64}$/);
  expect(put.body).toMatchObject({
    id: 'praxis',
    calcom: {
      eventTypes: [{ id: EVENT_TYPE, title: 'Beratung', lengthInMinutes: 30 }],
      apiKeySet: true,
      webhookSecretSet: true,
      webhook: { id: hook!.id, registered: true },
    },
  });
  expect(JSON.stringify(put.body)).not.toContain(hook!.secret);
  expect(JSON.stringify(put.body)).not.toContain(KEY);
  expect((await op('GET', '/v1/tenants')).body.items.map((t: { id: string }) => t.id)).toContain('praxis');

  // A customer books on Cal.com: the delivery is signed with the generated secret.
  const first = await sandbox.customer.book(KEY, {
    start: slot(1).toISOString(),
    eventTypeId: EVENT_TYPE,
    attendee,
  });
  expect(await appointmentWithUid('praxis', first.uid)).toMatchObject({ origin: 'calcom', status: 'booked' });
  expect(sandbox.calls({ kind: 'webhook' }).at(-1)?.status).toBe(200);

  // Rotation: Cal.com gets a new secret; a delivery signed with the old one just after is still accepted.
  const oldSecret = hook!.secret!;
  const rotated = await op('POST', '/v1/tenants/praxis/calcom/rotate-webhook-secret');
  expect(rotated.status).toBe(200);
  expect(rotated.body.webhook).toMatchObject({
    id: hook!.id,
    previousSecretAcceptedUntil: expect.any(String),
  });
  const newSecret = subscriptionOf('praxis')!.secret!;
  expect(newSecret).not.toBe(oldSecret);
  expect(JSON.stringify(rotated.body)).not.toContain(newSecret);

  const late = await deliver('praxis', oldSecret, slot(3));
  expect(late.status).toBe(200);
  await appointmentWithUid('praxis', late.uid);
  // The gateway may still hold the tenant as it was before the rotation; Cal.com already signs with the new secret.
  const second = await sandbox.customer.book(KEY, {
    start: slot(5).toISOString(),
    eventTypeId: EVENT_TYPE,
    attendee,
  });
  expect(sandbox.calls({ kind: 'webhook' }).at(-1)?.status).toBe(200);
  await appointmentWithUid('praxis', second.uid);
  expect((await deliver('praxis', 'not-the-secret', slot(7))).status).toBe(401);

  // Offboarding.
  const del = await op('DELETE', '/v1/tenants/praxis');
  expect(del.status).toBe(200);
  expect(del.body).toMatchObject({ id: 'praxis', removed: true, webhook: { id: hook!.id, deleted: true } });
  expect(subscriptionOf('praxis')).toBeUndefined();
  gatewayTenants.invalidate('praxis'); // what the gateway's cache TTL (5 s) does on its own
  expect((await deliver('praxis', newSecret, slot(9))).status).toBe(401);
  expect((await h.http('GET', '/v1/tenants/praxis/appointments', { token: ADMIN_TOKEN })).status).toBe(401);
  expect((await op('GET', '/v1/tenants/praxis')).status).toBe(404);
  expect((await op('GET', '/v1/tenants')).body.items.map((t: { id: string }) => t.id)).not.toContain(
    'praxis',
  );
  const kept = await op('GET', '/v1/tenants/praxis/appointments');
  expect(kept.status).toBe(200);
  expect(kept.body.items).toHaveLength(3);
  expect((await op('DELETE', '/v1/tenants/praxis')).body).toMatchObject({ removed: true, webhook: null });

  const [row] = await h.testDb.db.query<Record<string, unknown>>('SELECT * FROM tenants WHERE id = ?', [
    'praxis',
  ]);
  expect(row).toMatchObject({
    admin_token_hash: null,
    calcom_api_key_enc: null,
    calcom_webhook_secret_enc: null,
    calcom_webhook_secret_prev_enc: null,
    retell_api_key_enc: null,
  });
});

describe('when onboarding cannot complete', () => {
  const noRow = async (id: string) => (await op('GET', `/v1/tenants/${id}`)).status;

  it('a Cal.com refusal is a 502 with its reason and leaves no tenant', async () => {
    const res = await op(
      'PUT',
      '/v1/tenants/bad-key',
      connectBody('cal_live_unknown_key_zzzz', 'admin-token-bad-key-0123456789'),
    );
    expect(res.status).toBe(502);
    expect(res.body.error.message).toContain('Invalid Access Token');
    expect(await noRow('bad-key')).toBe(404);
  });

  it('a failing webhook registration is a 502 and leaves no tenant', async () => {
    sandbox.addAccount({
      apiKey: 'cal_live_hookfail_aaaaaa',
      eventTypes: [{ id: 7_300_002, lengthInMinutes: 15 }],
    });
    sandbox.injectFault({
      route: 'webhooks',
      mode: 'status',
      status: 500,
      times: 1,
      apiKey: 'cal_live_hookfail_aaaaaa',
    });
    const res = await op(
      'PUT',
      '/v1/tenants/hook-fail',
      connectBody('cal_live_hookfail_aaaaaa', 'admin-token-hook-fail-012345678'),
    );
    expect(res.status).toBe(502);
    expect(await noRow('hook-fail')).toBe(404);
  });

  it('an account without event types is a 422 and registers nothing', async () => {
    sandbox.addAccount({ apiKey: 'cal_live_empty_aaaaaaaa', eventTypes: [] });
    const res = await op(
      'PUT',
      '/v1/tenants/empty',
      connectBody('cal_live_empty_aaaaaaaa', 'admin-token-empty-0123456789ab'),
    );
    expect(res.status).toBe(422);
    expect(sandbox.webhooks({ apiKey: 'cal_live_empty_aaaaaaaa' })).toEqual([]);
    expect(await noRow('empty')).toBe(404);
  });

  it('a failed database write removes the webhook it registered', async () => {
    const key = 'cal_live_shared_aaaaaaa';
    sandbox.addAccount({ apiKey: key, eventTypes: [{ id: 7_300_003, lengthInMinutes: 30 }] });
    expect(
      (await op('PUT', '/v1/tenants/owner', connectBody(key, 'admin-token-owner-0123456789ab'))).status,
    ).toBe(201);
    // Same Cal.com account again: its event types already belong to "owner", so the row is refused.
    const res = await op('PUT', '/v1/tenants/copycat', connectBody(key, 'admin-token-copycat-0123456789'));
    expect(res.status).toBe(409);
    expect(sandbox.webhooks({ apiKey: key }).map((w) => w.subscriberUrl)).toEqual([
      `${gatewayUrl}/v1/webhooks/calcom/owner`,
    ]);
  });

  it('connect with event types or a webhook secret is a 400', async () => {
    const res = await op('PUT', '/v1/tenants/mixed', {
      ...connectBody(KEY, 'admin-token-mixed-0123456789ab'),
      calcom: { apiKey: KEY, connect: true, webhookSecret: 'x' },
    });
    expect(res.status).toBe(400);
  });

  it('a rotation Cal.com refuses keeps the secret Cal.com still signs with', async () => {
    const key = 'cal_live_rotatefail_aaaa';
    sandbox.addAccount({ apiKey: key, eventTypes: [{ id: 7_300_004, lengthInMinutes: 30 }] });
    expect(
      (await op('PUT', '/v1/tenants/rot-fail', connectBody(key, 'admin-token-rot-fail-012345678'))).status,
    ).toBe(201);
    const secret = subscriptionOf('rot-fail', key)!.secret!;
    sandbox.injectFault({ route: 'webhooks', mode: 'status', status: 400, times: 1, apiKey: key });
    const res = await op('POST', '/v1/tenants/rot-fail/calcom/rotate-webhook-secret');
    expect(res.status).toBe(502);
    expect(subscriptionOf('rot-fail', key)!.secret).toBe(secret);
    // Still current, not "previous" with a 10-minute clock running out on it.
    const [row] = await h.testDb.db.query<Record<string, unknown>>(
      'SELECT calcom_webhook_secret_prev_enc, calcom_webhook_secret_rotated_at FROM tenants WHERE id = ?',
      ['rot-fail'],
    );
    expect(row).toEqual({ calcom_webhook_secret_prev_enc: null, calcom_webhook_secret_rotated_at: null });
    const booked = await sandbox.customer.book(key, {
      start: slot(11).toISOString(),
      eventTypeId: 7_300_004,
      attendee,
    });
    expect(sandbox.calls({ kind: 'webhook' }).at(-1)?.status).toBe(200);
    await appointmentWithUid('rot-fail', booked.uid);
  });

  it('rotation of a tenant onboarded by hand (no registered webhook) is a 409', async () => {
    const res = await op('PUT', '/v1/tenants/manual', {
      name: 'Manual',
      timeZone: 'Europe/Berlin',
      adminToken: 'admin-token-manual-0123456789a',
      calcom: {
        apiKey: 'cal_live_manual',
        webhookSecret: 's',
        eventTypes: [{ id: 7_300_009, title: 'T', lengthInMinutes: 30 }],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.calcom.webhook).toBeUndefined();
    expect((await op('POST', '/v1/tenants/manual/calcom/rotate-webhook-secret')).status).toBe(409);
  });
});
