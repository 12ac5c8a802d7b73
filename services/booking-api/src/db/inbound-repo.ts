/**
 * SQL of the inbound applier (Cal.com → local): finding the appointment a
 * booking belongs to, overlaps, tombstones. Every statement is scoped by
 * tenant_id; lookups lock the rows they return (the applier decides on them and
 * writes, through @calsync/sync-state's store, in the same transaction).
 */
import type { AppointmentRow, Db, Tx } from '@calsync/db';

import type { InboundRepo, TombstoneReason } from '../domain/ports';
import { MAX_LENGTH_MS } from './appointments-repo';

const clip = (s: string | null | undefined, n: number) => (s == null ? null : s.slice(0, n));

export function createInboundRepo(db: Db): InboundRepo & { purgeTombstones(before: Date): Promise<number> } {
  return {
    async findByUid(tenantId: string, uid: string, tx: Tx): Promise<AppointmentRow | null> {
      const [row] = await db.query<AppointmentRow>(
        'SELECT * FROM appointments WHERE tenant_id = ? AND calcom_booking_uid = ? FOR UPDATE',
        [tenantId, uid],
        tx,
      );
      return row ?? null;
    },

    async findByBookingId(tenantId: string, bookingId: number, tx: Tx): Promise<AppointmentRow | null> {
      const [row] = await db.query<AppointmentRow>(
        'SELECT * FROM appointments WHERE tenant_id = ? AND calcom_booking_id = ? LIMIT 1 FOR UPDATE',
        [tenantId, bookingId],
        tx,
      );
      return row ?? null;
    },

    /** Booked appointments of the event type overlapping [start, end), other than `excludeId`. */
    async findOverlaps(tenantId, eventTypeId, start, end, tx, excludeId = '') {
      const rows = await db.query<{ id: string }>(
        `SELECT id FROM appointments
          WHERE tenant_id = ? AND event_type_id = ? AND status = 'booked' AND start_at < ? AND end_at > ?
            AND start_at > ? AND id <> ?
          ORDER BY id LIMIT 20 FOR UPDATE`,
        [tenantId, eventTypeId, end, start, new Date(start.getTime() - MAX_LENGTH_MS), excludeId],
        tx,
      );
      return rows.map((r) => r.id);
    },

    async tombstone(
      tenantId: string,
      uid: string,
      reason: TombstoneReason,
      now: Date,
      tx: Tx,
    ): Promise<void> {
      await db.execute(
        `INSERT INTO calcom_booking_tombstones (tenant_id, calcom_booking_uid, reason, created_at) VALUES (?,?,?,?)
         ON DUPLICATE KEY UPDATE reason = IF(reason = 'cancelled', reason, VALUES(reason))`,
        [tenantId, clip(uid, 100), reason, now],
        tx,
      );
    },

    async tombstoneOf(tenantId: string, uid: string, tx: Tx): Promise<TombstoneReason | null> {
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
