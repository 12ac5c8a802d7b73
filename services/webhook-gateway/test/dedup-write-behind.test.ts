/**
 * De-duplication without MySQL on the hot path (README "De-duplication"): a fresh delivery's
 * copies are caught by JetStream's msgId alone, an older one by the deliveries table, which is
 * written behind the answers in batches and on shutdown; MySQL being away fails no fresh delivery.
 */
import { createTopology } from '@calsync/contracts';
import { createDb, ensureDatabase, migrate, type Db } from '@calsync/db';
import { ensureStreams, sha256Hex } from '@calsync/platform';
import {
  createLogCapture,
  createTestNats,
  startDisposableMariadb,
  uniqueSuffix,
  waitFor,
  type DisposableMariadb,
  type TestNats,
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

const T = { id: 'wb-tenant', webhookSecret: 'whsec_wb_0123456789', eventTypeIds: [8801] };
const MIN = 60_000;
const logs = createLogCapture('info');
let now = new Date();
const clock = { now: () => now };
let testDb: Awaited<ReturnType<typeof createTestDb>>;
let nats: TestNats;

/** The test database, with every statement on the deliveries table noted. */
function spiedDb(db: Db) {
  const statements: string[] = [];
  const note = (sql: string) => {
    if (sql.includes('webhook_deliveries')) statements.push(sql.trim().split(/\s+/)[0]!.toUpperCase());
  };
  const spied: Db = {
    get sequelize() {
      return db.sequelize;
    },
    name: db.name,
    query: (sql, r, tx) => (note(sql), db.query(sql, r, tx)),
    execute: (sql, r, tx) => (note(sql), db.execute(sql, r, tx)),
    transaction: (fn) => db.transaction(fn),
    ping: () => db.ping(),
    close: () => db.close(),
  };
  return { db: spied, statements };
}

const delivery = (createdAt = new Date()) =>
  webhookBody('BOOKING_CREATED', bookingPayload(8801), createdAt.toISOString());
const publishedRows = (db: Db) =>
  db.query<{ delivery_id: string }>(
    'SELECT delivery_id FROM webhook_deliveries WHERE tenant_id = ? AND published_at IS NOT NULL',
    [T.id],
  );
const publishAttempts = async (gw: GatewayUnderTest) =>
  (await gw.metrics.publishDuration.get()).values
    .filter((v) => v.metricName === 'webhook_publish_duration_seconds_count')
    .reduce((a, v) => a + v.value, 0);

beforeAll(async () => {
  [testDb, nats] = await Promise.all([createTestDb(), createTestNats()]);
  await insertTenant(testDb.db, T);
});

afterAll(async () => {
  await nats?.close();
  await testDb?.drop();
});

describe('with the stream’s default 10-minute duplicate window', () => {
  let spy: ReturnType<typeof spiedDb>;
  let gw: GatewayUnderTest;
  let client: Client;

  beforeAll(async () => {
    spy = spiedDb(testDb.db);
    gw = await startGateway({
      db: spy.db,
      nats,
      topology: nats.topology,
      logger: logs.logger('webhook-gateway'),
      clock,
      records: { flushIntervalMs: 60_000 }, // written when the test says so
    });
    client = createClient(gw.url);
  });
  afterAll(async () => {
    client?.close();
    await gw?.close();
  });
  beforeEach(() => {
    spy.statements.length = 0;
    now = new Date();
  });

  it('publishes a fresh delivery once and answers its copies "duplicate", without a MySQL statement on the way', async () => {
    const before = await streamCount(nats, nats.topology);
    const [a, b] = [delivery(now), delivery(now)];
    const answers = await Promise.all(
      [a, a, a, b, b].map((raw) => postSigned(client, T.id, raw, T.webhookSecret)),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const duplicates = answers.map((r) => (r.json() as { duplicate: boolean }).duplicate);
    expect(duplicates.filter((d) => !d)).toHaveLength(2);
    const again = await postSigned(client, T.id, a, T.webhookSecret);
    expect(again.json()).toMatchObject({ duplicate: true });
    expect(await streamCount(nats, nats.topology)).toBe(before + 2);
    expect(spy.statements).toEqual([]);

    await gw.flush();
    expect(spy.statements).toEqual(['INSERT']); // both deliveries, one statement
    expect(await publishedRows(testDb.db)).toHaveLength(2);
  });

  it('answers a copy that comes after the duplicate window (but inside the replay window) from the table, without publishing', async () => {
    const raw = delivery(now);
    expect((await postSigned(client, T.id, raw, T.webhookSecret)).json()).toMatchObject({ duplicate: false });
    await gw.flush();
    expect(gw.recorder.pending).toBe(0);
    const count = await streamCount(nats, nats.topology);
    const attempts = await publishAttempts(gw);

    now = new Date(now.getTime() + 20 * MIN); // Cal.com's retry queue: 20 min old, replay window 30 min
    const later = await postSigned(client, T.id, raw, T.webhookSecret);
    expect(later.status).toBe(200);
    expect(later.json()).toMatchObject({ duplicate: true });
    expect(spy.statements).toEqual(['INSERT', 'SELECT']);
    expect(await publishAttempts(gw)).toBe(attempts); // the table answered; JetStream was not asked
    expect(await streamCount(nats, nats.topology)).toBe(count);
  });
});

it('writes the buffered records in one statement when the gateway stops', async () => {
  const spy = spiedDb(testDb.db);
  const gw = await startGateway({
    db: spy.db,
    nats,
    topology: nats.topology,
    logger: logs.logger('webhook-gateway'),
    records: { flushIntervalMs: 60_000 },
  });
  const client = createClient(gw.url);
  const bodies = [delivery(), delivery(), delivery()];
  try {
    for (const raw of bodies) expect((await postSigned(client, T.id, raw, T.webhookSecret)).status).toBe(200);
    expect(gw.recorder.pending).toBe(3);
    expect(spy.statements).toEqual([]);
  } finally {
    client.close();
    await gw.close();
  }
  expect(spy.statements).toEqual(['INSERT']);
  expect(gw.recorder.pending).toBe(0);
  const ids = (await publishedRows(testDb.db)).map((r) => r.delivery_id);
  expect(ids).toEqual(expect.arrayContaining(bodies.map((b) => sha256Hex(b))));
});

it('publishes a copy only once even after JetStream forgot its msgId: the table remembers', async () => {
  // A stream that forgets after 1 s, so the table is all that stands between a late copy and a second message.
  const topology = createTopology(`t${uniqueSuffix()}`);
  await ensureStreams(nats.jsm, topology, { replicas: 1, duplicateWindowMs: 1_000 });
  const gw = await startGateway({ db: testDb.db, nats, topology, logger: logs.logger('webhook-gateway') });
  const client = createClient(gw.url);
  try {
    const raw = delivery(new Date());
    expect((await postSigned(client, T.id, raw, T.webhookSecret)).json()).toMatchObject({ duplicate: false });
    await gw.flush();
    // JetStream alone would now take the same msgId again:
    const control = topology.subjects.calcomInbound('control', 'X');
    await nats.js.publish(control, 'x', { msgID: 'control' });
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await nats.js.publish(control, 'x', { msgID: 'control' })).duplicate).toBe(false);

    const late = await postSigned(client, T.id, raw, T.webhookSecret);
    expect(late.status).toBe(200);
    expect(late.json()).toMatchObject({ duplicate: true });
    expect(await streamCount(nats, topology)).toBe(1 + 2);
  } finally {
    client.close();
    await gw.close();
    for (const s of Object.values(topology.streams)) await nats.jsm.streams.delete(s.name).catch(() => false);
  }
});

describe('when MySQL is down', () => {
  let mysql: DisposableMariadb;
  let db: Db;
  let gw: GatewayUnderTest;
  let client: Client;

  beforeAll(async () => {
    mysql = await startDisposableMariadb();
    const url = `${mysql.url}/calsync_gw_down`;
    await ensureDatabase(url);
    db = createDb({ url, poolMax: 10 });
    await migrate(db);
    await insertTenant(db, T);
    gw = await startGateway({
      db,
      nats,
      topology: nats.topology,
      logger: logs.logger('webhook-gateway'),
      tenantTtlMs: 1, // the reader's cache is no help: the last known record is
      records: { flushIntervalMs: 50, maxBackoffMs: 200, maxAttempts: 1_000 },
    });
    client = createClient(gw.url);
  });
  afterAll(async () => {
    client?.close();
    await gw?.close();
    await db?.close();
    await mysql?.destroy();
  });

  it('still publishes fresh deliveries and answers 200; an old one gets 503 until MySQL can say; records are written once it is back', async () => {
    expect((await postSigned(client, T.id, delivery(), T.webhookSecret)).status).toBe(200);
    const before = await streamCount(nats, nats.topology);
    await mysql.stop();

    const fresh = delivery();
    const first = await postSigned(client, T.id, fresh, T.webhookSecret);
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({ duplicate: false });
    expect((await postSigned(client, T.id, fresh, T.webhookSecret)).json()).toMatchObject({
      duplicate: true,
    });
    expect(await streamCount(nats, nats.topology)).toBe(before + 1);

    const old = delivery(new Date(Date.now() - 10 * MIN));
    const refused = await postSigned(client, T.id, old, T.webhookSecret);
    expect(refused.status).toBe(503);
    expect(refused.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect((await client.get('/readyz')).status).toBe(503); // readiness still reports MySQL (SPEC §4.5)
    expect(gw.recorder.pending).toBeGreaterThanOrEqual(1);

    await mysql.start();
    await waitFor(() => gw.recorder.pending === 0, { timeoutMs: 30_000, what: 'records written' });
    expect(await publishedRows(db)).toHaveLength(2);
    const retried = await postSigned(client, T.id, old, T.webhookSecret);
    expect(retried.status).toBe(200);
    expect(await streamCount(nats, nats.topology)).toBe(before + 2);
  });
});
