import { createSecretBox } from '@calsync/platform';
import type { Db } from './database';
import { createTenantReader } from './tenants';

/** A database that knows no tenant and counts the tenant lookups it answers. */
function emptyDb() {
  const db = {
    lookups: 0,
    query: (sql: string) => {
      if (sql.startsWith('SELECT * FROM tenants')) db.lookups++;
      return Promise.resolve([]);
    },
  };
  return db as typeof db & Pick<Db, 'query'>;
}

const secrets = createSecretBox(Buffer.alloc(32, 7).toString('base64'));

describe('the tenant reader cache', () => {
  it('stays bounded under 200,000 unknown ids: the first ones are forgotten, not kept forever', async () => {
    const db = emptyDb();
    const reader = createTenantReader({ db, secrets });
    for (let i = 0; i < 200_000; i++) await reader.get(`unknown-${i}`);
    expect(db.lookups).toBe(200_000);
    await reader.get('unknown-0');
    expect(db.lookups).toBe(200_001);
  });

  it('answers a repeated unknown id from the cache for a moment (no query per probe)', async () => {
    const db = emptyDb();
    const reader = createTenantReader({ db, secrets });
    await reader.get('nope');
    await reader.get('nope');
    expect(db.lookups).toBe(1);
  });
});

describe('an offboarded tenant', () => {
  it('is looked up only among live rows and left out of listIds, so every service treats it as unknown', async () => {
    const sql: string[] = [];
    const db = {
      query: (q: string) => {
        sql.push(q);
        return Promise.resolve([]);
      },
    } as Pick<Db, 'query'>;
    const reader = createTenantReader({ db, secrets });
    expect(await reader.get('gone')).toBeNull();
    expect(await reader.listIds()).toEqual([]);
    expect(sql).toEqual([
      expect.stringContaining('WHERE id = ? AND removed_at IS NULL'),
      expect.stringContaining('WHERE removed_at IS NULL'),
    ]);
  });
});
