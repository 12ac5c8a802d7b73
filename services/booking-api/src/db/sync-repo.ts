/**
 * SQL behind the admin sync endpoints (status report, review queue). Scoped by
 * tenant. Retry and resolve are @calsync/sync-state transitions (domain/sync.ts).
 */
import type { AppointmentRow, Db } from '@calsync/db';
import type { Origin, SyncStatus } from '@calsync/contracts';
import type { SyncRepo } from '../domain/ports';

export function createSyncRepo(db: Db): SyncRepo {
  return {
    /** Appointments changed since `since` (created, edited or synced), by origin and sync status. */
    async statusCounts(
      tenantId: string,
      since: Date,
    ): Promise<{ origin: Origin; sync_status: SyncStatus; n: number }[]> {
      const rows = await db.query<{ origin: Origin; sync_status: SyncStatus; n: number | string }>(
        `SELECT origin, sync_status, COUNT(*) AS n FROM appointments
          WHERE tenant_id = ? AND updated_at >= ? GROUP BY origin, sync_status`,
        [tenantId, since],
      );
      return rows.map((r) => ({ ...r, n: Number(r.n) }));
    },

    async reviewCount(tenantId: string): Promise<number> {
      const [row] = await db.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = ? AND requires_manual_review = 1',
        [tenantId],
      );
      return Number(row?.n ?? 0);
    },

    /** Oldest flag first (ix_appt_review). */
    async reviewItems(tenantId: string, limit: number): Promise<AppointmentRow[]> {
      return db.query<AppointmentRow>(
        `SELECT * FROM appointments WHERE tenant_id = ? AND requires_manual_review = 1
          ORDER BY manual_review_flagged_at, id LIMIT ${Math.floor(limit)}`,
        [tenantId],
      );
    },
  };
}
