import { createTestDb, databaseUrlFor, uniqueSuffix } from '@calsync/testkit';
import { createDb, ensureDatabase, migrate, migrationsDone } from '@calsync/db';
import { migrations } from '../src/migrations';

describe('migrations', () => {
  it('create the database when it is missing and apply once, even when three services start together', async () => {
    const url = databaseUrlFor(`calsync_t_${uniqueSuffix()}`);
    await ensureDatabase(url);
    const dbs = [createDb({ url }), createDb({ url }), createDb({ url })];
    const applied = await Promise.all(dbs.map((db) => migrate(db)));
    expect(applied.flat()).toEqual(migrations.map((m) => m.name));
    expect(await migrationsDone(dbs[0]!)).toBe(true);
    await dbs[0]!.execute(`DROP DATABASE \`${dbs[0]!.name}\``);
    await Promise.all(dbs.map((db) => db.close()));
  });

  it('stores and returns DATETIME(3) values as UTC instants', async () => {
    const t = await createTestDb();
    try {
      await t.db.execute(
        "INSERT INTO tenants (id, name, time_zone, admin_token_hash, calcom_api_key_enc, created_at, updated_at) VALUES ('x', 'X', 'Europe/Berlin', REPEAT('a', 64), 'k', ?, ?)",
        [new Date('2026-03-29T01:30:00.123Z'), new Date('2026-03-29T01:30:00.123Z')],
      );
      const [row] = await t.db.query<{ created_at: Date }>('SELECT created_at FROM tenants');
      expect(row!.created_at.toISOString()).toBe('2026-03-29T01:30:00.123Z');
    } finally {
      await t.drop();
    }
  });
});
