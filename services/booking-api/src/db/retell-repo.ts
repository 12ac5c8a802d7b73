/** The reads the phone functions need beyond the admin API's: by caller phone, and what blocks a slot. */
import type { AppointmentRow, Db } from '@calsync/db';
import type { RetellRepo } from '../domain/ports';

export function createRetellRepo(db: Db): RetellRepo {
  return {
    /** Booked appointments of any event type overlapping [from, to): the host is busy for all of them. */
    async bookedOverlapping(tenantId: string, from: Date, to: Date): Promise<{ start: Date; end: Date }[]> {
      const rows = await db.query<{ start_at: Date; end_at: Date }>(
        `SELECT start_at, end_at FROM appointments
          WHERE tenant_id = ? AND status = 'booked' AND start_at < ? AND end_at > ?`,
        [tenantId, to, from],
      );
      return rows.map((r) => ({ start: r.start_at, end: r.end_at }));
    },

    /** The caller's booked appointments starting in [from, to), earliest first. */
    async bookedByPhone(tenantId: string, phone: string, from: Date, to: Date): Promise<AppointmentRow[]> {
      return db.query<AppointmentRow>(
        `SELECT * FROM appointments
          WHERE tenant_id = ? AND customer_phone = ? AND status = 'booked' AND start_at >= ? AND start_at < ?
          ORDER BY start_at, id LIMIT 20`,
        [tenantId, phone, from, to],
      );
    },
  };
}
