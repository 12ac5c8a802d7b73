/**
 * `inbound_parked` (migration 0006): Cal.com deliveries the inbound applier set
 * aside after repeated non-outage failures, kept whole (subject, headers, body)
 * so an operator can see why and replay them. Written only by the inbound consumer.
 */
import type { Db } from '@calsync/db';

export interface ParkedDelivery {
  stream: string;
  streamSeq: number;
  subject: string;
  tenantId: string | null;
  headers: Record<string, string>;
  payload: string;
  error: string;
  deliveries: number;
}

export interface InboundParking {
  park(delivery: ParkedDelivery, now: Date): Promise<void>;
}

export function createInboundParkedRepo(db: Db): InboundParking {
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
  };
}
