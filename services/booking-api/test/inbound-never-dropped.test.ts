/**
 * Nothing accepted is ever dropped silently (issue 8): the gateway answered
 * Cal.com 200, so the inbound applier waits out any outage, however long, and a
 * delivery that keeps failing for another reason is parked in MySQL, counted,
 * logged and acked.
 */
import type { Registry } from 'prom-client';
import { createDb, type Db } from '@calsync/db';
import { createMetrics, systemClock } from '@calsync/platform';
import {
  createLogCapture,
  createTestDb,
  createTestNats,
  freePort,
  waitFor,
  type TestDb,
  type TestNats,
} from '@calsync/testkit';
import { createInboundParkedRepo } from '../src/db/inbound-parked-repo';
import type { InboundApplier } from '../src/domain/inbound';
import { createInboundConsumer } from '../src/messaging/inbound-consumer';
import { createBookingApiMetrics } from '../src/metrics';
import { publishInbound } from './inbound-helpers';

let nats: TestNats;
let testDb: TestDb;
/** A MySQL that is not there: its errors are the real driver's (ECONNREFUSED). */
let downDb: Db;

beforeAll(async () => {
  nats = await createTestNats();
  testDb = await createTestDb();
  downDb = createDb({ url: `mysql://root@127.0.0.1:${await freePort()}/gone`, poolMax: 2 });
});
afterAll(async () => {
  await downDb.close();
  await testDb.drop();
  await nats.close();
});

const payload = { uid: 'u1', eventTypeId: 7, startTime: '2050-09-05T07:00:00Z' };
const def = () => nats.topology.consumers.inboundApplier;

function consumerWith(apply: InboundApplier['apply']) {
  const logs = createLogCapture();
  const metrics = createBookingApiMetrics(createMetrics('booking-api-test'));
  const c = createInboundConsumer({
    js: nats.js,
    def: def(),
    applier: { apply },
    parking: createInboundParkedRepo(testDb.db),
    logger: logs.logger('booking-api'),
    metrics,
    clock: systemClock,
    // Short delays stand in for the production 2 s … 60 s: the count of deliveries is what matters.
    retryDelayMs: 10,
    maxRetryDelayMs: 50,
  });
  return { c, logs, registry: metrics.registry };
}

async function drained() {
  await waitFor(async () => {
    const info = await nats.jsm.consumers.info(def().stream, def().durable);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  });
}

const metricValue = async (registry: Registry, name: string) =>
  Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(await registry.metrics())?.[1] ?? 0);

it('an outage longer than any delivery limit is waited out: the change is applied after recovery', async () => {
  const deliveries: number[] = [];
  let recovered = false;
  const { c } = consumerWith(async () => {
    deliveries.push(deliveries.length + 1);
    if (!recovered) await downDb.query('SELECT 1'); // throws ECONNREFUSED
    return { outcome: 'created' };
  });
  c.start();
  await publishInbound({ nats }, 'acme', 'BOOKING_CREATED', payload);
  // Well past the old max_deliver (10), and past the parking threshold for bugs.
  await waitFor(() => deliveries.length >= 15, { what: '15 failed deliveries', timeoutMs: 60_000 });
  recovered = true;
  await drained();
  await c.stop();
  const [parked] = await testDb.db.query<{ n: number }>('SELECT COUNT(*) AS n FROM inbound_parked');
  expect(Number(parked?.n)).toBe(0);
  expect(deliveries.length).toBeGreaterThan(15);
});

it('a delivery that keeps failing for another reason is parked in MySQL, counted, logged and acked', async () => {
  let tries = 0;
  const { c, logs, registry } = consumerWith(() => {
    tries++;
    return Promise.reject(new TypeError("Cannot read properties of undefined (reading 'uid')"));
  });
  c.start();
  await publishInbound({ nats }, 'acme', 'BOOKING_CANCELLED', payload);
  await drained();
  await c.stop();
  const rows = await testDb.db.query<{
    subject: string;
    tenant_id: string;
    payload: string;
    error: string;
    deliveries: number;
  }>(
    "SELECT subject, tenant_id, payload, error, deliveries FROM inbound_parked WHERE subject LIKE '%CANCELLED'",
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ tenant_id: 'acme', deliveries: tries });
  expect(rows[0]!.error).toContain('Cannot read properties');
  expect(JSON.parse(rows[0]!.payload).payload.uid).toBe('u1');
  expect(await metricValue(registry, 'inbound_parked_total')).toBe(1);
  expect(logs.lines().some((l) => l.message === 'Cal.com delivery parked')).toBe(true);
});
