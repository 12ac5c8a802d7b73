/**
 * The only code in calcom-sync that touches SQL. Every statement is scoped by
 * tenant_id as well as id, so a bug elsewhere cannot cross tenants.
 */
import type { AppointmentRow, Db } from '@calsync/db';
import type { AppointmentStatus, SyncAction } from '@calsync/contracts';

export interface SyncRow extends AppointmentRow {
  sync_call_start_at: Date | null;
}

export type InFlightAction = 'create' | 'cancel' | 'reschedule';

export interface CallSuccess {
  uid: string;
  bookingId: number | null;
  lastSyncedStart: Date;
  lastSyncedStatus: AppointmentStatus;
  /** The version this state corresponds to (the version loaded under the lock). */
  version: number;
  countAttempt: boolean;
  verifiedAt: Date | null;
  now: Date;
}

export interface AttemptAudit {
  tenantId: string;
  appointmentId: string;
  action: SyncAction | 'lookup' | 'probe';
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

export interface ReviewFlag {
  reason: string;
  errorCode: string;
  errorMessage: string;
  calcomBooking: unknown;
  countAttempt: boolean;
  /** Keep an unknown outcome flagged so a later retry looks before it acts. */
  keepInFlight: boolean;
  now: Date;
}

const clip = (s: string | null | undefined, n: number) => (s == null ? null : s.slice(0, n));

export function createSyncRepository(db: Db) {
  const where = 'WHERE id = ? AND tenant_id = ?';
  /** The attempt count after a write (what the caller reports and decides on). */
  const attemptsOf = async (tenantId: string, id: string): Promise<number> => {
    const [row] = await db.query<{ sync_attempts: number }>(
      `SELECT sync_attempts FROM appointments ${where}`,
      [id, tenantId],
    );
    return row?.sync_attempts ?? 0;
  };
  return {
    /** A lease so that one replica at a time works on an appointment (SPEC §6.4). */
    async tryLock(tenantId: string, id: string, owner: string, seconds: number): Promise<boolean> {
      const n = await db.execute(
        `UPDATE appointments SET sync_lock_owner = ?, sync_lock_until = NOW(3) + INTERVAL ? SECOND
         ${where} AND (sync_lock_until IS NULL OR sync_lock_until < NOW(3) OR sync_lock_owner = ?)`,
        [owner, seconds, id, tenantId, owner],
      );
      return n > 0;
    },

    async renewLock(tenantId: string, id: string, owner: string, seconds: number): Promise<boolean> {
      const n = await db.execute(
        `UPDATE appointments SET sync_lock_until = NOW(3) + INTERVAL ? SECOND ${where} AND sync_lock_owner = ?`,
        [seconds, id, tenantId, owner],
      );
      return n > 0;
    },

    async unlock(tenantId: string, id: string, owner: string): Promise<void> {
      await db.execute(
        `UPDATE appointments SET sync_lock_owner = NULL, sync_lock_until = NULL ${where} AND sync_lock_owner = ?`,
        [id, tenantId, owner],
      );
    },

    async load(tenantId: string, id: string): Promise<SyncRow | null> {
      const [row] = await db.query<SyncRow>(`SELECT * FROM appointments ${where}`, [id, tenantId]);
      return row ?? null;
    },

    /** Committed BEFORE the mutating call: if we die mid-call, the next worker looks before it acts. */
    async markInFlight(tenantId: string, id: string, action: InFlightAction, callStart: Date): Promise<void> {
      await db.execute(`UPDATE appointments SET sync_call_in_flight = ?, sync_call_start_at = ? ${where}`, [
        action,
        callStart,
        id,
        tenantId,
      ]);
    },

    async clearInFlight(tenantId: string, id: string): Promise<void> {
      await db.execute(
        `UPDATE appointments SET sync_call_in_flight = NULL, sync_call_start_at = NULL ${where}`,
        [id, tenantId],
      );
    },

    async recordSuccess(tenantId: string, id: string, s: CallSuccess): Promise<void> {
      await db.execute(
        `UPDATE appointments SET
           calcom_booking_uid = ?, calcom_booking_id = ?, last_synced_start_at = ?, last_synced_status = ?,
           sync_call_in_flight = NULL, sync_call_start_at = NULL,
           sync_attempts = sync_attempts + ?, sync_last_attempt_at = IF(? = 1, ?, sync_last_attempt_at),
           sync_error_code = NULL, sync_error_message = NULL,
           sync_verified_at = COALESCE(?, sync_verified_at),
           synced_version = GREATEST(synced_version, ?),
           sync_status = IF(version <= ?, 'synced', sync_status),
           updated_at = ?
         ${where}`,
        [
          s.uid,
          s.bookingId,
          s.lastSyncedStart,
          s.lastSyncedStatus,
          s.countAttempt ? 1 : 0,
          s.countAttempt ? 1 : 0,
          s.now,
          s.verifiedAt,
          s.version,
          s.version,
          s.now,
          id,
          tenantId,
        ],
      );
    },

    /** Nothing (more) to do in Cal.com for `version`: synced, or skipped when nothing exists there. */
    async markSynced(tenantId: string, id: string, version: number, status: 'synced' | 'skipped', now: Date) {
      await db.execute(
        `UPDATE appointments SET synced_version = GREATEST(synced_version, ?),
           sync_status = IF(version <= ?, ?, sync_status), sync_call_in_flight = NULL, sync_call_start_at = NULL,
           sync_error_code = NULL, sync_error_message = NULL, updated_at = ?
         ${where}`,
        [version, version, status, now, id, tenantId],
      );
    },

    /** Records a failed real call; returns the attempts counted so far. */
    async recordFailure(
      tenantId: string,
      id: string,
      f: { errorCode: string; errorMessage: string; keepInFlight: boolean; now: Date },
    ): Promise<number> {
      await db.execute(
        `UPDATE appointments SET sync_attempts = sync_attempts + 1, sync_last_attempt_at = ?,
           sync_error_code = ?, sync_error_message = ?,
           sync_call_in_flight = IF(?, sync_call_in_flight, NULL),
           sync_call_start_at = IF(?, sync_call_start_at, NULL), updated_at = ?
         ${where}`,
        [
          f.now,
          clip(f.errorCode, 64),
          clip(f.errorMessage, 1000),
          f.keepInFlight,
          f.keepInFlight,
          f.now,
          id,
          tenantId,
        ],
      );
      return attemptsOf(tenantId, id);
    },

    /** Into the manual-review queue with the reason; the worker leaves it alone until a human acts. */
    async flagForReview(tenantId: string, id: string, r: ReviewFlag): Promise<number> {
      await db.execute(
        `UPDATE appointments SET sync_status = 'failed', requires_manual_review = 1,
           manual_review_flagged_at = ?, manual_review_reason = ?, manual_review_calcom = ?,
           sync_error_code = ?, sync_error_message = ?,
           sync_attempts = sync_attempts + ?, sync_last_attempt_at = IF(? = 1, ?, sync_last_attempt_at),
           sync_call_in_flight = IF(?, sync_call_in_flight, NULL),
           sync_call_start_at = IF(?, sync_call_start_at, NULL), updated_at = ?
         ${where}`,
        [
          r.now,
          clip(r.reason, 64),
          r.calcomBooking == null ? null : JSON.stringify(r.calcomBooking),
          clip(r.errorCode, 64),
          clip(r.errorMessage, 1000),
          r.countAttempt ? 1 : 0,
          r.countAttempt ? 1 : 0,
          r.now,
          r.keepInFlight,
          r.keepInFlight,
          r.now,
          id,
          tenantId,
        ],
      );
      return attemptsOf(tenantId, id);
    },

    async audit(a: AttemptAudit): Promise<void> {
      await db.execute(
        `INSERT INTO sync_attempts (tenant_id, appointment_id, action, outcome, attempt, http_status,
           error_code, error_message, calcom_booking_uid, duration_ms, worker, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          a.tenantId,
          a.appointmentId,
          a.action,
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
