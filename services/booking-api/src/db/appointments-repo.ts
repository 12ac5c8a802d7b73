/**
 * booking-api's SQL for appointments: its own columns (times, status, customer,
 * notes). The sync columns are computed by @calsync/sync-state's transitions and
 * written through its store, in the same statement where a decision changes both.
 * Writes run inside the caller's transaction. The parameters' types are the port's
 * (domain/ports.ts).
 */
import type { AppointmentRow, Db } from '@calsync/db';
import {
  columnsOf,
  createSyncStateStore,
  initialFromCalcom,
  initialLocal,
  localChange,
  LOCAL_CHANGE_GRACE_MS,
  stateOf,
} from '@calsync/sync-state';
import type { AppointmentsRepo } from '../domain/ports';

/** Event types are at most 1440 minutes long (http/schemas.ts): bounds every overlap scan from below. */
export const MAX_LENGTH_MS = 24 * 3600_000;

/** Appends one SQL clause and its value. */
function add(clauses: string[], values: unknown[], clause: string, value: unknown): void {
  clauses.push(clause);
  values.push(value);
}

export function createAppointmentsRepo(db: Db): AppointmentsRepo {
  const store = createSyncStateStore(db);
  return {
    async get(tenantId, id, tx, forUpdate = false) {
      const [row] = await db.query<AppointmentRow>(
        `SELECT * FROM appointments WHERE id = ? AND tenant_id = ?${forUpdate ? ' FOR UPDATE' : ''}`,
        [id, tenantId],
        tx,
      );
      return row ?? null;
    },

    /**
     * Serialises writers of one event type: every code path that books a start (create,
     * reschedule, the inbound applier, keep-Cal.com) takes it first, so the overlap check
     * below is race-free as a plain read. A locking read there would also wait on rows of
     * neighbouring event types and tenants that its index scan touches (measured: most of
     * the lock waits under 32 parallel creates), for no protection the lock does not give.
     */
    async lockEventType(tenantId, eventTypeId, tx) {
      const [row] = await db.query<{ length_minutes: number }>(
        'SELECT length_minutes FROM tenant_event_types WHERE tenant_id = ? AND id = ? FOR UPDATE',
        [tenantId, eventTypeId],
        tx,
      );
      return row ? { lengthMinutes: row.length_minutes } : null;
    },

    async findOverlap(tenantId, eventTypeId, start, end, tx, excludeId) {
      const [row] = await db.query<{ id: string }>(
        `SELECT id FROM appointments
          WHERE tenant_id = ? AND event_type_id = ? AND status = 'booked' AND start_at < ? AND end_at > ?
            AND start_at > ? AND id <> ? LIMIT 1`,
        // No appointment is longer than a day (lengthInMinutes ≤ 1440): the lower bound keeps the index scan short.
        [tenantId, eventTypeId, end, start, new Date(start.getTime() - MAX_LENGTH_MS), excludeId ?? ''],
        tx,
      );
      return row?.id ?? null;
    },

    /**
     * Inserts a booked appointment and returns the row as stored (no re-read needed).
     * A local one starts unsynced (version 1, synced 0, pending); one that came
     * from Cal.com (`calcom` given) exists there already: synced and verified.
     */
    async insert(a, now, tx, calcom) {
      const sync = calcom
        ? initialFromCalcom(
            { uid: calcom.uid, bookingId: calcom.bookingId, start: a.start, status: 'booked' },
            now,
          )
        : initialLocal({ status: 'booked', start: a.start }, now, LOCAL_CHANGE_GRACE_MS);
      const business = {
        id: a.id,
        tenant_id: a.tenantId,
        event_type_id: a.eventTypeId,
        start_at: a.start,
        end_at: a.end,
        status: 'booked' as const,
        origin: a.origin,
        customer_name: a.customer.name,
        customer_email: a.customer.email,
        customer_phone: a.customer.phone,
        customer_time_zone: a.customer.timeZone,
        notes: a.notes,
        created_at: now,
        updated_at: now,
      };
      const cols = { ...business, ...columnsOf(sync) };
      const names = Object.keys(cols) as (keyof typeof cols)[];
      await db.execute(
        `INSERT INTO appointments (${names.join(', ')}) VALUES (${names.map(() => '?').join(',')})`,
        names.map((c) => cols[c]),
        tx,
      );
      return {
        ...(cols as unknown as AppointmentRow),
        cancel_reason: null,
        sync_lock_owner: null,
        sync_lock_until: null,
      };
    },

    /**
     * A local change Cal.com must hear about (the machine's `localChange`: a new
     * version, sync pending). `row` is the appointment locked by the caller.
     */
    async applyLocalChange(row, change, now, tx, opts = {}) {
      const business: Record<string, unknown> = {};
      if (change.start) business.start_at = change.start;
      if (change.end) business.end_at = change.end;
      if (change.status) business.status = change.status;
      if (change.cancelReason !== undefined) business.cancel_reason = change.cancelReason;
      const before = stateOf(row);
      const next = localChange(
        before,
        { status: change.status, start: change.start, resolvesReview: opts.resolvesReview },
        now,
        LOCAL_CHANGE_GRACE_MS,
      );
      await store.write(row.tenant_id, row.id, { before, next }, now, tx, business);
    },

    /** Details Cal.com cannot take (its API has no booking update): no sync state changes. */
    async updateDetails(tenantId, id, d, now, tx) {
      const sets: string[] = [];
      const values: unknown[] = [];
      if (d.customer) {
        sets.push('customer_name = ?', 'customer_email = ?', 'customer_phone = ?', 'customer_time_zone = ?');
        values.push(d.customer.name, d.customer.email, d.customer.phone, d.customer.timeZone);
      }
      if (d.notes !== undefined) add(sets, values, 'notes = ?', d.notes);
      if (!sets.length) return;
      await db.execute(
        `UPDATE appointments SET ${sets.join(', ')}, updated_at = ? WHERE id = ? AND tenant_id = ?`,
        [...values, now, id, tenantId],
        tx,
      );
    },

    async list(tenantId, f) {
      const where = ['tenant_id = ?'];
      const values: unknown[] = [tenantId];
      if (f.from) add(where, values, 'start_at >= ?', f.from);
      if (f.to) add(where, values, 'start_at < ?', f.to);
      if (f.status) add(where, values, 'status = ?', f.status);
      if (f.syncStatus) add(where, values, 'sync_status = ?', f.syncStatus);
      if (f.requiresManualReview !== undefined)
        add(where, values, 'requires_manual_review = ?', f.requiresManualReview ? 1 : 0);
      if (f.after) {
        where.push('(start_at > ? OR (start_at = ? AND id > ?))');
        values.push(f.after.start, f.after.start, f.after.id);
      }
      return db.query<AppointmentRow>(
        `SELECT * FROM appointments WHERE ${where.join(' AND ')} ORDER BY start_at, id LIMIT ${f.limit + 1}`,
        values,
      );
    },
  };
}
