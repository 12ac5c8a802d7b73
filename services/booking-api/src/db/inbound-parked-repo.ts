/**
 * `inbound_parked` (migration 0006): Cal.com deliveries the inbound applier set
 * aside after repeated non-outage failures, kept whole (subject, headers, body)
 * so an operator can see why and replay them. Rows are written by the inbound
 * consumer (park) and by the operator's re-drive (mark); this file is the only SQL.
 */
import type { Db } from '@calsync/db';
import type { ParkedDelivery, ParkedReads, ParkedRow } from '../domain/ports';

/** What the inbound consumer (messaging/inbound-consumer.ts) needs: set a delivery aside. */
export interface InboundParking {
  park(delivery: ParkedDelivery, now: Date): Promise<void>;
}

interface Row {
  id: number | string;
  stream: string;
  stream_seq: number | string;
  subject: string;
  tenant_id: string | null;
  headers: string;
  payload: string;
  error: string;
  deliveries: number;
  parked_at: Date;
  redriven_at: Date | null;
  redrive_count: number;
}

const toParked = (r: Row): ParkedRow => ({
  id: Number(r.id),
  stream: r.stream,
  streamSeq: Number(r.stream_seq),
  subject: r.subject,
  tenantId: r.tenant_id,
  headers: JSON.parse(r.headers) as Record<string, string>,
  payload: r.payload,
  error: r.error,
  deliveries: r.deliveries,
  parkedAt: r.parked_at,
  redrivenAt: r.redriven_at,
  redriveCount: r.redrive_count,
});

export function createInboundParkedRepo(db: Db): InboundParking & ParkedReads {
  return {
    async park(d, now) {
      // A redelivery of a message parked before (crash before the ack) updates the one row.
      await db.execute(
        `INSERT INTO inbound_parked
           (stream, stream_seq, subject, tenant_id, headers, payload, error, deliveries, parked_at)
         VALUES (?,?,?,?,?,?,?,?,?)
         ON DUPLICATE KEY UPDATE error = VALUES(error), deliveries = VALUES(deliveries), parked_at = VALUES(parked_at)`,
        [
          d.stream,
          d.streamSeq,
          d.subject.slice(0, 255),
          d.tenantId,
          JSON.stringify(d.headers),
          d.payload,
          d.error.slice(0, 1000),
          d.deliveries,
          now,
        ],
      );
    },

    async list(q) {
      const where = ['1=1'];
      const args: unknown[] = [];
      if (!q.includeRedriven) where.push('redriven_at IS NULL');
      if (q.tenantId) {
        where.push('tenant_id = ?');
        args.push(q.tenantId);
      }
      const rows = await db.query<Row>(
        `SELECT * FROM inbound_parked WHERE ${where.join(' AND ')} ORDER BY id LIMIT ${Number(q.limit)}`,
        args,
      );
      return rows.map(toParked);
    },

    async get(id) {
      const [row] = await db.query<Row>('SELECT * FROM inbound_parked WHERE id = ?', [id]);
      return row ? toParked(row) : null;
    },

    async markRedriven(id, now) {
      await db.execute(
        'UPDATE inbound_parked SET redriven_at = ?, redrive_count = redrive_count + 1 WHERE id = ?',
        [now, id],
      );
    },
  };
}
