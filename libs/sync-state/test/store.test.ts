/**
 * The store against real MariaDB: a state survives the round trip through the
 * columns, a worker that lost its lease can start nothing, and the scheduler's
 * work list holds exactly what is due.
 */
import { randomUUID } from 'node:crypto';
import { hashToken } from '@calsync/platform';
import { createTestDb, type TestDb } from '@calsync/testkit';
import { initialLocal, startCall, localChange } from '../src/machine';
import { createSyncStateStore, LeaseLostError, type SyncStateStore } from '../src/store';

let t: TestDb;
let store: SyncStateStore;
const tenantId = 'store-test';

beforeAll(async () => {
  t = await createTestDb();
  store = createSyncStateStore(t.db);
  const now = new Date();
  await t.db.execute(
    `INSERT INTO tenants (id, name, time_zone, admin_token_hash, calcom_api_key_enc, created_at, updated_at)
     VALUES (?, 'Store test', 'Europe/Berlin', ?, 'x', ?, ?)`,
    [tenantId, hashToken(randomUUID()), now, now],
  );
});
afterAll(async () => {
  await t.drop();
});

async function appointment(): Promise<string> {
  const id = randomUUID();
  const start = new Date('2050-01-03T09:00:00Z');
  const now = new Date();
  await t.db.execute(
    `INSERT INTO appointments (id, tenant_id, event_type_id, start_at, end_at, status, origin, customer_name,
       customer_time_zone, created_at, updated_at)
     VALUES (?, ?, 1, ?, ?, 'booked', 'admin', 'Jane', 'Europe/Berlin', ?, ?)`,
    [id, tenantId, start, new Date(start.getTime() + 1800_000), now, now],
  );
  return id;
}

it('a state written through the columns reads back the same, in-flight call included', async () => {
  const id = await appointment();
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const s = startCall(
    localChange(
      initialLocal({ status: 'booked', start: new Date('2050-01-03T09:00:00Z') }, now, 0),
      {},
      now,
      0,
    ),
    'create',
    'call-1',
    now,
    30_000,
  );
  await store.write(tenantId, id, { before: (await store.read(tenantId, id))!.state, next: s }, now);
  expect((await store.read(tenantId, id))!.state).toEqual(s);
});

it('a booking the appointment moved away from is retired with the move (a late webhook of it brings nothing back)', async () => {
  const id = await appointment();
  const retired = () =>
    t.db.query<{ calcom_booking_uid: string; reason: string }>(
      'SELECT calcom_booking_uid, reason FROM calcom_booking_tombstones WHERE tenant_id = ? ORDER BY calcom_booking_uid',
      [tenantId],
    );
  const linkTo = (uid: string | null) =>
    store.transact(tenantId, id, new Date(), ({ state }) => ({ next: { ...state, uid }, result: undefined }));
  await linkTo('uid-a');
  expect(await retired()).toEqual([]); // nothing replaced yet
  await linkTo('uid-b'); // a reschedule: Cal.com's new uid
  await linkTo(null); // forgotten
  expect(await retired()).toEqual([
    { calcom_booking_uid: 'uid-a', reason: 'superseded' },
    { calcom_booking_uid: 'uid-b', reason: 'superseded' },
  ]);
});

it('a worker that lost its lease cannot run a transition that needs it; the new owner can', async () => {
  const id = await appointment();
  expect(await store.lease.acquire(tenantId, id, 'worker-a', 30)).toBe(true);
  expect(await store.lease.acquire(tenantId, id, 'worker-b', 30)).toBe(false);
  const ok = await store.transact(tenantId, id, new Date(), () => ({ next: null, result: 'ran' }), {
    leaseOwner: 'worker-a',
  });
  expect(ok?.result).toBe('ran');
  // The lease runs out (a long lookup, a stalled process) and another worker takes it.
  await t.db.execute('UPDATE appointments SET sync_lock_until = NOW(3) - INTERVAL 1 SECOND WHERE id = ?', [
    id,
  ]);
  expect(await store.lease.renew(tenantId, id, 'worker-a', 30)).toBe(false);
  expect(await store.lease.acquire(tenantId, id, 'worker-b', 30)).toBe(true);
  await expect(
    store.transact(tenantId, id, new Date(), () => ({ next: null, result: 'ran' }), {
      leaseOwner: 'worker-a',
    }),
  ).rejects.toBeInstanceOf(LeaseLostError);
  const b = await store.transact(tenantId, id, new Date(), () => ({ next: null, result: 'ran' }), {
    leaseOwner: 'worker-b',
  });
  expect(b?.result).toBe('ran');
  await store.lease.release(tenantId, id, 'worker-a'); // not a's to release: b keeps it
  expect(await store.lease.acquire(tenantId, id, 'worker-c', 30)).toBe(false);
});

it('the work list holds what is due; deferring a blocked tenant moves all of its due work in one statement', async () => {
  const [due, later] = [await appointment(), await appointment()];
  await t.db.execute('UPDATE appointments SET sync_due_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ?', [due]);
  await t.db.execute('UPDATE appointments SET sync_due_at = NOW(3) + INTERVAL 1 HOUR WHERE id = ?', [later]);
  const ids = (await store.due(100)).map((d) => d.id);
  expect(ids).toContain(due);
  expect(ids).not.toContain(later);
  expect(await store.deferTenant(tenantId, new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
  expect((await store.due(100)).map((d) => d.id)).not.toContain(due);
});
