import {
  createTestNats,
  startDisposableNats,
  waitFor,
  type DisposableNats,
  type TestNats,
} from '@calsync/testkit';
import {
  createTenant,
  customer,
  startBookingApi,
  streamMessages,
  type Harness,
  type TestTenant,
} from './harness';

let natsServer: DisposableNats;
let nats: TestNats;
let h: Harness;
let t: TestTenant;

beforeAll(async () => {
  natsServer = await startDisposableNats();
  nats = await createTestNats(natsServer.url);
  h = await startBookingApi({ nats });
  t = await createTenant(h);
});
afterAll(async () => {
  await h.close();
  await nats.close();
  await natsServer.destroy();
});

function startAt(i: number) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 30);
  d.setUTCHours(0, 0, 0, 0);
  return new Date(d.getTime() + i * 30 * 60_000).toISOString();
}

it('keeps every write while NATS is down and publishes all 200 exactly once when it returns', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 200; i++) {
    if (i === 50) await natsServer.stop();
    const res = await h.http('POST', `/v1/tenants/${t.id}/appointments`, {
      token: t.adminToken,
      body: { eventTypeId: t.eventTypeId, start: startAt(i), customer },
    });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  const [pending] = await h.testDb.db.query<{ n: number }>(
    'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL',
  );
  expect(Number(pending!.n)).toBeGreaterThan(0);

  await natsServer.start();
  await waitFor(
    async () => {
      const [row] = await h.testDb.db.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL',
      );
      return Number(row!.n) === 0;
    },
    { timeoutMs: 60_000, what: 'outbox drained' },
  );
  const messages = await streamMessages(nats);
  expect(messages).toHaveLength(200);
  const msgIds = messages.map((m) => m.headers['Nats-Msg-Id']);
  expect(new Set(msgIds).size).toBe(200);
  expect(new Set(messages.map((m) => m.data.appointmentId))).toEqual(new Set(ids));
  // commit order is kept
  expect(messages.map((m) => m.data.appointmentId)).toEqual(ids);
});
