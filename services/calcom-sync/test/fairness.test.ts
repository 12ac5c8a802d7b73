/**
 * Fairness and durability of the work list (issue 8): one tenant's backlog
 * waits in MySQL, not in the consumer's ack-pending slots, so every other
 * tenant's changes still sync in normal time; and a change whose event never
 * arrived is still synced, from MySQL.
 */
import { randomUUID } from 'node:crypto';
import type { CalcomSyncApp } from '../src/app';
import {
  addTenant,
  book,
  bookingsOf,
  createHarness,
  slot,
  startApp,
  waitForRow,
  type Harness,
} from './harness';

jest.setTimeout(120_000);

let h: Harness;
let app: CalcomSyncApp | undefined;

beforeAll(async () => {
  h = await createHarness();
  app = await startApp(h, { CALCOM_RATE_WINDOW_MS: '60000' });
});
afterAll(async () => {
  await app?.stop();
  await h.close();
});

it("1,000 changes of a tenant whose Cal.com budget is spent do not hold up another tenant's change", async () => {
  // Tenant A may make one call a minute: after the first, everything of A waits for the budget.
  const a = await addTenant(h, { rateLimitPerMinute: 1 });
  const b = await addTenant(h);
  for (let i = 0; i < 1000; i++) await book(h, a, slot(i % 400));
  const id = await book(h, b, slot(0));

  // Normal time: seconds, not the minute A's budget needs (the ack-pending slots were held that long).
  const row = await waitForRow(h, id, (r) => r.sync_status === 'synced', "tenant B's booking synced", 20_000);
  expect(bookingsOf(h, b).map((x) => x.uid)).toEqual([row.calcom_booking_uid]);
  // A's backlog is parked in MySQL, due when its budget allows, not lost.
  const [parked] = await h.db.db.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = ? AND sync_status = 'pending' AND sync_due_at IS NOT NULL`,
    [a.id],
  );
  expect(Number(parked!.n)).toBeGreaterThan(900);
  // Waiting for the budget is no attempt and leaves no audit rows.
  const [audited] = await h.db.db.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM sync_attempts WHERE tenant_id = ? AND outcome IN ('rate_limited', 'breaker_open')`,
    [a.id],
  );
  expect(Number(audited!.n)).toBe(0);
});

it('a change whose event never came (lost message, NATS down) is synced from MySQL once it is due', async () => {
  const t = await addTenant(h);
  const id = randomUUID();
  const now = new Date();
  // What booking-api commits for a new appointment; its outbox event is never published here.
  await h.db.db.execute(
    `INSERT INTO appointments (id, tenant_id, event_type_id, start_at, end_at, status, origin, customer_name,
       customer_email, customer_time_zone, version, synced_version, sync_status, sync_due_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'booked', 'admin', 'Jane Roe', 'jane@example.com', 'Europe/Berlin', 1, 0, 'pending', ?, ?, ?)`,
    [id, t.id, t.eventTypeId, slot(30), new Date(slot(30).getTime() + 30 * 60_000), now, now, now],
  );
  const row = await waitForRow(h, id, (r) => r.sync_status === 'synced', 'synced by the scheduler');
  expect(row.sync_due_at).toBeNull();
  expect(bookingsOf(h, t)).toHaveLength(1);
});
