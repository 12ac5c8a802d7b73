/**
 * Issue 9 item 9: per-client and per-tenant budgets on the operator, admin and
 * Retell routes. Over budget → 429 with Retry-After and nothing changes; failed
 * authentication never spends the tenant's budget; one tenant's budget is not
 * another's.
 */
import { OPERATOR_TOKEN, createTenant, startBookingApi, type Harness } from './harness';

const harnesses: Harness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.close();
});

async function start(env: Record<string, string>) {
  const h = await startBookingApi({ env });
  harnesses.push(h);
  return h;
}

const count = async (h: Harness, table: string) => {
  const rows = await h.testDb.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]!.n);
};

const slot = (hour: number) => {
  const d = new Date(Date.now() + 7 * 86400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d.toISOString();
};
const appointment = (eventTypeId: number, hour: number) => ({
  eventTypeId,
  start: slot(hour),
  customer: { name: 'Ada', email: 'ada@example.com', timeZone: 'Europe/Berlin' },
});

it("refuses a tenant's requests over its budget with 429 and Retry-After, changing nothing", async () => {
  const h = await start({ RATE_LIMIT_TENANT_PER_MINUTE: '4' });
  const t = await createTenant(h); // the PUT spends one of the four
  const path = `/v1/tenants/${t.id}/appointments`;
  // Strangers guessing tokens spend their own client budget, not the tenant's.
  for (let i = 0; i < 5; i++)
    expect(
      (
        await h.http('POST', path, {
          token: 'wrong-token-000000000000000',
          body: appointment(t.eventTypeId, 8),
        })
      ).status,
    ).toBe(401);
  for (const hour of [9, 10, 11])
    expect(
      (await h.http('POST', path, { token: t.adminToken, body: appointment(t.eventTypeId, hour) })).status,
    ).toBe(201);
  const [appointments, outbox] = [await count(h, 'appointments'), await count(h, 'outbox')];

  const over = await h.http('POST', path, { token: t.adminToken, body: appointment(t.eventTypeId, 12) });
  expect(over.status).toBe(429);
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(over.body).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
  expect(await count(h, 'appointments')).toBe(appointments);
  expect(await count(h, 'outbox')).toBe(outbox);

  // Another tenant has its own budget.
  const other = await createTenant(h);
  expect(
    (await h.http('GET', `/v1/tenants/${other.id}/appointments`, { token: other.adminToken })).status,
  ).toBe(200);
});

it('refuses a client over its budget, even with the operator token, and creates no tenant', async () => {
  const h = await start({ RATE_LIMIT_CLIENT_PER_MINUTE: '3' });
  for (let i = 0; i < 3; i++) expect((await h.http('GET', '/v1/tenants/rl-unknown')).status).toBe(401);
  const tenants = await count(h, 'tenants');
  const over = await h.http('PUT', '/v1/tenants/rl-refused', {
    token: OPERATOR_TOKEN,
    body: {
      name: 'x',
      timeZone: 'Europe/Berlin',
      adminToken: 'a'.repeat(24),
      calcom: { apiKey: 'k', webhookSecret: 's', eventTypes: [] },
    },
  });
  expect(over.status).toBe(429);
  expect(over.headers.get('retry-after')).toBeTruthy();
  expect(await count(h, 'tenants')).toBe(tenants);
  // Probes and metrics are never limited.
  expect((await h.http('GET', '/livez')).status).toBe(200);
  const metrics = await h.http('GET', '/metrics');
  expect(String(metrics.body)).toContain('http_rate_limited_total{budget="client",outcome="refused"');
});
