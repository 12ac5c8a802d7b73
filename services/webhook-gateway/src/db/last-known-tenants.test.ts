import type { TenantRecord } from '@calsync/db';
import { createLogger } from '@calsync/platform';
import { withLastKnownTenants } from './last-known-tenants';

const acme = { id: 'acme', calcomWebhookSecret: 'whsec_x' } as TenantRecord;
const mysqlDown = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function setup() {
  let now = 0;
  const db = { fails: undefined as Error | undefined, tenant: acme as TenantRecord | null };
  const tenants = withLastKnownTenants(
    { get: () => (db.fails ? Promise.reject(db.fails) : Promise.resolve(db.tenant)) },
    { maxStaleMs: 60_000, logger: createLogger({ service: 'test', level: 'error' }), now: () => now },
  );
  return { tenants, db, advance: (ms: number) => (now += ms) };
}

describe('tenants while MySQL is away', () => {
  it("verifies with a tenant's last record for at most maxStaleMs", async () => {
    const { tenants, db, advance } = setup();
    expect(await tenants.get('acme')).toBe(acme);
    db.fails = mysqlDown;
    advance(59_000);
    expect(await tenants.get('acme')).toBe(acme);
    advance(2_000);
    await expect(tenants.get('acme')).rejects.toBe(mysqlDown);
  });

  it('passes on errors that are not an outage, tenants never read, and a tenant that is gone', async () => {
    const { tenants, db } = setup();
    await tenants.get('acme');
    db.fails = new Error('ER_PARSE_ERROR');
    await expect(tenants.get('acme')).rejects.toThrow('ER_PARSE_ERROR');
    db.fails = mysqlDown;
    await expect(tenants.get('other')).rejects.toBe(mysqlDown);

    db.fails = undefined;
    db.tenant = null; // offboarded
    expect(await tenants.get('acme')).toBeNull();
    db.fails = mysqlDown;
    await expect(tenants.get('acme')).rejects.toBe(mysqlDown);
  });
});
