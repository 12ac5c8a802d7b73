import { createLogCapture, createTestNats, type TestNats } from '@calsync/testkit';
import { createDeliveriesRepo } from '../src/db/deliveries-repo';
import { createDeliveryPurger } from '../src/db/purger';
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

const T = { id: 'dedup-tenant', webhookSecret: 'whsec_dedup_0123456789', eventTypeIds: [6601] };
const HOUR = 3600_000;
const logs = createLogCapture('info');
let now = new Date('2026-05-24T09:30:00.000Z');
const clock = { now: () => now };
let testDb: Awaited<ReturnType<typeof createTestDb>>;
let nats: TestNats;
let gw: GatewayUnderTest;
let client: Client;

beforeAll(async () => {
  [testDb, nats] = await Promise.all([createTestDb(), createTestNats()]);
  await insertTenant(testDb.db, T);
  gw = await startGateway({
    db: testDb.db,
    nats,
    topology: nats.topology,
    logger: logs.logger('webhook-gateway'),
    clock,
    // A replay window longer than a day, so only the de-duplication table can refuse a day-old redelivery.
    env: { WEBHOOK_REPLAY_WINDOW_SECONDS: String(7 * 24 * 3600) },
  });
  client = createClient(gw.url);
});

afterAll(async () => {
  client?.close();
  await gw?.close();
  await nats?.close();
  await testDb?.drop();
});

const publishAttempts = async () =>
  (await gw.metrics.publishDuration.get()).values
    .filter((v) => v.metricName === 'webhook_publish_duration_seconds_count')
    .reduce((a, v) => a + v.value, 0);

describe('durable de-duplication', () => {
  it('answers a redelivery 23 hours later as a duplicate without publishing again, and purges after 25 hours', async () => {
    const raw = webhookBody('BOOKING_CREATED', bookingPayload(6601), now.toISOString());
    const first = await postSigned(client, T.id, raw, T.webhookSecret);
    expect(first.status).toBe(200);
    expect(await streamCount(nats, nats.topology)).toBe(1);
    const attempts = await publishAttempts();

    now = new Date(now.getTime() + 23 * HOUR);
    const later = await postSigned(client, T.id, raw, T.webhookSecret);
    expect(later.status).toBe(200);
    expect(later.json()).toMatchObject({ duplicate: true });
    expect(await publishAttempts()).toBe(attempts); // the table answered; JetStream was not asked
    expect(await streamCount(nats, nats.topology)).toBe(1);

    await gw.flush(); // the table is written behind the answers
    const purger = createDeliveryPurger({
      deliveries: createDeliveriesRepo(testDb.db),
      clock,
      logger: logs.logger('webhook-gateway'),
      retentionMs: 25 * HOUR,
      intervalMs: 60_000,
    });
    expect(await purger.purgeOnce()).toBe(0);
    now = new Date(now.getTime() + 3 * HOUR);
    expect(await purger.purgeOnce()).toBe(1);
    purger.start();
    await purger.stop();
  });
});
