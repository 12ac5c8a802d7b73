/** The gateway's own SQL: the `webhook_deliveries` de-duplication table (24 h, purged after 25 h); tenants are read through @calsync/db. */
import type { Db } from '@calsync/db';
import type { DeliveryKey } from '../domain/receiver';
import type { DeliveryRecord } from '../domain/dedup';

/** One delivery as the table holds it: `publishedAt` null = arrived, not (yet) published. */
export interface DeliveryRow extends DeliveryKey {
  receivedAt: Date;
  publishedAt: Date | null;
}

export interface DeliveriesRepo {
  find(tenantId: string, deliveryId: string): Promise<DeliveryRecord | null>;
  /**
   * Writes rows in one statement. The first publish wins and `received_at` stays the first
   * arrival, whatever order the rows come in; writing a row twice changes nothing.
   */
  upsertMany(rows: readonly DeliveryRow[]): Promise<void>;
  /** Deletes rows received before `cutoff`, at most `batch` per call; returns how many. */
  purgeReceivedBefore(cutoff: Date, batch?: number): Promise<number>;
}

/** Any one order will do, as long as every replica uses it (tenant ids and hex ids: no collation surprises). */
const keyOf = (r: DeliveryRow) => `${r.tenantId} ${r.deliveryId}`;
const byKey = (a: DeliveryRow, b: DeliveryRow) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0);

export function createDeliveriesRepo(db: Db): DeliveriesRepo {
  return {
    async find(tenantId, deliveryId): Promise<DeliveryRecord | null> {
      const [row] = await db.query<{ published_at: Date | null }>(
        'SELECT published_at FROM webhook_deliveries WHERE tenant_id = ? AND delivery_id = ?',
        [tenantId, deliveryId],
      );
      return row ? { publishedAt: row.published_at } : null;
    },

    async upsertMany(rows) {
      if (rows.length === 0) return;
      // In primary-key order, so batches from several replicas lock rows in the same order: no deadlock.
      const sorted = [...rows].sort(byKey);
      await db.execute(
        `INSERT INTO webhook_deliveries (tenant_id, delivery_id, trigger_event, received_at, published_at)
         VALUES ${sorted.map(() => '(?, ?, ?, ?, ?)').join(', ')}
         ON DUPLICATE KEY UPDATE published_at = COALESCE(published_at, VALUES(published_at))`,
        sorted.flatMap((r) => [r.tenantId, r.deliveryId, r.trigger, r.receivedAt, r.publishedAt]),
      );
    },

    async purgeReceivedBefore(cutoff, batch = 5_000) {
      return db.execute('DELETE FROM webhook_deliveries WHERE received_at < ? LIMIT ?', [cutoff, batch]);
    },
  };
}
