/**
 * The sync_attempts audit is kept SYNC_AUDIT_RETENTION_DAYS (default 30), then
 * purged in batches: at start and hourly (issue 8).
 */
import { randomUUID } from 'node:crypto';
import { createLogger, systemClock } from '@calsync/platform';
import { waitFor } from '@calsync/testkit';
import type { CalcomSyncApp } from '../src/app';
import { loadConfig } from '../src/config';
import { purgeAuditOnce } from '../src/db/audit-retention';
import { createHarness, startApp, type Harness } from './harness';

let h: Harness;
let app: CalcomSyncApp | undefined;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await app?.stop();
  await h.close();
});

const DAY = 24 * 3600_000;
const logger = createLogger({ service: 'calcom-sync', level: 'error' });

async function audit(tenant: string, ageDays: number[]) {
  for (const age of ageDays)
    await h.db.db.execute(
      `INSERT INTO sync_attempts (tenant_id, appointment_id, action, outcome, attempt, created_at)
       VALUES (?, ?, 'create', 'success', 1, ?)`,
      [tenant, randomUUID(), new Date(Date.now() - age * DAY)],
    );
}

const ages = async (tenant: string) =>
  (
    await h.db.db.query<{ created_at: Date }>(
      'SELECT created_at FROM sync_attempts WHERE tenant_id = ? ORDER BY created_at DESC',
      [tenant],
    )
  ).map((r) => Math.round((Date.now() - r.created_at.getTime()) / DAY));

it('the retention defaults to 30 days', () => {
  expect(loadConfig({ NODE_ENV: 'test' }).auditRetentionDays).toBe(30);
  expect(loadConfig({ NODE_ENV: 'test', SYNC_AUDIT_RETENTION_DAYS: '7' }).auditRetentionDays).toBe(7);
});

it('deletes rows older than the retention in batches and keeps the rest', async () => {
  await audit('acme', [1, 29, 31, 40, 45, 50, 60, 90]);
  const deleted = await purgeAuditOnce({
    db: h.db.db,
    retentionDays: 30,
    clock: systemClock,
    logger,
    batchSize: 2,
  });
  expect(deleted).toBe(6);
  expect(await ages('acme')).toEqual([1, 29]);
});

it('the running service purges at start', async () => {
  await audit('beta', [2, 5, 9]);
  app = await startApp(h, { SYNC_AUDIT_RETENTION_DAYS: '4' });
  await waitFor(async () => (await ages('beta')).length === 1, { what: 'the purge', timeoutMs: 15_000 });
  expect(await ages('beta')).toEqual([2]);
});
