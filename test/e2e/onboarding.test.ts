/**
 * SPEC §4.1 onboarding, rotation and offboarding end to end: one operator call
 * against the Cal.com sandbox makes a working tenant (event types read, webhook
 * registered at the gateway with a generated secret); a customer's booking reaches
 * booking-api through webhook-gateway signed with that secret; a rotation loses no
 * delivery; offboarding removes the webhook and locks the tenant out while its
 * appointments stay readable to the operator. (Moved from booking-api's
 * test/onboarding.test.ts, which ran the gateway in-process; the refusals that need
 * booking-api and Cal.com alone stayed there.)
 */
import { BOOKING_TRIGGERS } from '@calsync/contracts';
import { waitFor } from '@calsync/testkit';
import { bookingCreated } from './calcom-webhook';
import { PATIENCE_MS, OPERATOR_TOKEN, slot, startE2eSystem, type E2eSystem } from './system';

const KEY = 'cal_live_onboarding_aaaaaaaa';
const EVENT_TYPE = 7_300_001;
const ADMIN_TOKEN = 'admin-token-onboarded-0123456789';

let sys: E2eSystem;
let gatewayUrl: string;

beforeAll(async () => {
  sys = await startE2eSystem();
  gatewayUrl = sys.services.url['webhook-gateway'];
  sys.sandbox.addAccount({
    apiKey: KEY,
    eventTypes: [{ id: EVENT_TYPE, title: 'Beratung', lengthInMinutes: 30 }],
  });
});
afterAll(() => sys?.close());

const op = (method: string, path: string, body?: unknown) =>
  sys.api(method, path, { token: OPERATOR_TOKEN, body });
const connectBody = (apiKey: string, adminToken = ADMIN_TOKEN) => ({
  name: 'Praxis Muster',
  timeZone: 'Europe/Berlin',
  adminToken,
  calcom: { apiKey, connect: true },
});
const attendee = { name: 'Jane Roe', email: 'jane@example.com', timeZone: 'Europe/Berlin' };

/** A delivery as Cal.com would sign it with `secret`, posted straight to the gateway. */
async function deliver(tenantId: string, secret: string, start: Date) {
  const { raw, uid } = bookingCreated(EVENT_TYPE, start);
  const res = await sys.deliver({ id: tenantId, webhookSecret: secret }, raw);
  return { status: res.status, uid };
}

const appointmentWithUid = (tenantId: string, uid: string) =>
  waitFor(
    async () => {
      const res = await op('GET', `/v1/tenants/${tenantId}/appointments?limit=200`);
      return (res.body.items as { sync: { calcomBookingUid: string } }[]).find(
        (a) => a.sync.calcomBookingUid === uid,
      );
    },
    { what: `the appointment of booking ${uid}`, timeoutMs: PATIENCE_MS },
  );

const subscriptionOf = (tenantId: string, apiKey = KEY) =>
  sys.sandbox
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
  const first = await sys.sandbox.customer.book(KEY, {
    start: slot(1).toISOString(),
    eventTypeId: EVENT_TYPE,
    attendee,
  });
  expect(await appointmentWithUid('praxis', first.uid)).toMatchObject({ origin: 'calcom', status: 'booked' });
  expect(sys.sandbox.calls({ kind: 'webhook' }).at(-1)?.status).toBe(200);

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
  const second = await sys.sandbox.customer.book(KEY, {
    start: slot(5).toISOString(),
    eventTypeId: EVENT_TYPE,
    attendee,
  });
  expect(sys.sandbox.calls({ kind: 'webhook' }).at(-1)?.status).toBe(200);
  await appointmentWithUid('praxis', second.uid);
  expect((await deliver('praxis', 'not-the-secret', slot(7))).status).toBe(401);

  // Offboarding.
  const del = await op('DELETE', '/v1/tenants/praxis');
  expect(del.status).toBe(200);
  expect(del.body).toMatchObject({ id: 'praxis', removed: true, webhook: { id: hook!.id, deleted: true } });
  expect(subscriptionOf('praxis')).toBeUndefined();
  expect((await sys.api('GET', '/v1/tenants/praxis/appointments', { token: ADMIN_TOKEN })).status).toBe(401);
  expect((await op('GET', '/v1/tenants/praxis')).status).toBe(404);
  expect((await op('GET', '/v1/tenants')).body.items.map((t: { id: string }) => t.id)).not.toContain(
    'praxis',
  );
  const kept = await op('GET', '/v1/tenants/praxis/appointments');
  expect(kept.status).toBe(200);
  expect(kept.body.items).toHaveLength(3);
  expect((await op('DELETE', '/v1/tenants/praxis')).body).toMatchObject({ removed: true, webhook: null });

  const [row] = await sys.services.db.db.query<Record<string, unknown>>(
    'SELECT * FROM tenants WHERE id = ?',
    ['praxis'],
  );
  expect(row).toMatchObject({
    admin_token_hash: null,
    calcom_api_key_enc: null,
    calcom_webhook_secret_enc: null,
    calcom_webhook_secret_prev_enc: null,
    retell_api_key_enc: null,
  });

  // The gateway, a process of its own, lets go of the removed tenant once its cache entry (5 s) ends:
  // then the secret Cal.com signed with is refused. The same bytes each time, so at most one gets through.
  const after = bookingCreated(EVENT_TYPE, slot(9));
  await waitFor(
    async () => (await sys.deliver({ id: 'praxis', webhookSecret: newSecret }, after.raw)).status === 401,
    { what: 'the gateway to refuse the offboarded tenant', timeoutMs: PATIENCE_MS, intervalMs: 500 },
  );
});

it('a rotation Cal.com refuses keeps the secret Cal.com still signs with', async () => {
  const key = 'cal_live_rotatefail_aaaa';
  sys.sandbox.addAccount({ apiKey: key, eventTypes: [{ id: 7_300_004, lengthInMinutes: 30 }] });
  expect(
    (await op('PUT', '/v1/tenants/rot-fail', connectBody(key, 'admin-token-rot-fail-012345678'))).status,
  ).toBe(201);
  const secret = subscriptionOf('rot-fail', key)!.secret!;
  sys.sandbox.injectFault({ route: 'webhooks', mode: 'status', status: 400, times: 1, apiKey: key });
  const res = await op('POST', '/v1/tenants/rot-fail/calcom/rotate-webhook-secret');
  expect(res.status).toBe(502);
  expect(subscriptionOf('rot-fail', key)!.secret).toBe(secret);
  // Still current, not "previous" with a 10-minute clock running out on it.
  const [row] = await sys.services.db.db.query<Record<string, unknown>>(
    'SELECT calcom_webhook_secret_prev_enc, calcom_webhook_secret_rotated_at FROM tenants WHERE id = ?',
    ['rot-fail'],
  );
  expect(row).toEqual({ calcom_webhook_secret_prev_enc: null, calcom_webhook_secret_rotated_at: null });
  const booked = await sys.sandbox.customer.book(key, {
    start: slot(11).toISOString(),
    eventTypeId: 7_300_004,
    attendee,
  });
  expect(sys.sandbox.calls({ kind: 'webhook' }).at(-1)?.status).toBe(200);
  await appointmentWithUid('rot-fail', booked.uid);
});
