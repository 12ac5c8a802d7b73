import { createTopology } from '@calsync/contracts';
import { connectNats, ensureStreams, type NatsHandle } from '@calsync/platform';
import {
  createLogCapture,
  startDisposableNats,
  uniqueSuffix,
  waitFor,
  type DisposableNats,
} from '@calsync/testkit';
import { bookingPayload, webhookBody } from './fixtures';
import {
  createClient,
  createTestDb,
  insertTenant,
  postSigned,
  startGateway,
  streamCount,
  type Client,
  type GatewayUnderTest,
} from './harness';

const T = { id: 'outage-tenant', webhookSecret: 'whsec_outage_0123456789', eventTypeIds: [4401] };
const topology = createTopology(`t${uniqueSuffix()}`);
const logs = createLogCapture('info');
let testDb: Awaited<ReturnType<typeof createTestDb>>;
let server: DisposableNats;
let nats: NatsHandle;
let gw: GatewayUnderTest;
let client: Client;

beforeAll(async () => {
  [testDb, server] = await Promise.all([createTestDb(), startDisposableNats()]);
  await insertTenant(testDb.db, T);
  nats = await connectNats({ url: server.url, name: 'outage-test', logger: logs.logger('nats') });
  await ensureStreams(nats.jsm, topology, { replicas: 1 });
  gw = await startGateway({
    db: testDb.db,
    nats,
    topology,
    logger: logs.logger('webhook-gateway'),
    env: { WEBHOOK_PUBLISH_TIMEOUT_MS: '1500' },
  });
  client = createClient(gw.url);
});

afterAll(async () => {
  client?.close();
  await gw?.close();
  await nats?.nc.close();
  await server?.destroy();
  await testDb?.drop();
});

describe('when NATS is down', () => {
  it("answers 503 with Retry-After, records nothing as published, and accepts Cal.com's retry once NATS is back", async () => {
    const raw = webhookBody('BOOKING_CREATED', bookingPayload(4401));
    await server.stop();

    const down = await postSigned(client, T.id, raw, T.webhookSecret);
    expect(down.status).toBe(503);
    expect(down.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
    expect((await client.get('/readyz')).status).toBe(503);
    await gw.flush();
    const rows = await testDb.db.query<{ published_at: Date | null }>(
      'SELECT published_at FROM webhook_deliveries WHERE tenant_id = ?',
      [T.id],
    );
    expect(rows.every((r) => r.published_at === null)).toBe(true);

    await server.start();
    await waitFor(async () => (await client.get('/readyz')).status === 200, { what: 'NATS reconnect' });

    const retry = await postSigned(client, T.id, raw, T.webhookSecret);
    expect(retry.status).toBe(200);
    expect(await streamCount(nats, topology)).toBe(1);
    const again = await postSigned(client, T.id, raw, T.webhookSecret);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect(await streamCount(nats, topology)).toBe(1);
    await gw.flush(); // the table is written behind the answers
    const [row] = await testDb.db.query<{ published_at: Date | null }>(
      'SELECT published_at FROM webhook_deliveries WHERE tenant_id = ?',
      [T.id],
    );
    expect(row?.published_at).toBeInstanceOf(Date);
  });
});
