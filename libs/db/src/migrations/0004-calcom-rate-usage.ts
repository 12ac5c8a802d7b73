/**
 * calcom-sync's per-tenant Cal.com budget shared by every replica: calls
 * counted per time slice, so N replicas together stay under one API key's limit.
 */
import type { Migration } from './index';

export const calcomRateUsage: Migration = {
  name: '0004-calcom-rate-usage',
  async up(run) {
    await run(`CREATE TABLE calcom_rate_usage (
      tenant_id VARCHAR(63) NOT NULL,
      slice_start DATETIME(3) NOT NULL,
      used INT NOT NULL,
      PRIMARY KEY (tenant_id, slice_start),
      -- retention purge
      KEY ix_rate_usage_slice (slice_start)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`);
  },
  async down(run) {
    await run('DROP TABLE IF EXISTS calcom_rate_usage');
  },
};
