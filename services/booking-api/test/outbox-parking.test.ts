/**
 * One invalid outbox row stops publishing for nobody: it is parked, counted and
 * logged, and the rows of every tenant around it are published (issue 8). While
 * NATS is down nothing is parked.
 */
import { randomUUID } from 'node:crypto';
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
  future,
  startBookingApi,
  streamMessages,
  type Harness,
  type TestTenant,
} from './harness';

let natsServer: DisposableNats;
let nats: TestNats;
let h: Harness;
let a: TestTenant;
let b: TestTenant;

beforeAll(async () => {
  natsServer = await startDisposableNats();
  nats = await createTestNats(natsServer.url);
  h = await startBookingApi({ nats, startRelay: false });
  a = await createTenant(h);
  b = await createTenant(h);
});
afterAll(async () => {
  await h.close();
  await nats.close();
  await natsServer.destroy();
});

const create = async (t: TestTenant, start: string) => {
  const res = await h.http('POST', `/v1/tenants/${t.id}/appointments`, {
    token: t.adminToken,
    body: { eventTypeId: t.eventTypeId, start, customer },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
};

/** A row whose payload is not an event (a bug elsewhere, a hand edit): it can never be published. */
async function insertInvalidRow(t: TestTenant): Promise<string> {
  const id = randomUUID();
  await h.testDb.db.execute(
    `INSERT INTO outbox (id, tenant_id, appointment_id, event, origin, payload, created_at)
     VALUES (?, ?, ?, 'booked', 'admin', '{"not": "an event"', NOW(3))`,
    [id, t.id, randomUUID()],
  );
  return id;
}

const failures = (metrics: string) =>
  Number(/outbox_publish_failures_total\{kind="outage"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);

const unpublished = () =>
  h.testDb.db.query<{ id: string; parked_at: Date | null }>(
    'SELECT id, parked_at FROM outbox WHERE published_at IS NULL ORDER BY seq',
  );

it('parks an invalid row between two tenants’ rows, publishes the rest, counts and logs it', async () => {
  const first = await create(a, future(3, 9));
  const bad = await insertInvalidRow(a);
  const second = await create(b, future(3, 10));
  const third = await create(a, future(3, 11));

  h.api.start();
  await waitFor(async () => (await unpublished()).every((r) => r.parked_at !== null), {
    what: 'every valid row published',
    timeoutMs: 15_000,
  });

  const left = await unpublished();
  expect(left.map((r) => r.id)).toEqual([bad]);
  const published = (await streamMessages(nats)).map((m) => m.data.appointmentId);
  expect(published).toEqual([first, second, third]);
  const [parkedRow] = await h.testDb.db.query<{ publish_error: string }>(
    'SELECT publish_error FROM outbox WHERE id = ?',
    [bad],
  );
  expect(parkedRow?.publish_error).toMatch(/JSON|Unexpected|Expected/);
  expect(await h.api.metrics.registry.metrics()).toMatch(
    /outbox_parked_total\{[^}]*reason="invalid"[^}]*\} 1/,
  );
  expect(
    h.logs.lines().some((l) => l.message === 'Outbox row parked; publishing the rest' && l.eventId === bad),
  ).toBe(true);
});

it('parks nothing while NATS is down (outages never count toward parking) and publishes all when it returns', async () => {
  await natsServer.stop();
  const ids = [await create(a, future(4, 9)), await create(b, future(4, 10))];
  // The relay keeps failing (each publish waits out its timeout). Outage failures never count toward
  // parking: the rows' refusal count stays 0, however long the outage lasts.
  await waitFor(async () => failures(await h.api.metrics.registry.metrics()) >= 4, {
    what: 'failed publish rounds',
    timeoutMs: 60_000,
  });
  const rows = await h.testDb.db.query<{ publish_attempts: number; parked_at: Date | null }>(
    'SELECT publish_attempts, parked_at FROM outbox WHERE appointment_id IN (?)',
    [ids],
  );
  expect(rows).toEqual(ids.map(() => ({ publish_attempts: 0, parked_at: null })));
  await natsServer.start();
  await waitFor(async () => (await unpublished()).length === 1, {
    what: 'outbox drained',
    timeoutMs: 30_000,
  });
  const published = (await streamMessages(nats)).map((m) => m.data.appointmentId);
  expect(published.slice(-2)).toEqual(ids);
});
