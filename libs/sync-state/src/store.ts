/**
 * The I/O around the machine: the only code that writes an appointment's sync
 * columns. Every transition runs on the row locked FOR UPDATE (in the caller's
 * transaction or a short one of its own), so decisions about one appointment —
 * local change, Cal.com change, echo, call result, lookup, review action — are
 * serialized. calcom-sync's lease (sync_lock_*) keeps one worker driving the
 * Cal.com calls; starting a call checks the lease in the same locked read, so
 * a worker that lost its lease can start nothing.
 */
import type { AppointmentRow, Db, Tx } from '@calsync/db';
import type { SyncState } from './state';

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(readonly appointmentId: string) {
    super('The appointment lease was lost to another worker');
  }
}

const clip = (s: string | null | undefined, n: number) => (s == null ? null : s.slice(0, n));

function parseStored(json: string | null): unknown {
  if (!json) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}

/** The sync state held in a row. */
export function stateOf(r: AppointmentRow): SyncState {
  const call = r.sync_call_in_flight
    ? {
        // Rows written before migration 0005 have no call id; 0005 backfills one.
        id: r.sync_call_id ?? 'legacy',
        action: r.sync_call_in_flight as 'create' | 'reschedule' | 'cancel',
        version: r.sync_call_version ?? r.version,
        start: r.sync_call_start_at ?? r.start_at,
        fromUid: r.sync_call_uid ?? null,
      }
    : null;
  return {
    status: r.status,
    start: r.start_at,
    version: r.version,
    syncedVersion: r.synced_version,
    syncStatus: r.sync_status,
    uid: r.calcom_booking_uid,
    bookingId: r.calcom_booking_id === null ? null : Number(r.calcom_booking_id),
    calcomStart: r.last_synced_start_at,
    calcomStatus: r.last_synced_status,
    call,
    attempts: r.sync_attempts,
    lastAttemptAt: r.sync_last_attempt_at,
    errorCode: r.sync_error_code,
    errorMessage: r.sync_error_message,
    verifiedAt: r.sync_verified_at,
    review:
      r.requires_manual_review === 1
        ? {
            reason: r.manual_review_reason ?? 'review',
            flaggedAt: r.manual_review_flagged_at ?? r.updated_at,
            calcom: parseStored(r.manual_review_calcom),
          }
        : null,
    dueAt: r.sync_due_at ?? null,
  };
}

/** Column values of a state (what INSERT and UPDATE write). */
export function columnsOf(s: SyncState): Record<string, unknown> {
  return {
    version: s.version,
    synced_version: s.syncedVersion,
    sync_status: s.syncStatus,
    calcom_booking_uid: s.uid,
    calcom_booking_id: s.bookingId,
    last_synced_start_at: s.calcomStart,
    last_synced_status: s.calcomStatus,
    sync_call_in_flight: s.call?.action ?? null,
    sync_call_id: s.call?.id ?? null,
    sync_call_version: s.call?.version ?? null,
    sync_call_start_at: s.call?.start ?? null,
    sync_call_uid: s.call?.fromUid ?? null,
    sync_attempts: s.attempts,
    sync_last_attempt_at: s.lastAttemptAt,
    sync_error_code: clip(s.errorCode, 64),
    sync_error_message: clip(s.errorMessage, 1000),
    sync_verified_at: s.verifiedAt,
    requires_manual_review: s.review ? 1 : 0,
    manual_review_flagged_at: s.review?.flaggedAt ?? null,
    manual_review_reason: clip(s.review?.reason, 64),
    manual_review_calcom: s.review?.calcom == null ? null : JSON.stringify(s.review.calcom),
    sync_due_at: s.dueAt,
  };
}

export interface Locked {
  row: AppointmentRow;
  state: SyncState;
}

export interface TransactOptions {
  /** Run inside this transaction (the caller has or takes the row lock). */
  tx?: Tx | undefined;
  /** Require this worker's lease on the appointment (checked in the locked read). */
  leaseOwner?: string | undefined;
}

export function createSyncStateStore(db: Db) {
  const where = 'WHERE id = ? AND tenant_id = ?';

  async function lockRow(tenantId: string, id: string, tx: Tx, leaseOwner?: string): Promise<Locked | null> {
    const [row] = await db.query<AppointmentRow & { lease_ok: number | null }>(
      `SELECT *, (sync_lock_owner = ? AND sync_lock_until > NOW(3)) AS lease_ok FROM appointments ${where} FOR UPDATE`,
      [leaseOwner ?? '', id, tenantId],
      tx,
    );
    if (!row) return null;
    if (leaseOwner && Number(row.lease_ok) !== 1) throw new LeaseLostError(id);
    return { row, state: stateOf(row) };
  }

  /**
   * Writes a state computed by a transition from `before`. `business` are
   * booking-api's own columns changed by the same decision (start, status…), in
   * the same statement. A booking the appointment moved away from (a reschedule
   * gives a new uid) or forgot (unlinked) is retired in the same transaction: a
   * late or redelivered webhook of the old booking then brings nothing back (the
   * inbound applier's tombstones, migration 0003).
   */
  async function write(
    tenantId: string,
    id: string,
    change: { before: SyncState; next: SyncState },
    now: Date,
    tx?: Tx,
    business: Record<string, unknown> = {},
  ): Promise<void> {
    const { before, next } = change;
    const cols = { ...business, ...columnsOf(next) };
    const names = Object.keys(cols);
    await db.execute(
      `UPDATE appointments SET ${names.map((c) => `${c} = ?`).join(', ')}, updated_at = ? ${where}`,
      [...names.map((c) => cols[c]), now, id, tenantId],
      tx,
    );
    if (before.uid && next.uid !== before.uid)
      await db.execute(
        `INSERT INTO calcom_booking_tombstones (tenant_id, calcom_booking_uid, reason, created_at)
         VALUES (?, ?, 'superseded', ?) ON DUPLICATE KEY UPDATE reason = reason`,
        [tenantId, before.uid, now],
        tx,
      );
  }

  return {
    /** The current state without a lock (to decide what to try; every write re-checks under the lock). */
    async read(tenantId: string, id: string): Promise<Locked | null> {
      const [row] = await db.query<AppointmentRow>(`SELECT * FROM appointments ${where}`, [id, tenantId]);
      return row ? { row, state: stateOf(row) } : null;
    },

    lockRow,
    write,

    /**
     * Runs one transition on the locked row and writes its result. `fn`
     * returns the next state (or null: nothing to write) and a result.
     * Throws LeaseLostError when `leaseOwner` no longer holds the lease.
     */
    async transact<R>(
      tenantId: string,
      id: string,
      now: Date,
      fn: (l: Locked) => { next: SyncState | null; result: R },
      opts: TransactOptions = {},
    ): Promise<{ result: R; before: Locked; after: SyncState } | null> {
      const run = async (tx: Tx) => {
        const locked = await lockRow(tenantId, id, tx, opts.leaseOwner);
        if (!locked) return null;
        const { next, result } = fn(locked);
        if (next && next !== locked.state) await write(tenantId, id, { before: locked.state, next }, now, tx);
        return { result, before: locked, after: next ?? locked.state };
      };
      return opts.tx ? run(opts.tx) : db.transaction(run);
    },

    lease: {
      /** One worker at a time drives an appointment's Cal.com calls. */
      async acquire(tenantId: string, id: string, owner: string, seconds: number): Promise<boolean> {
        const n = await db.execute(
          `UPDATE appointments SET sync_lock_owner = ?, sync_lock_until = NOW(3) + INTERVAL ? SECOND
           ${where} AND (sync_lock_until IS NULL OR sync_lock_until < NOW(3) OR sync_lock_owner = ?)`,
          [owner, seconds, id, tenantId, owner],
        );
        return n > 0;
      },
      /** False when another worker took it over: the caller must stop. */
      async renew(tenantId: string, id: string, owner: string, seconds: number): Promise<boolean> {
        const n = await db.execute(
          `UPDATE appointments SET sync_lock_until = NOW(3) + INTERVAL ? SECOND
           ${where} AND sync_lock_owner = ? AND sync_lock_until > NOW(3)`,
          [seconds, id, tenantId, owner],
        );
        return n > 0;
      },
      async release(tenantId: string, id: string, owner: string): Promise<void> {
        await db.execute(
          `UPDATE appointments SET sync_lock_owner = NULL, sync_lock_until = NULL ${where} AND sync_lock_owner = ?`,
          [id, tenantId, owner],
        );
      },
    },

    /** Appointments whose sync is due (the scheduler's work list), oldest first. */
    async due(limit: number): Promise<{ tenantId: string; id: string; dueAt: Date }[]> {
      const rows = await db.query<{ tenant_id: string; id: string; sync_due_at: Date }>(
        `SELECT tenant_id, id, sync_due_at FROM appointments WHERE sync_due_at <= NOW(3)
          ORDER BY sync_due_at LIMIT ${Math.floor(limit)}`,
      );
      return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id, dueAt: r.sync_due_at }));
    },

    /** Parks a blocked tenant's due work until it can run (one statement, no per-row churn). */
    async deferTenant(tenantId: string, until: Date): Promise<number> {
      return db.execute(
        'UPDATE appointments SET sync_due_at = ? WHERE tenant_id = ? AND sync_due_at <= NOW(3)',
        [until, tenantId],
      );
    },
  };
}

export type SyncStateStore = ReturnType<typeof createSyncStateStore>;
