/** Idempotency keys, scoped to tenant and route, kept 24 h (SPEC §4.2). */
import type { Db } from '@calsync/db';
import { isDuplicateKey } from '@calsync/db';
import type { ClaimResult, IdempotencyRepo } from '../domain/ports';

const TTL_MS = 24 * 3600_000;
/** A claim whose holder died is taken over after this long. */
const LEASE_MS = 60_000;

export function createIdempotencyRepo(
  db: Db,
): IdempotencyRepo & { purgeExpired(now: Date): Promise<number> } {
  return {
    async claim(
      tenantId: string,
      scope: string,
      key: string,
      requestHash: string,
      now: Date,
    ): Promise<ClaimResult> {
      const lease = new Date(now.getTime() + LEASE_MS);
      try {
        await db.execute(
          `INSERT INTO idempotency_keys (tenant_id, scope, idem_key, request_hash, state, locked_until, expires_at, created_at)
           VALUES (?,?,?,?, 'in_progress', ?, ?, ?)`,
          [tenantId, scope, key, requestHash, lease, new Date(now.getTime() + TTL_MS), now],
        );
        return { kind: 'claimed' };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const [row] = await db.query<{
        request_hash: string;
        state: string;
        response_status: number | null;
        response_body: string | null;
        locked_until: Date;
        expires_at: Date;
      }>(
        'SELECT request_hash, state, response_status, response_body, locked_until, expires_at FROM idempotency_keys WHERE tenant_id = ? AND scope = ? AND idem_key = ?',
        [tenantId, scope, key],
      );
      if (!row) return this.claim(tenantId, scope, key, requestHash, now);
      if (row.expires_at <= now) {
        await db.execute(
          'DELETE FROM idempotency_keys WHERE tenant_id = ? AND scope = ? AND idem_key = ? AND expires_at <= ?',
          [tenantId, scope, key, now],
        );
        return this.claim(tenantId, scope, key, requestHash, now);
      }
      if (row.request_hash !== requestHash) return { kind: 'mismatch' };
      if (row.state === 'done')
        return { kind: 'replay', status: row.response_status ?? 200, body: row.response_body ?? '' };
      if (row.locked_until > now) return { kind: 'in_progress' };
      // The first holder died mid-request: take the key over.
      const taken = await db.execute(
        `UPDATE idempotency_keys SET locked_until = ? WHERE tenant_id = ? AND scope = ? AND idem_key = ? AND state = 'in_progress' AND locked_until <= ?`,
        [lease, tenantId, scope, key, now],
      );
      return taken === 1 ? { kind: 'claimed' } : { kind: 'in_progress' };
    },

    async complete(
      tenantId: string,
      scope: string,
      key: string,
      status: number,
      body: string,
    ): Promise<void> {
      await db.execute(
        `UPDATE idempotency_keys SET state = 'done', response_status = ?, response_body = ? WHERE tenant_id = ? AND scope = ? AND idem_key = ?`,
        [status, body, tenantId, scope, key],
      );
    },

    /** The newest key of a scope (keys that sort in order, like Retell's per-call sequence). */
    async latest(
      tenantId: string,
      scope: string,
    ): Promise<{ key: string; requestHash: string; createdAt: Date } | null> {
      const [row] = await db.query<{ idem_key: string; request_hash: string; created_at: Date }>(
        'SELECT idem_key, request_hash, created_at FROM idempotency_keys WHERE tenant_id = ? AND scope = ? ORDER BY idem_key DESC LIMIT 1',
        [tenantId, scope],
      );
      return row ? { key: row.idem_key, requestHash: row.request_hash, createdAt: row.created_at } : null;
    },

    /** A failed request (5xx) releases its key so the client can retry. */
    async release(tenantId: string, scope: string, key: string): Promise<void> {
      await db.execute(
        `DELETE FROM idempotency_keys WHERE tenant_id = ? AND scope = ? AND idem_key = ? AND state = 'in_progress'`,
        [tenantId, scope, key],
      );
    },

    async purgeExpired(now: Date): Promise<number> {
      return db.execute('DELETE FROM idempotency_keys WHERE expires_at < ? LIMIT 5000', [now]);
    },
  };
}
