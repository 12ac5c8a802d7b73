/** SQL of the reconciler: its cursors (`reconcile_cursors`) and the local side of the comparison. */
import type { AppointmentRow, Db } from '@calsync/db';
import type { ReconcileRepo } from '../domain/ports';

export function createReconcileRepo(db: Db): ReconcileRepo {
  return {
    async cursor(tenantId) {
      const [row] = await db.query<{ updated_since: Date | null }>(
        'SELECT updated_since FROM reconcile_cursors WHERE tenant_id = ?',
        [tenantId],
      );
      return row?.updated_since ?? null;
    },
    async saveCursor(tenantId, updatedSince, now) {
      await db.execute(
        `INSERT INTO reconcile_cursors (tenant_id, updated_since, last_run_at) VALUES (?, ?, ?)
         ON DUPLICATE KEY UPDATE updated_since = VALUES(updated_since), last_run_at = VALUES(last_run_at)`,
        [tenantId, updatedSince, now],
      );
    },
    async match(tenantId, uids, ids) {
      if (!uids.length && !ids.length) return [];
      const parts: string[] = [];
      const args: unknown[] = [tenantId];
      if (uids.length) {
        parts.push(`calcom_booking_uid IN (${uids.map(() => '?').join(',')})`);
        args.push(...uids);
      }
      if (ids.length) {
        parts.push(`id IN (${ids.map(() => '?').join(',')})`);
        args.push(...ids);
      }
      return db.query<AppointmentRow>(
        `SELECT * FROM appointments WHERE tenant_id = ? AND (${parts.join(' OR ')})`,
        args,
      );
    },
    async bookedCount(tenantId) {
      const [row] = await db.query<{ n: number | string }>(
        "SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = ? AND status = 'booked'",
        [tenantId],
      );
      return Number(row?.n ?? 0);
    },
  };
}
