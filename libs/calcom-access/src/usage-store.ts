/**
 * The SQL behind the shared budget: the only code that writes `calcom_rate_usage`
 * (every service that calls Cal.com with a tenant's key counts its calls here;
 * a row is a slot of the tenant's grid and `used` the calls it carries).
 */
import type { Db } from '@calsync/db';
import type { UsageStore } from './shared-budget';

export function createRateUsageStore(db: Db): UsageStore {
  return {
    async take(tenantId, sliceStart, limit) {
      // One statement decides: 1 row inserted or 2 (updated) = counted; 0 = the slice was already full.
      const changed = await db.execute(
        `INSERT INTO calcom_rate_usage (tenant_id, slice_start, used) VALUES (?, ?, 1)
         ON DUPLICATE KEY UPDATE used = IF(used < ?, used + 1, used)`,
        [tenantId, sliceStart, limit],
      );
      return changed > 0;
    },
    async lastTaken(tenantId, since) {
      // The primary key (tenant_id, slice_start) answers this from one index entry.
      const [row] = await db.query<{ last: Date | string | null }>(
        'SELECT MAX(slice_start) AS last FROM calcom_rate_usage WHERE tenant_id = ? AND slice_start >= ?',
        [tenantId, since],
      );
      return row?.last == null ? null : new Date(row.last);
    },
    async purgeBefore(cutoff) {
      await db.execute('DELETE FROM calcom_rate_usage WHERE slice_start < ? LIMIT 5000', [cutoff]);
    },
  };
}
