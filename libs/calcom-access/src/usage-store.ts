/**
 * The SQL behind the shared budget: the only code that writes `calcom_rate_usage`
 * (every service that calls Cal.com with a tenant's key counts its calls here).
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
    async purgeBefore(cutoff) {
      await db.execute('DELETE FROM calcom_rate_usage WHERE slice_start < ? LIMIT 5000', [cutoff]);
    },
  };
}
