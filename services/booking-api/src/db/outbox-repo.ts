/**
 * The transactional outbox: an event row written in the same transaction as the
 * appointment change, published later by the relay (messaging/outbox-relay.ts).
 */
import type { Db, Tx } from '@calsync/db';
import type { AppointmentEventV1, Origin } from '@calsync/contracts';
import type { OutboxRepo } from '../domain/ports';

export interface OutboxRow {
  seq: number;
  id: string;
  tenant_id: string;
  appointment_id: string;
  origin: Origin;
  payload: string;
  traceparent: string | null;
  /** Times the server refused this row for itself (outages do not count). */
  publish_attempts: number;
}

/** Beside the domain's port: what the relay claims and marks (messaging/outbox-relay.ts), and the purge. */
export interface OutboxRelayRows {
  claimBatch(limit: number, tx: Tx): Promise<OutboxRow[]>;
  markPublished(seqs: number[], now: Date, tx: Tx): Promise<void>;
  /** Counts one refusal of each row. */
  markFailed(seqs: number[], tx: Tx): Promise<void>;
  park(rows: { seq: number; error: string }[], now: Date, tx: Tx): Promise<void>;
  pendingCount(): Promise<number>;
  purgePublished(before: Date): Promise<number>;
}

export function createOutboxRepo(db: Db): OutboxRepo & OutboxRelayRows {
  return {
    async add(event: AppointmentEventV1, traceparent: string | undefined, tx: Tx): Promise<void> {
      await db.execute(
        `INSERT INTO outbox (id, tenant_id, appointment_id, event, origin, payload, traceparent, created_at)
         VALUES (?,?,?,?,?,?,?,?)`,
        [
          event.eventId,
          event.tenantId,
          event.appointmentId,
          event.event,
          event.origin,
          JSON.stringify(event),
          traceparent ?? null,
          new Date(event.occurredAt),
        ],
        tx,
      );
    },

    /**
     * Claims the oldest unpublished rows. SKIP LOCKED lets several booking-api
     * replicas relay in parallel without publishing a row twice.
     */
    async claimBatch(limit: number, tx: Tx): Promise<OutboxRow[]> {
      return db.query<OutboxRow>(
        `SELECT seq, id, tenant_id, appointment_id, origin, payload, traceparent, publish_attempts
           FROM outbox WHERE published_at IS NULL AND parked_at IS NULL
          ORDER BY seq LIMIT ${Math.floor(limit)} FOR UPDATE SKIP LOCKED`,
        [],
        tx,
      );
    },

    async markPublished(seqs: number[], now: Date, tx: Tx): Promise<void> {
      if (!seqs.length) return;
      await db.execute('UPDATE outbox SET published_at = ? WHERE seq IN (?)', [now, seqs], tx);
    },

    async markFailed(seqs: number[], tx: Tx): Promise<void> {
      if (!seqs.length) return;
      await db.execute(
        'UPDATE outbox SET publish_attempts = publish_attempts + 1 WHERE seq IN (?)',
        [seqs],
        tx,
      );
    },

    /** Set aside for an operator: the relay skips parked rows and publishes the rest. */
    async park(rows: { seq: number; error: string }[], now: Date, tx: Tx): Promise<void> {
      for (const r of rows)
        await db.execute(
          'UPDATE outbox SET parked_at = ?, publish_error = ? WHERE seq = ?',
          [now, r.error, r.seq],
          tx,
        );
    },

    async pendingCount(): Promise<number> {
      const [row] = await db.query<{ n: number }>(
        'SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL AND parked_at IS NULL',
      );
      return Number(row?.n ?? 0);
    },

    /** Published rows are kept a while for audit, then purged. */
    async purgePublished(before: Date): Promise<number> {
      return db.execute('DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < ? LIMIT 5000', [
        before,
      ]);
    },
  };
}
