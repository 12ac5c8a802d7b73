/**
 * Creates the database when it is missing and applies pending migrations under
 * a MySQL named lock, so several services starting at once migrate exactly once.
 */
import { createConnection } from 'mysql2/promise';
import { Umzug, SequelizeStorage } from 'umzug';
import type { Logger } from '@calsync/platform';
import type { Db } from './database';
import { parseDatabaseUrl, serverConnectionOptions } from './database';
import { migrations } from './migrations';

export async function ensureDatabase(url: string): Promise<void> {
  const { database } = parseDatabaseUrl(url);
  const conn = await createConnection({ ...serverConnectionOptions(url), connectTimeout: 5_000 });
  try {
    await conn.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await conn.end();
  }
}

export async function migrate(db: Db, logger?: Logger): Promise<string[]> {
  const lockName = `calsync_migrate_${db.name}`.slice(0, 64);
  return db.transaction(async (tx) => {
    // A named lock is per connection; the transaction pins one connection for lock, migrations and release.
    const [row] = await db.query<{ got: number }>('SELECT GET_LOCK(?, 60) AS got', [lockName], tx);
    if (row?.got !== 1) throw new Error('Could not acquire the migration lock within 60 s');
    try {
      const umzug = new Umzug({
        migrations: migrations.map((m) => ({
          name: m.name,
          up: () => m.up((sql) => db.execute(sql, undefined, tx).then(() => undefined)),
          down: () => m.down((sql) => db.execute(sql, undefined, tx).then(() => undefined)),
        })),
        storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: 'schema_migrations' }),
        logger: undefined,
      });
      const done = await umzug.up();
      const names = done.map((m) => m.name);
      if (names.length) logger?.info('Migrations applied', { migrations: names });
      return names;
    } finally {
      await db.query('SELECT RELEASE_LOCK(?) AS released', [lockName], tx);
    }
  });
}

/** True once every known migration is recorded (readiness). */
export async function migrationsDone(db: Db): Promise<boolean> {
  const rows = await db.query<{ name: string }>('SELECT name FROM schema_migrations').catch(() => []);
  const have = new Set(rows.map((r) => r.name));
  return migrations.every((m) => have.has(m.name));
}
