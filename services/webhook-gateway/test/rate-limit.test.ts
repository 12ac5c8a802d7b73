/**
 * Issue 9 item 9: budgets per client and per tenant. Unauthenticated noise over
 * budget gets 429 with Retry-After and publishes nothing; a correctly signed
 * Cal.com delivery is never refused (Cal.com sends it once) and never spends a
 * budget, however far over it the client or the tenant is.
 */
import { createLogCapture, createTestNats, type TestNats } from '@calsync/testkit';
import { bookingPayload, webhookBody } from './fixtures';
import {
  createClient,
  createTestDb,
  insertTenant,
  postSigned,
  startGateway,
  streamCount,
  webhookPath,
  type Client,
  type GatewayUnderTest,
} from './harness';

const A = { id: 'rl-a', webhookSecret: 'whsec_rl_a_0123456789', eventTypeIds: [7101] };
const B = { id: 'rl-b', webhookSecret: 'whsec_rl_b_0123456789', eventTypeIds: [7201] };
const delivery = (eventTypeId: number) => webhookBody('BOOKING_CREATED', bookingPayload(eventTypeId));

const logs = createLogCapture('info');
let testDb: Awaited<ReturnType<typeof createTestDb>>;
let nats: TestNats;
const open: { gw: GatewayUnderTest; client: Client }[] = [];

beforeAll(async () => {
  [testDb, nats] = await Promise.all([createTestDb(), createTestNats()]);
  for (const t of [A, B]) await insertTenant(testDb.db, t);
});
afterAll(async () => {
  for (const o of open) {
    o.client.close();
    await o.gw.close();
  }
  await nats?.close();
  await testDb?.drop();
});

async function gateway(env: Record<string, string>) {
  const gw = await startGateway({
    db: testDb.db,
    nats,
    topology: nats.topology,
    logger: logs.logger('webhook-gateway'),
    env,
  });
  const client = createClient(gw.url, 4);
  open.push({ gw, client });
  return client;
}

const noise = (client: Client, tenant: string) =>
  client.request('POST', webhookPath(tenant), delivery(7101), { 'Content-Type': 'application/json' });
const published = () => streamCount(nats, nats.topology);

it('answers unsigned noise over the client budget 429 with Retry-After, publishing nothing', async () => {
  const client = await gateway({ RATE_LIMIT_CLIENT_PER_MINUTE: '3' });
  const before = await published();
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await noise(client, A.id)).status);
  expect(statuses).toEqual([401, 401, 401, 429, 429]);
  // Looks signed, is not: checked like a delivery, then refused as over budget.
  const over = await fetch(`${open.at(-1)!.gw.url}${webhookPath(A.id)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Cal-Signature-256': 'f'.repeat(64) },
    body: delivery(7101),
  });
  expect(over.status).toBe(429);
  expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(await over.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
  expect(await published()).toBe(before);
});

it('accepts and publishes every correctly signed delivery far over the client budget', async () => {
  const client = await gateway({ RATE_LIMIT_CLIENT_PER_MINUTE: '3' });
  for (let i = 0; i < 4; i++) await noise(client, A.id); // the budget is spent by noise
  const before = await published();
  for (let i = 0; i < 12; i++) {
    const r = await postSigned(
      client,
      i % 2 ? A.id : B.id,
      delivery(i % 2 ? 7101 : 7201),
      i % 2 ? A.webhookSecret : B.webhookSecret,
    );
    expect(r.status).toBe(200);
  }
  expect(await published()).toBe(before + 12);
});

it("spends one tenant's budget on noise naming it, not another tenant's, and still takes its signed deliveries", async () => {
  const client = await gateway({ RATE_LIMIT_TENANT_PER_MINUTE: '2' });
  expect((await noise(client, A.id)).status).toBe(401);
  expect((await noise(client, A.id)).status).toBe(401);
  expect((await noise(client, A.id)).status).toBe(429);
  expect((await noise(client, B.id)).status).toBe(401);
  const before = await published();
  expect((await postSigned(client, A.id, delivery(7101), A.webhookSecret)).status).toBe(200);
  expect(await published()).toBe(before + 1);
});
