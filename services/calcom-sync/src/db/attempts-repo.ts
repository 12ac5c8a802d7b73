/**
 * The `sync_attempts` audit: one row per real Cal.com attempt or lookup (old rows
 * are purged by audit-retention.ts). The sync columns of `appointments` are
 * written only through @calsync/sync-state.
 */
import type { Db } from '@calsync/db';
import type { AttemptsRepo } from '../domain/ports';

const clip = (s: string | null | undefined, n: number) => (s == null ? null : s.slice(0, n));

export function createAttemptsRepo(db: Db): AttemptsRepo {
  return {
    async audit(a) {
      await db.execute(
        `INSERT INTO sync_attempts (tenant_id, appointment_id, action, outcome, attempt, http_status,
           error_code, error_message, calcom_booking_uid, duration_ms, worker, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          a.tenantId,
          a.appointmentId,
          clip(a.action, 16),
          clip(a.outcome, 32),
          a.attempt,
          a.httpStatus ?? null,
          clip(a.errorCode, 64),
          clip(a.errorMessage, 1000),
          a.calcomBookingUid ?? null,
          a.durationMs == null ? null : Math.round(a.durationMs),
          clip(a.worker, 64),
          a.at,
        ],
      );
    },
  };
}
