import { createTestDb, type TestDb } from '@calsync/testkit';
import { isDuplicateKey } from '@calsync/db';

const NOW = new Date('2026-03-02T09:00:00.000Z');
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
  for (const [id, hash] of [
    ['tenant-a', 'a'],
    ['tenant-b', 'b'],
  ] as const) {
    await t.db.execute(
      `INSERT INTO tenants (id, name, time_zone, admin_token_hash, calcom_api_key_enc, created_at, updated_at)
       VALUES (?, ?, 'Europe/Berlin', REPEAT(?, 64), 'k', ?, ?)`,
      [id, id, hash, NOW, NOW],
    );
  }
});
afterAll(() => t.drop());

/** A row as any writer leaves it once Cal.com's booking is linked. */
const insertLinked = (id: string, tenantId: string, uid: string) =>
  t.db.execute(
    `INSERT INTO appointments (id, tenant_id, event_type_id, start_at, end_at, status, origin, customer_name,
       customer_time_zone, calcom_booking_uid, created_at, updated_at)
     VALUES (?, ?, 1, ?, ?, 'booked', 'calcom', 'C', 'Europe/Berlin', ?, ?, ?)`,
    [id, tenantId, NOW, NOW, uid, NOW, NOW],
  );

describe('Cal.com booking uids', () => {
  it('two tenants can each hold the same uid (uids are unique per tenant, not globally)', async () => {
    await insertLinked('00000000-0000-4000-8000-00000000000a', 'tenant-a', 'shared-uid');
    await expect(
      insertLinked('00000000-0000-4000-8000-00000000000b', 'tenant-b', 'shared-uid'),
    ).resolves.toBe(1);
  });

  it('one tenant still cannot link the same uid to two appointments', async () => {
    const err = await insertLinked('00000000-0000-4000-8000-00000000000c', 'tenant-a', 'shared-uid').catch(
      (e: unknown) => e,
    );
    expect(isDuplicateKey(err)).toBe(true);
  });
});
