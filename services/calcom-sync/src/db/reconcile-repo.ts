/** SQL of the reconciler: cursors and the local side of the comparison. */
import type { AppointmentRow, Db } from '@calsync/db';

export function createReconcileRepo(db: Db) {
  return {
    async cursor(tenantId: string): Promise<Date | null> {
      const [row] = await db.query<{ updated_since: Date | null }>(
        'SELECT updated_since FROM reconcile_cursors WHERE tenant_id = ?',
        [tenantId],
      );
      return row?.updated_since ?? null;
    },
    async saveCursor(tenantId: string, updatedSince: Date | null, now: Date): Promise<void> {
      await db.execute(
        `INSERT INTO reconcile_cursors (tenant_id, updated_since, last_run_at) VALUES (?, ?, ?)
         ON DUPLICATE KEY UPDATE updated_since = VALUES(updated_since), last_run_at = VALUES(last_run_at)`,
        [tenantId, updatedSince, now],
      );
    },
    /** Local appointments matching Cal.com uids or our metadata ids, this tenant only. */
    async match(tenantId: string, uids: string[], ids: string[]): Promise<AppointmentRow[]> {
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
    /** Booked appointments of the tenant: the base of the mass-cancellation guard. */
    async bookedCount(tenantId: string): Promise<number> {
      const [row] = await db.query<{ n: number | string }>(
        "SELECT COUNT(*) AS n FROM appointments WHERE tenant_id = ? AND status = 'booked'",
        [tenantId],
      );
      return Number(row?.n ?? 0);
    },
  };
}
