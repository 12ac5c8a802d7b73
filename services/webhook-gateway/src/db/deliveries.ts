/** The only SQL of the gateway: the `webhook_deliveries` de-duplication table (24 h, purged after 25 h). */
import type { Db } from '@calsync/db';
import type { DeliveryKey, DeliveryStore } from '../domain/receiver';
import type { DeliveryRecord } from '../domain/dedup';

export interface DeliveriesRepository extends DeliveryStore {
  /** Deletes rows received before `cutoff`, at most `batch` per call; returns how many. */
  purgeReceivedBefore(cutoff: Date, batch?: number): Promise<number>;
}

export function createDeliveriesRepository(db: Db): DeliveriesRepository {
  return {
    async find(tenantId, deliveryId): Promise<DeliveryRecord | null> {
      const [row] = await db.query<{ published_at: Date | null }>(
        'SELECT published_at FROM webhook_deliveries WHERE tenant_id = ? AND delivery_id = ?',
        [tenantId, deliveryId],
      );
      return row ? { publishedAt: row.published_at } : null;
    },

    async recordReceived(d: DeliveryKey & { receivedAt: Date }) {
      await db.execute(
        `INSERT IGNORE INTO webhook_deliveries (tenant_id, delivery_id, trigger_event, received_at, published_at)
         VALUES (?, ?, ?, ?, NULL)`,
        [d.tenantId, d.deliveryId, d.trigger, d.receivedAt],
      );
    },

    async markPublished(d: DeliveryKey & { receivedAt: Date; publishedAt: Date }) {
      // The first publish wins; received_at stays the first arrival (a retry after a 503 keeps it).
      await db.execute(
        `INSERT INTO webhook_deliveries (tenant_id, delivery_id, trigger_event, received_at, published_at)
         VALUES (?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE published_at = COALESCE(published_at, VALUES(published_at))`,
        [d.tenantId, d.deliveryId, d.trigger, d.receivedAt, d.publishedAt],
      );
    },

    async purgeReceivedBefore(cutoff, batch = 5_000) {
      return db.execute('DELETE FROM webhook_deliveries WHERE received_at < ? LIMIT ?', [cutoff, batch]);
    },
  };
}
