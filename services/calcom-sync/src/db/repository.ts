/**
 * calcom-sync's own SQL: the attempts audit and the review-queue gauge. The
 * sync columns of `appointments` are written only through @calsync/sync-state.
 * Every statement is scoped by tenant_id where it reads one tenant's rows.
 */
import type { AppointmentRow, Db } from '@calsync/db';

/** An appointment row as the worker reads it. */
export type SyncRow = AppointmentRow;

export interface AttemptAudit {
  tenantId: string;
  appointmentId: string;
  action: string;
  outcome: string;
  attempt: number;
  httpStatus?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  calcomBookingUid?: string | null;
  durationMs?: number | null;
  worker: string;
  at: Date;
}

const clip = (s: string | null | undefined, n: number) => (s == null ? null : s.slice(0, n));

export function createSyncRepository(db: Db) {
  return {
    async audit(a: AttemptAudit): Promise<void> {
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

    async reviewQueueSizes(): Promise<{ tenant_id: string; n: number }[]> {
      const rows = await db.query<{ tenant_id: string; n: number | string }>(
        'SELECT tenant_id, COUNT(*) AS n FROM appointments WHERE requires_manual_review = 1 GROUP BY tenant_id',
      );
      return rows.map((r) => ({ tenant_id: r.tenant_id, n: Number(r.n) }));
    },
  };
}

export type SyncRepository = ReturnType<typeof createSyncRepository>;
