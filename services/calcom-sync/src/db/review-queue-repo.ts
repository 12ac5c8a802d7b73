/** The review queue's size per tenant, for the `manual_review_queue_size` gauge. */
import type { Db } from '@calsync/db';

export function createReviewQueueRepo(db: Db) {
  return {
    async sizes(): Promise<{ tenant_id: string; n: number }[]> {
      const rows = await db.query<{ tenant_id: string; n: number | string }>(
        'SELECT tenant_id, COUNT(*) AS n FROM appointments WHERE requires_manual_review = 1 GROUP BY tenant_id',
      );
      return rows.map((r) => ({ tenant_id: r.tenant_id, n: Number(r.n) }));
    },
  };
}
