/** SQL behind the admin sync endpoints (status, review queue, retry, resolve). Scoped by tenant. */
import type { Tx as Transaction } from '@calsync/db';
import type { AppointmentRow, Db } from '@calsync/db';
import type { Origin, SyncStatus } from '@calsync/contracts';

export function createSyncRepo(db: Db) {
  const where = 'WHERE id = ? AND tenant_id = ?';
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

    /**
     * Hands the appointment back to calcom-sync: out of review, attempts and
     * errors reset, and the current version no longer counts as synced, so the
     * worker acts on the current state again. `unlink` forgets a Cal.com booking
     * that is gone (cancelled there), so the worker books anew.
     */
    async requestSync(
      tenantId: string,
      id: string,
      opts: { unlink: boolean },
      now: Date,
      tx: Transaction,
    ): Promise<void> {
      const unlink = opts.unlink
        ? `calcom_booking_uid = NULL, calcom_booking_id = NULL, last_synced_start_at = NULL,
           last_synced_status = NULL, sync_verified_at = NULL,`
        : '';
      await db.execute(
        `UPDATE appointments SET ${unlink}
           requires_manual_review = 0, manual_review_flagged_at = NULL, manual_review_reason = NULL,
           manual_review_calcom = NULL, sync_attempts = 0, sync_last_attempt_at = NULL,
           sync_error_code = NULL, sync_error_message = NULL, sync_status = 'pending',
           synced_version = LEAST(synced_version, version - 1), updated_at = ?
         ${where}`,
        [now, id, tenantId],
        tx,
      );
    },

    /** Out of the review queue; the sync state stays as it is. */
    async clearReview(tenantId: string, id: string, now: Date, tx: Transaction): Promise<void> {
      await db.execute(
        `UPDATE appointments SET requires_manual_review = 0, manual_review_flagged_at = NULL,
           manual_review_reason = NULL, manual_review_calcom = NULL, updated_at = ? ${where}`,
        [now, id, tenantId],
        tx,
      );
    },
  };
}
export type SyncRepo = ReturnType<typeof createSyncRepo>;
