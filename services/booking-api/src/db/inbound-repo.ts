/**
 * SQL of the inbound applier (Cal.com → local). Every statement is scoped by
 * tenant_id; writes run in the caller's transaction. Lookups lock the rows they
 * return: the applier decides on them and writes in the same transaction.
 */
import type { Tx as Transaction } from '@calsync/db';
import type { AppointmentRow, Db } from '@calsync/db';
import type { AppointmentStatus } from '@calsync/contracts';

import type { CalcomLink } from './appointments-repo';
export type { CalcomLink };

/** A change Cal.com already has: applied locally as a new version that is synced at once. */
export interface CalcomChange {
  start: Date;
  end: Date;
  status: AppointmentStatus;
  cancelReason?: string | null | undefined;
  link: CalcomLink;
}

/** cancelled: cancelled/rejected in Cal.com; superseded: replaced by a reschedule or unlinked by a resolution. */
export type TombstoneReason = 'cancelled' | 'superseded';

const clip = (s: string | null | undefined, n: number) => (s == null ? null : s.slice(0, n));

export function createInboundRepo(db: Db) {
  const where = 'WHERE id = ? AND tenant_id = ?';
  return {
    async findByUid(tenantId: string, uid: string, tx: Transaction): Promise<AppointmentRow | null> {
      const [row] = await db.query<AppointmentRow>(
        'SELECT * FROM appointments WHERE tenant_id = ? AND calcom_booking_uid = ? FOR UPDATE',
        [tenantId, uid],
        tx,
      );
      return row ?? null;
    },

    async findByBookingId(
      tenantId: string,
      bookingId: number,
      tx: Transaction,
    ): Promise<AppointmentRow | null> {
      const [row] = await db.query<AppointmentRow>(
        'SELECT * FROM appointments WHERE tenant_id = ? AND calcom_booking_id = ? LIMIT 1 FOR UPDATE',
        [tenantId, bookingId],
        tx,
      );
      return row ?? null;
    },

    /** Booked appointments of the event type overlapping [start, end), other than `excludeId`. */
    async findOverlaps(
      tenantId: string,
      eventTypeId: number,
      start: Date,
      end: Date,
      tx: Transaction,
      excludeId = '',
    ): Promise<string[]> {
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM appointments
          WHERE tenant_id = ? AND event_type_id = ? AND status = 'booked' AND start_at < ? AND end_at > ? AND id <> ?
          ORDER BY id LIMIT 20 FOR UPDATE`,
        [tenantId, eventTypeId, end, start, excludeId],
        tx,
      );
      return rows.map((r) => r.id);
    },

    /**
     * Records what Cal.com holds for the appointment (an echo of our own call, or
     * the Cal.com side of a conflict) without touching the local state or version.
     */
    async recordCalcomState(
      tenantId: string,
      id: string,
      s: { link: CalcomLink; lastSyncedStart?: Date | undefined; lastSyncedStatus: AppointmentStatus },
      now: Date,
      tx: Transaction,
    ): Promise<void> {
      await db.execute(
        `UPDATE appointments SET calcom_booking_uid = ?, calcom_booking_id = COALESCE(?, calcom_booking_id),
           last_synced_start_at = COALESCE(?, last_synced_start_at), last_synced_status = ?,
           sync_verified_at = ?, updated_at = ? ${where}`,
        [s.link.uid, s.link.bookingId, s.lastSyncedStart ?? null, s.lastSyncedStatus, now, now, id, tenantId],
        tx,
      );
    },

    async markVerified(tenantId: string, id: string, now: Date, tx: Transaction): Promise<void> {
      await db.execute(`UPDATE appointments SET sync_verified_at = ? ${where}`, [now, id, tenantId], tx);
    },

    /** A Cal.com change taken over locally: a new version, synced and verified in the same write. */
    async applyCalcomChange(
      tenantId: string,
      id: string,
      c: CalcomChange,
      now: Date,
      tx: Transaction,
    ): Promise<void> {
      await db.execute(
        `UPDATE appointments SET start_at = ?, end_at = ?, status = ?, cancel_reason = COALESCE(?, cancel_reason),
           calcom_booking_uid = ?, calcom_booking_id = COALESCE(?, calcom_booking_id),
           synced_version = version + 1, version = version + 1, sync_status = 'synced',
           sync_attempts = 0, sync_error_code = NULL, sync_error_message = NULL,
           last_synced_start_at = ?, last_synced_status = ?, sync_verified_at = ?, updated_at = ?
         ${where}`,
        [
          c.start,
          c.end,
          c.status,
          clip(c.cancelReason, 2000),
          c.link.uid,
          c.link.bookingId,
          c.start,
          c.status,
          now,
          now,
          id,
          tenantId,
        ],
        tx,
      );
    },

    /** Into the manual-review queue; calcom-sync leaves a flagged appointment alone. */
    async flagForReview(
      tenantId: string,
      id: string,
      reason: string,
      calcomVersion: unknown,
      now: Date,
      tx: Transaction,
    ): Promise<void> {
      await db.execute(
        `UPDATE appointments SET requires_manual_review = 1, manual_review_flagged_at = ?, manual_review_reason = ?,
           manual_review_calcom = ?, updated_at = ? ${where}`,
        [
          now,
          clip(reason, 64),
          calcomVersion == null ? null : JSON.stringify(calcomVersion),
          now,
          id,
          tenantId,
        ],
        tx,
      );
    },

    async tombstone(
      tenantId: string,
      uid: string,
      reason: TombstoneReason,
      now: Date,
      tx: Transaction,
    ): Promise<void> {
      await db.execute(
        `INSERT INTO calcom_booking_tombstones (tenant_id, calcom_booking_uid, reason, created_at) VALUES (?,?,?,?)
         ON DUPLICATE KEY UPDATE reason = IF(reason = 'cancelled', reason, VALUES(reason))`,
        [tenantId, clip(uid, 100), reason, now],
        tx,
      );
    },

    async tombstoneOf(tenantId: string, uid: string, tx: Transaction): Promise<TombstoneReason | null> {
      const [row] = await db.query<{ reason: TombstoneReason }>(
        'SELECT reason FROM calcom_booking_tombstones WHERE tenant_id = ? AND calcom_booking_uid = ?',
        [tenantId, uid],
        tx,
      );
      return row?.reason ?? null;
    },

    async purgeTombstones(before: Date): Promise<number> {
      return db.execute('DELETE FROM calcom_booking_tombstones WHERE created_at < ? LIMIT 5000', [before]);
    },
  };
}
export type InboundRepo = ReturnType<typeof createInboundRepo>;
