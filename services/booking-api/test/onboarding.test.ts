/**
 * SPEC §4.1 onboarding as far as booking-api and Cal.com alone decide it: when
 * onboarding cannot complete (Cal.com refuses, no event types, our own write
 * fails) no tenant is left behind and no webhook stays registered. The whole
 * lifecycle with webhook-gateway receiving the signed deliveries (onboard,
 * rotate, offboard) is tested end to end: test/e2e/onboarding.test.ts.
 */
import { createCalcomSandbox, type CalcomSandbox } from '@calsync/calcom-sandbox';
import { OPERATOR_TOKEN, startBookingApi, type Harness } from './harness';

const KEY = 'cal_live_onboarding_aaaaaaaa';
const ADMIN_TOKEN = 'admin-token-onboarded-0123456789';
/** Where onboarding registers webhooks; nothing listens there, no test here makes a booking. */
const GATEWAY_URL = 'http://127.0.0.1:9';

let sandbox: CalcomSandbox;
let h: Harness;

beforeAll(async () => {
  sandbox = await createCalcomSandbox({ port: 0 });
  h = await startBookingApi({ env: { CALCOM_API_URL: sandbox.url, PUBLIC_WEBHOOK_BASE_URL: GATEWAY_URL } });
});
afterAll(async () => {
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
      `${GATEWAY_URL}/v1/webhooks/calcom/owner`,
    ]);
  });

  it('connect with event types or a webhook secret is a 400', async () => {
    const res = await op('PUT', '/v1/tenants/mixed', {
      ...connectBody(KEY, 'admin-token-mixed-0123456789ab'),
      calcom: { apiKey: KEY, connect: true, webhookSecret: 'x' },
    });
    expect(res.status).toBe(400);
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
